import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { CELL_STATE_NAMES } from '../hypervisor/abi.ts';
import { parseSize } from '../hypervisor/config/yaml.ts';
import { validatorFor } from '../schema/validators.ts';
import { yamlValue } from '../hypervisor/config/yaml-document.ts';

/**
 * A lab: a board, the root cell's OS and RAM disk, commands typed at start, and expectations, so one file
 * is both a tutorial in the app and an end-to-end test on the command line (docs/labs.md).
 */
export interface Lab {
  name: string;
  title: string;
  /** Markdown shown by the app next to the consoles. */
  tutorial: string;
  board: { harts: number; ramSize: number; extraUarts: number };
  root: { image: string; bootargs: string };
  /** RAM disk path (absolute, e.g. /etc/jailhouse/sysconfig.cell) → source file relative to the lab file. */
  files: { path: string; source: string }[];
  /** Typed at start in every mode (setup). */
  steps: LabStep[];
  /** What the tutorial asks the person to do; `jailhouse-lab test` does it for them after the steps. */
  walkthrough: LabStep[];
  expect: LabExpectation[];
  /** What a console carries, shown in its pane's header (e.g. uart1: "virtio console of cell x"). */
  consoles?: Record<string, string>;
}

export type LabStep =
  | { kind: 'type'; text: string; console: string }
  | { kind: 'wait'; text: string; console: string; within: number }
  | { kind: 'run'; instructions: number };

export type LabExpectation =
  | { kind: 'console'; console: string; contains: string; within: number }
  | { kind: 'cell'; cell: string; state: CellStateName; within: number };

export type CellStateName = (typeof CELL_STATE_NAMES)[number];

/** Bad lab files: the message names the file, the path inside it and the line. */
export class LabFileError extends Error {
  constructor(readonly file: string, readonly issues: { path: string; message: string; line?: number; column?: number }[]) {
    // one line per issue, whatever the keys of the file contain (a key may hold a newline)
    const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
    super(issues.map((i) => `${file}:${i.line ?? 1}:${i.column ?? 1}: ${oneLine(i.path ? i.path + ': ' : '')}${oneLine(i.message)}`).join('\n'));
  }
}

const DEFAULT_WAIT = 200_000_000;

interface RawStep { type?: string; wait?: string; run?: string | number; console?: string; within?: string | number }

/** The JSON Schema of lab files (documented in docs/labs.md). */
export const labSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'root'],
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' },
    title: { type: 'string' },
    tutorial: { type: 'string' },
    board: {
      type: 'object', additionalProperties: false,
      properties: {
        harts: { type: 'integer', minimum: 1, maximum: 32 },
        ram: { type: ['string', 'integer'] },
        'extra-uarts': { type: 'integer', minimum: 0, maximum: 4 },
      },
    },
    root: {
      type: 'object', additionalProperties: false, required: ['image'],
      properties: { image: { type: 'string' }, bootargs: { type: 'string' } },
    },
    files: { type: 'object', additionalProperties: { type: 'string' } },
    consoles: { type: 'object', additionalProperties: { type: 'string' } },
    steps: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false,
        properties: {
          type: { type: 'string' }, wait: { type: 'string' }, run: { type: ['string', 'integer'] },
          console: { type: 'string' }, within: { type: ['string', 'integer'] },
        },
        oneOf: [{ required: ['type'] }, { required: ['wait'] }, { required: ['run'] }],
      },
    },
    walkthrough: { $ref: '#/properties/steps' },
    expect: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false,
        properties: {
          console: { type: 'string' }, contains: { type: 'string' }, cell: { type: 'string' },
          state: { enum: [...CELL_STATE_NAMES] }, within: { type: ['string', 'integer'] },
        },
        oneOf: [{ required: ['console', 'contains'] }, { required: ['cell', 'state'] }],
      },
    },
  },
} as const;

/** Instruction counts: `50M` = 50 000 000, `2G` = 2 000 000 000, `1000`, `1_000_000`. */
export function parseCount(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v > 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^(\d[\d_]*)\s*([KMG]?)$/i.exec(v.trim());
  if (!m) return undefined;
  const scale = { '': 1, K: 1e3, M: 1e6, G: 1e9 }[m[2]!.toUpperCase()]!;
  const n = Number(m[1]!.replace(/_/g, '')) * scale;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** Parses and validates a lab file's text; paths in it stay relative to the file. */
export function parseLab(text: string, file: string): Lab {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new LabFileError(file, doc.errors.map((e) => ({
      path: '', message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''), line: e.linePos?.[0]?.line, column: e.linePos?.[0]?.col,
    })));
  }
  const converted = yamlValue(doc, lines);
  if ('issues' in converted) throw new LabFileError(file, converted.issues.map((i) => ({ path: '', ...i })));
  const data = converted.value as Record<string, unknown> | null;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new LabFileError(file, [{ path: '', message: 'expected a mapping with name, root, steps...' }]);

  const validate = validatorFor('lab', labSchema);
  if (!validate(data)) {
    const issues = (validate.errors ?? [])
      .filter((e) => e.keyword !== 'oneOf' || (validate.errors ?? []).length === 1)
      .map((e) => {
        // JSON pointer segments: ~1 is "/", ~0 is "~"
        const path = e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
        const extra = e.keyword === 'additionalProperties' ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"` : '';
        const allowed = e.keyword === 'enum' ? `: ${(e.params as { allowedValues: string[] }).allowedValues.join(', ')}` : '';
        return { path: dotted(path), message: `${e.message}${extra}${allowed}`, ...positionOf(doc, lines, path) };
      });
    throw new LabFileError(file, dedupe(issues));
  }

  const issues: { path: string; message: string; line?: number; column?: number }[] = [];
  const count = (v: unknown, path: (string | number)[], fallback: number): number => {
    if (v === undefined) return fallback;
    const n = parseCount(v);
    if (n === undefined) issues.push({ path: dotted(path), message: `expected an instruction count like 50M or 1000000, got "${String(v)}"`, ...positionOf(doc, lines, path) });
    return n ?? fallback;
  };
  const d = data as {
    name: string; title?: string; tutorial?: string;
    board?: { harts?: number; ram?: string | number; 'extra-uarts'?: number };
    root: { image: string; bootargs?: string }; files?: Record<string, string>;
    consoles?: Record<string, string>;
    steps?: RawStep[];
    walkthrough?: RawStep[];
    expect?: { console?: string; contains?: string; cell?: string; state?: CellStateName; within?: string | number }[];
  };
  let ramSize = 1 << 30;
  if (d.board?.ram !== undefined) {
    const r = parseSize(d.board.ram);
    if (r === undefined || r < 1n << 20n || r > 1n << 31n || r % 4096n !== 0n) {
      issues.push({ path: 'board.ram', message: `expected a RAM size from 1M to 2G in whole pages, got "${d.board.ram}"`, ...positionOf(doc, lines, ['board', 'ram']) });
    } else ramSize = Number(r);
  }
  const files = Object.entries(d.files ?? {}).map(([path, source]) => {
    if (!path.startsWith('/')) issues.push({ path: `files.${path}`, message: 'RAM disk paths must be absolute, e.g. /etc/jailhouse/sysconfig.cell', ...positionOf(doc, lines, ['files', path]) });
    return { path, source };
  });
  const toStep = (section: 'steps' | 'walkthrough') => (s: RawStep, k: number): LabStep => {
    const path = [section, k];
    if (s.type !== undefined) return { kind: 'type', text: s.type, console: s.console ?? 'root' };
    if (s.wait !== undefined) return { kind: 'wait', text: s.wait, console: s.console ?? 'root', within: count(s.within, [...path, 'within'], DEFAULT_WAIT) };
    return { kind: 'run', instructions: count(s.run, [...path, 'run'], 1) };
  };
  const steps = (d.steps ?? []).map(toStep('steps'));
  const walkthrough = (d.walkthrough ?? []).map(toStep('walkthrough'));
  const expect: LabExpectation[] = (d.expect ?? []).map((e, k) => {
    const within = count(e.within, ['expect', k, 'within'], DEFAULT_WAIT);
    return e.cell !== undefined
      ? { kind: 'cell', cell: e.cell, state: e.state!, within }
      : { kind: 'console', console: e.console!, contains: e.contains!, within };
  });
  if (issues.length > 0) throw new LabFileError(file, issues);

  return {
    name: d.name,
    title: d.title ?? d.name,
    tutorial: d.tutorial ?? '',
    board: { harts: d.board?.harts ?? 6, ramSize, extraUarts: d.board?.['extra-uarts'] ?? 4 },
    root: { image: d.root.image, bootargs: d.root.bootargs ?? '' },
    files, steps, walkthrough, expect,
    ...(d.consoles ? { consoles: d.consoles } : {}),
  };
}

function dotted(path: (string | number)[]): string {
  return path.map((p, k) => (typeof p === 'number' || /^\d+$/.test(String(p)) ? `[${p}]` : k === 0 ? p : `.${p}`)).join('');
}

/** Line and column of the value at `path`, or of its nearest parent that has one (else the document). */
function positionOf(doc: Document, lines: LineCounter, path: (string | number)[]): { line: number; column: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n).map((p) => (/^\d+$/.test(String(p)) ? Number(p) : p)), true);
    if (isNode(node) && node.range) { const p = lines.linePos(node.range[0]); return { line: p.line, column: p.col }; }
  }
  return { line: 1, column: 1 };
}

function dedupe<T extends { path: string; message: string }>(xs: T[]): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => !seen.has(x.path + x.message) && seen.add(x.path + x.message));
}
