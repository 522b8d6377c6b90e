import { writeCellConfig, writeSystemConfig } from '../hypervisor/config/binary.ts';
import { parseConfigYaml } from '../hypervisor/config/yaml.ts';
import { writeCpio } from './cpio.ts';
import type { Lab } from './lab-file.ts';

/** A lab with every file it names read and turned into what the machine needs. */
export interface PreparedLab {
  lab: Lab;
  rootImage: Uint8Array;
  initrd: Uint8Array;
}

/** How a lab reaches its files; the CLI reads the disk, the app fetches bundled assets. */
export type ReadFile = (path: string) => Promise<Uint8Array>;

/** Joins a path relative to the lab file's folder ("/"-separated, as in lab files on every host). */
export function resolvePath(labFile: string, relative: string): string {
  if (relative.startsWith('/')) return relative;
  const parts = labFile.split('/').slice(0, -1);
  for (const p of relative.split('/')) {
    if (p === '..') parts.pop();
    else if (p !== '.' && p !== '') parts.push(p);
  }
  return parts.join('/') || '.';
}

/**
 * Reads the root image and the RAM disk's files. A `.yaml` configuration placed under a `.cell` name is
 * compiled on the way, so labs can keep their configurations readable.
 */
export async function prepareLab(lab: Lab, labFile: string, read: ReadFile): Promise<PreparedLab> {
  const load = async (source: string, what: string) => {
    const path = resolvePath(labFile, source);
    try {
      return await read(path);
    } catch (error) {
      throw new Error(`${labFile}: ${what}: cannot read ${path}: ${(error as Error).message}`);
    }
  };
  const rootImage = await load(lab.root.image, 'root.image');
  const entries = [];
  for (const file of lab.files) {
    let data = await load(file.source, `files.${file.path}`);
    if (file.path.endsWith('.cell') && /\.ya?ml$/.test(file.source)) {
      try {
        const doc = parseConfigYaml(new TextDecoder().decode(data));
        data = doc.kind === 'system' ? writeSystemConfig(doc.config) : writeCellConfig(doc.config);
      } catch (error) {
        throw new Error(`${labFile}: files.${file.path}: ${file.source}: ${(error as Error).message}`);
      }
    }
    entries.push({ path: file.path, data });
  }
  return { lab, rootImage, initrd: writeCpio(entries) };
}
