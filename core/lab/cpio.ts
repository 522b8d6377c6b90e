/**
 * Writes "newc" cpio archives (what Linux and the root OS read as an initial RAM disk).
 * Deterministic: inode numbers in order, mtime 0, owner root, so the same files give the same bytes.
 */
export interface CpioEntry {
  /** Path inside the archive, without a leading slash, e.g. "etc/jailhouse/sysconfig.cell". */
  path: string;
  data: Uint8Array;
}

const FILE_MODE = 0o100644;
const DIR_MODE = 0o040755;

export function writeCpio(entries: readonly CpioEntry[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let inode = 1;
  const push = (bytes: Uint8Array) => { chunks.push(bytes); size += bytes.length; };
  const pad = () => { if (size % 4) push(new Uint8Array(4 - (size % 4))); };
  const record = (name: string, mode: number, data: Uint8Array) => {
    const nameBytes = new TextEncoder().encode(name + '\0');
    const fields = [inode++, mode, 0, 0, mode === DIR_MODE ? 2 : 1, 0, data.length, 0, 0, 0, 0, nameBytes.length, 0];
    push(new TextEncoder().encode('070701' + fields.map((f) => f.toString(16).padStart(8, '0')).join('')));
    push(nameBytes);
    pad();
    push(data);
    pad();
  };

  const dirs = new Set<string>();
  for (const entry of entries) {
    const parts = entry.path.replace(/^\/+/, '').split('/');
    for (let k = 1; k < parts.length; k++) dirs.add(parts.slice(0, k).join('/'));
  }
  for (const dir of [...dirs].sort()) record(dir, DIR_MODE, new Uint8Array(0));
  for (const entry of entries) record(entry.path.replace(/^\/+/, ''), FILE_MODE, entry.data);
  record('TRAILER!!!', 0, new Uint8Array(0));

  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}
