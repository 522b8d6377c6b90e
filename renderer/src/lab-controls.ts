// What the cell list can offer for a lab: which RAM-disk file is the system configuration, which are
// cell configurations (and the cells they create), and which inmate each cell loads. Read from the lab's
// files when it is opened; every action is a `jailhouse` command typed into the root console.
import { parseCellConfig, sniffBinaryConfig } from '../../core/hypervisor/config/binary.ts';
import type { Lab } from '../../core/lab/lab-file.ts';

export interface LabCell {
  name: string;
  /** The cell configuration's path on the RAM disk. */
  config: string;
  /** The inmate image's path on the RAM disk, when the lab has one named after the cell. */
  inmate: string | undefined;
}

export interface LabControls {
  sysconfig: string | undefined;
  cells: LabCell[];
}

/** `files`: RAM-disk path → the bytes that went onto the RAM disk. */
export function labControls(lab: Lab, files: Map<string, Uint8Array>): LabControls {
  let sysconfig: string | undefined;
  const cells: LabCell[] = [];
  const images = lab.files.map((f) => f.path).filter((p) => /\.(bin|elf)$/.test(p));
  for (const { path } of lab.files) {
    const bytes = files.get(path);
    if (!bytes || !path.endsWith('.cell')) continue;
    const kind = sniffBinaryConfig(bytes);
    if (kind === 'system') sysconfig ??= path;
    if (kind !== 'cell') continue;
    let name: string;
    try {
      name = parseCellConfig(bytes).name;
    } catch {
      continue;
    }
    const base = path.replace(/^.*\//, '').replace(/\.cell$/, '');
    const inmate = images.find((p) => [name, base].includes(p.replace(/^.*\//, '').replace(/\.(bin|elf)$/, '')));
    cells.push({ name, config: path, inmate });
  }
  return { sysconfig, cells };
}

/** The commands the cell list types, exactly as a person would. */
export const commands = {
  enable: (sysconfig: string) => `jailhouse enable ${sysconfig}`,
  disable: () => 'jailhouse disable',
  create: (cell: LabCell) => `jailhouse cell create ${cell.config}`,
  load: (cell: LabCell) => `jailhouse cell load ${cell.name} ${cell.inmate}`,
  start: (name: string) => `jailhouse cell start ${name}`,
  shutdown: (name: string) => `jailhouse cell shutdown ${name}`,
  destroy: (name: string) => `jailhouse cell destroy ${name}`,
};
