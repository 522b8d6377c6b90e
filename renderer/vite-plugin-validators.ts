// The renderer's CSP forbids generated code (no 'unsafe-eval'), so the schema validators that Ajv would
// compile at run time (core/schema/validators.ts) are generated here, at build time, as plain modules
// (Ajv's standalone code), and the renderer's import of that module gets them instead.
import type { Plugin } from 'vite';
import standalone from 'ajv/dist/standalone/index.js';
import { labSchema } from '../core/lab/lab-file.ts';
import { cellDocumentSchema, systemDocumentSchema } from '../core/hypervisor/config/schema.ts';
import { ajvFor, type SchemaName } from '../core/schema/validators.ts';

const RESOLVED = '\0jailhouse-validators';
const SCHEMAS: Record<SchemaName, object> = { lab: labSchema, system: systemDocumentSchema, cell: cellDocumentSchema };

export function validatorsPlugin(): Plugin {
  return {
    name: 'jailhouse-validators',
    enforce: 'pre',
    resolveId(source) {
      return /(^|\/)schema\/validators(\.ts)?$/.test(source) ? RESOLVED : undefined;
    },
    load(id) {
      if (id !== RESOLVED) return undefined;
      const ajv = ajvFor({ code: { source: true, esm: true } });
      for (const [name, schema] of Object.entries(SCHEMAS)) ajv.addSchema(schema, name);
      const generate = ((standalone as unknown as { default?: typeof standalone }).default ?? standalone) as typeof standalone;
      let code = generate(ajv, Object.fromEntries(Object.keys(SCHEMAS).map((n) => [n, n])));
      // Ajv's ESM output still require()s its small runtime helpers; turn those into imports.
      const imports: string[] = [];
      code = code.replace(/require\(("ajv\/dist\/runtime\/[\w/]+")\)\.default/g, (_, module: string) => {
        const binding = `runtime${imports.length}`;
        imports.push(`import * as ${binding} from ${module};`);
        return `(${binding}.default?.default ?? ${binding}.default)`;
      });
      if (/\brequire\(/.test(code)) this.error('generated validators still call require()');
      return `${imports.join('\n')}\n${code.replace(/^"use strict";/, '')}
const validators = { ${Object.keys(SCHEMAS).join(', ')} };
export function validatorFor(name) {
  const validate = validators[name];
  if (!validate) throw new Error('no validator generated for ' + name);
  return validate;
}
export function ajvFor() {
  throw new Error('Ajv cannot compile schemas here: the content security policy forbids generated code');
}
`;
    },
  };
}
