// What the start screen offers: the bundled guest images now, example labs later. An entry says where its
// bytes come from and how to boot it; a lab entry will add its tutorial and lab file (kind 'lab').
import labs, { type BundledLab } from 'virtual:jailhouse-labs';
import manifest from '../../guests/conformance/manifest.json';

export interface CatalogEntry {
  id: string;
  kind: 'image' | 'lab';
  group: CatalogGroup;
  title: string;
  summary: string;
  harts: number;
  /** Images: where the bytes are fetched from (a bundled asset). */
  url?: string;
  /** Labs: the parsed lab and the URLs of the files it names. */
  lab?: BundledLab;
  /** Labs: the tutorial text shown beside the consoles (markdown). */
  tutorial?: string;
}

export type CatalogGroup = 'labs' | 'interactive' | 'conformance' | 'bench';

export const GROUPS: Record<CatalogGroup, { title: string; blurb: string }> = {
  labs: { title: 'Labs', blurb: 'A board partitioned by Jailhouse, with a tutorial beside the consoles: type the commands, watch the cells.' },
  interactive: { title: 'Try the consoles', blurb: 'Small programs to type into and to watch: input, several UARTs, a flood of output.' },
  conformance: {
    title: 'Conformance suite',
    blurb: 'One program per area of the RISC-V and SBI specifications; each ends with “N checks passed”.',
  },
  bench: { title: 'Benchmarks', blurb: 'Fixed workloads that print a checksum; the status bar shows the guest MIPS.' },
};

const SUMMARIES: Record<string, string> = {
  'interactive/echo': 'Echoes what you type and answers each line. Type quit to end it.',
  'interactive/flood': 'Prints 1 MiB of numbered lines as fast as it can, then finishes.',
  'interactive/consoles': 'Talks on UART0, UART1 and UART2 at once: one console pane each.',
  'conformance/rv64i': 'Base integer instructions: arithmetic, shifts, branches, loads and stores.',
  'conformance/rv64m': 'Multiply and divide, including division by zero and overflow.',
  'conformance/rv64a': 'Atomics: LR/SC and every AMO, with misaligned and faulting addresses.',
  'conformance/rv64c': 'Compressed instructions.',
  'conformance/zicsr': 'CSR instructions, counters and read-only registers.',
  'conformance/traps': 'Exceptions: causes, sepc and stval, the trap registers.',
  'conformance/umode': 'User mode: privilege checks, ecall from U-mode, counter access.',
  'conformance/interrupts': 'Timer and software interrupts delivered through SBI.',
  'conformance/paging': 'Sv39 and Sv48 page tables, accessed/dirty bits, page faults.',
  'conformance/sbi': 'SBI base, time, IPI, remote fence and debug console calls.',
  'conformance/hsm': 'Hart state management: start, stop and suspend other harts.',
  'conformance/smp_atomic': 'Four harts race on shared counters with AMOs and LR/SC.',
  'bench/empty': 'Boots and finishes at once: start-up cost.',
  'bench/intloop': 'CRC-32, a sieve and Collatz sequences (about 490M instructions).',
  'bench/memory': 'memset, memcpy and a triad over 3 × 4 MiB (about 170M instructions).',
  'bench/muldiv': 'Multiply and divide heavy loops (about 350M instructions).',
  'bench/calls': 'Recursive fib(34) and Ackermann (about 290M instructions).',
  'bench/mmio': 'Two million reads of the UART status register.',
  'bench/sbi': 'One million SBI calls.',
  'bench/touch16m': 'Writes one byte per 4 KiB page over 16 MiB.',
};

const HARTS: Record<string, number> = Object.fromEntries(
  (manifest as Array<{ name: string; harts: number }>).map((m) => [`conformance/${m.name}`, m.harts]),
);

/** Every bundled guest image: assets/guests/<suite>/<name>.elf (new images appear without code changes). */
const IMAGES = import.meta.glob('../../assets/guests/*/*.elf', { query: '?url', import: 'default', eager: true }) as
  Record<string, string>;

const SUITE_GROUP: Record<string, CatalogGroup> = { ui: 'interactive', conformance: 'conformance', bench: 'bench' };
const ORDER: Record<string, number> = { echo: 0, consoles: 1, flood: 2 };

function imageEntries(): CatalogEntry[] {
  const entries: CatalogEntry[] = [];
  for (const [file, url] of Object.entries(IMAGES)) {
    const match = /\/([^/]+)\/([^/]+)\.elf$/.exec(file);
    if (!match) continue;
    const [, suite, name] = match as unknown as [string, string, string];
    const group = SUITE_GROUP[suite];
    if (!group) continue;
    const key = `${group}/${name}`;
    entries.push({
      id: `${suite}/${name}`,
      kind: 'image',
      group,
      title: name,
      summary: SUMMARIES[key] ?? `${suite}/${name}.elf`,
      harts: HARTS[key] ?? 1,
      url,
    });
  }
  const manifestOrder = (e: CatalogEntry) =>
    e.group === 'conformance' ? (manifest as Array<{ name: string }>).findIndex((m) => m.name === e.title) : ORDER[e.title] ?? 99;
  return entries.sort((a, b) => manifestOrder(a) - manifestOrder(b) || a.title.localeCompare(b.title));
}

function labEntries(): CatalogEntry[] {
  return labs.map((bundled) => ({
    id: `lab/${bundled.lab.name}`,
    kind: 'lab' as const,
    group: 'labs' as const,
    title: bundled.lab.name,
    summary: bundled.lab.title,
    harts: bundled.lab.board.harts,
    lab: bundled,
    tutorial: bundled.lab.tutorial,
  })).sort((a, b) => labOrder(a.title) - labOrder(b.title) || a.title.localeCompare(b.title));
}

/** The first lab a newcomer should open comes first. */
function labOrder(name: string): number {
  return name === 'tiny-demo' ? 0 : 1;
}

export const CATALOG: readonly CatalogEntry[] = [...labEntries(), ...imageEntries()];

export function entriesOf(group: CatalogGroup): CatalogEntry[] {
  return CATALOG.filter((e) => e.group === group);
}
