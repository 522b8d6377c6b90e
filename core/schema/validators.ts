import Ajv, { type Options, type ValidateFunction } from 'ajv';

/**
 * The JSON Schema validators of the external formats (lab files, YAML system and cell configurations),
 * by name. Here they are compiled with Ajv at first use, which generates code; the app's renderer runs
 * under a CSP that forbids that, so its build swaps this module for the same validators generated
 * ahead of time (renderer/vite-plugin-validators.ts). Both use `ajvFor`, so they behave alike.
 */
export type SchemaName = 'lab' | 'system' | 'cell';

export function ajvFor(extra: Options = {}): Ajv {
  // ajv is CommonJS; depending on the loader the class is the default export or its .default
  const A = ((Ajv as unknown as { default?: typeof Ajv }).default ?? Ajv) as typeof Ajv;
  const ajv = new A({ allErrors: true, strict: false, verbose: true, ...extra });
  ajv.addKeyword({ keyword: 'x-expected', schemaType: 'string' });
  return ajv;
}

const compiled = new Map<SchemaName, ValidateFunction>();

export function validatorFor(name: SchemaName, schema: object): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    validate = ajvFor().compile(schema);
    compiled.set(name, validate);
  }
  return validate;
}
