// A lab the person brings: the lab file and the files it names, picked together (several files, a
// folder, or dropped on the window). The lab is parsed and prepared exactly like the bundled ones
// (core/lab); a file it names is looked up by its path relative to the lab file, and in a flat pick of
// files, by its name. A missing file is an error that names it and says how to supply it.
import type { Lab } from '../../core/lab/lab-file.ts';
import type { PreparedLab } from '../../core/lab/prepare.ts';

/** A file the person gave: its path inside what was picked ("labs/demo.yaml", or "demo.yaml" when flat). */
export interface PickedFile {
  path: string;
  bytes: Uint8Array;
}

export interface OpenedLab {
  lab: Lab;
  prepared: PreparedLab;
  /** RAM-disk path → bytes, for the cell list's buttons. */
  ramDisk: Map<string, Uint8Array>;
}

export function isYaml(name: string): boolean {
  return /\.ya?ml$/i.test(name);
}

/** A lab file has `root:` at its top (a YAML configuration has `kind:` instead). */
function looksLikeLab(file: PickedFile, parseDocument: typeof import('yaml').parseDocument): boolean {
  try {
    const doc = parseDocument(new TextDecoder().decode(file.bytes));
    return doc.errors.length === 0 ? doc.has('root') : true; // broken YAML: let the lab parser say where
  } catch {
    return false;
  }
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Finds the lab among the picked files, reads what it names, and prepares it. Errors name the file. */
export async function openLabFiles(files: readonly PickedFile[]): Promise<OpenedLab> {
  // Loaded on demand, like the lab parser: the start screen does not need them.
  const { parseDocument } = await import('yaml');
  const candidates = files.filter((f) => isYaml(f.path) && looksLikeLab(f, parseDocument));
  if (candidates.length === 0) {
    throw new Error(`none of the files you opened is a lab file (a .yaml file with name: and root:); you opened ${files.map((f) => f.path).join(', ') || 'nothing'}`);
  }
  if (candidates.length > 1) {
    throw new Error(`several lab files were opened (${candidates.map((f) => f.path).join(', ')}); open one lab with the files it names`);
  }
  const labFile = candidates[0]!;
  const [{ parseLab }, { prepareLab, resolvePath }] = await Promise.all([
    import('../../core/lab/lab-file.ts'), import('../../core/lab/prepare.ts'),
  ]);
  const lab = parseLab(new TextDecoder().decode(labFile.bytes), labFile.path);
  const byPath = new Map(files.map((f) => [f.path, f]));
  const read = async (path: string): Promise<Uint8Array> => {
    const exact = byPath.get(path);
    if (exact) return exact.bytes;
    // Files picked one by one arrive without folders: match by name when exactly one file has it.
    const named = files.filter((f) => baseName(f.path) === baseName(path));
    if (named.length === 1) return named[0]!.bytes;
    throw new Error(named.length > 1
      ? `several opened files are called ${baseName(path)} (${named.map((f) => f.path).join(', ')}); open the lab's folder instead`
      : `${baseName(path)} is not among the files you opened; add it to the selection, or open the folder that holds the lab and its files`);
  };
  const fetched = new Map<string, Uint8Array>();
  const prepared = await prepareLab(lab, labFile.path, async (path) => {
    const bytes = await read(path);
    fetched.set(path, bytes);
    return bytes;
  });
  const ramDisk = new Map(lab.files.flatMap((f) => {
    const bytes = fetched.get(resolvePath(labFile.path, f.source));
    return bytes ? [[f.path, bytes] as const] : [];
  }));
  return { lab, prepared, ramDisk };
}

/** Files of a drop: plain files, and folders walked recursively (their paths keep the folder names). */
export async function droppedFiles(data: DataTransfer): Promise<PickedFile[]> {
  const entries = [...data.items].map((item) => item.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (entries.length === 0) return Promise.all([...data.files].map(async (f) => ({ path: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
  const out: PickedFile[] = [];
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      out.push({ path: prefix + entry.name, bytes: new Uint8Array(await file.arrayBuffer()) });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      }
    }
  };
  for (const entry of entries) await walk(entry, '');
  return out;
}

/** Files of an <input type=file> (several files, or a folder with webkitdirectory). */
export function pickedFiles(list: FileList): Promise<PickedFile[]> {
  return Promise.all([...list].map(async (f) => ({ path: f.webkitRelativePath || f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
}
