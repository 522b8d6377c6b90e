// electron-builder's configuration is validated here (against electron-builder's own JSON schema) instead
// of packaging, which downloads tools CI cannot fetch. `npm run dist` packages for real.
import Ajv from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const config = parse(readFileSync('electron-builder.yml', 'utf8')) as Record<string, any>;
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, any>;

describe('electron-builder.yml', () => {
  it('is valid against electron-builder\'s schema', () => {
    const require = createRequire(import.meta.url);
    const schemaFile = join(dirname(require.resolve('app-builder-lib/package.json')), 'scheme.json');
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    expect(validate(config) ? [] : validate.errors).toEqual([]);
  });

  it('builds an AppImage and a deb from the bundled app only', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.files).toEqual(expect.arrayContaining(['dist/electron/**', 'dist/renderer/**', 'package.json']));
    expect(existsSync(config.linux.icon)).toBe(true);
    expect(config.linux.maintainer).toBeTruthy();
  });

  it('matches package.json: the main entry is the bundled main process, electron is a dev dependency', () => {
    expect(pkg.main).toBe('dist/electron/main.cjs');
    expect(pkg.devDependencies.electron).toBeTruthy();
    expect(pkg.dependencies?.electron).toBeUndefined();
    expect(pkg.scripts.dist).toContain('electron-builder');
  });
});
