// Bundles the example labs (assets/labs/*.yaml) at build time: each lab file is parsed and validated here,
// in Node (the lab schema's validator is generated code, which the app's CSP forbids at run time), and
// every file it names (root image, configurations, inmates) becomes a bundled asset with a URL.
// The renderer imports the result as `virtual:jailhouse-labs` (see src/labs.d.ts).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';
import { parseLab } from '../core/lab/lab-file.ts';
import { resolvePath } from '../core/lab/prepare.ts';

const ID = 'virtual:jailhouse-labs';
const RESOLVED = `\0${ID}`;

export function labsPlugin(repo: string): Plugin {
  return {
    name: 'jailhouse-labs',
    resolveId: (id) => (id === ID ? RESOLVED : undefined),
    load(id) {
      if (id !== RESOLVED) return undefined;
      const folder = join(repo, 'assets/labs');
      const files = existsSync(folder) ? readdirSync(folder).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
      const imports: string[] = [];
      const labs: string[] = [];
      for (const name of files) {
        const file = `assets/labs/${name}`;
        this.addWatchFile(join(repo, file));
        const lab = parseLab(readFileSync(join(repo, file), 'utf8'), file);
        const urls: string[] = [];
        for (const source of [lab.root.image, ...lab.files.map((f) => f.source)]) {
          const path = resolvePath(file, source);
          if (!existsSync(join(repo, path))) this.error(`${file}: names ${path}, which does not exist`);
          const binding = `asset${imports.length}`;
          imports.push(`import ${binding} from ${JSON.stringify(`${join(repo, path)}?url`)};`);
          urls.push(`${JSON.stringify(path)}: ${binding}`);
        }
        labs.push(`{ file: ${JSON.stringify(file)}, lab: ${JSON.stringify(lab)}, urls: { ${urls.join(', ')} } }`);
      }
      return `${imports.join('\n')}\nexport default [\n${labs.join(',\n')}\n];\n`;
    },
  };
}
