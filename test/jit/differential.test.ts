/**
 * The differential guard of the block translator: the same programs on a board with the translator
 * (translating every page on its first entry) and on one without, in deterministic mode, must agree on
 * every register, pc and instruction count after every run slice (slices of random lengths, so budgets
 * end inside translated blocks), on memory, and on console output.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Assembler, Reg } from '../../core/cpu/assembler.ts';
import { parseLab } from '../../core/lab/lab-file.ts';
import { prepareLab } from '../../core/lab/prepare.ts';
import { Machine, type RunOutcome } from '../../core/machine/machine.ts';
import { installHypervisor } from '../../core/worker/firmware.ts';
import { Random } from '../support/hart-harness.ts';
import { randomProgram } from './random-program.ts';

const root = resolve(import.meta.dirname, '../..');
interface ManifestEntry { name: string; elf: string; harts: number }
const manifest: ManifestEntry[] = JSON.parse(readFileSync(resolve(root, 'guests/conformance/manifest.json'), 'utf8'));

function board(jit: boolean, harts: number, ramSize = 64 << 20): Machine {
  return new Machine({ harts, deterministic: true, ramSize, jit, jitThreshold: 1 });
}

/** Everything the guest can observe or leave behind, as one comparable value. */
function state(m: Machine, outcome: RunOutcome): string {
  const harts = m.harts.map((h) => {
    const regs = Array.from({ length: 32 }, (_, k) => `${(h.xhi[k]! >>> 0).toString(16)}:${(h.xlo[k]! >>> 0).toString(16)}`);
    return `hart ${h.id} pc ${h.pc.toString(16)} state ${h.state} priv ${h.priv} retired ${h.retired()} traps ${h.traps} ${regs.join(' ')}`;
  });
  return `executed ${m.executed} outcome ${JSON.stringify(outcome)}\n${harts.join('\n')}`;
}

/** Runs both boards in the same slices, comparing after each; then output and RAM. */
function runSideBySide(a: Machine, b: Machine, slices: Random, limit: number): void {
  for (let total = 0; total < limit;) {
    const budget = 1 + slices.below(5000);
    const oa = a.run(budget), ob = b.run(budget);
    expect(state(b, ob)).toBe(state(a, oa));
    total += budget;
    if (oa.kind === 'finished' || oa.kind === 'fault') break;
  }
  const out = (m: Machine) => Buffer.from(m.output.get('uart0')!.drain()).toString('latin1');
  expect(out(b)).toBe(out(a));
  const ram = (m: Machine) => Buffer.from(m.ram.u8.buffer, m.ram.u8.byteOffset, m.ram.u8.byteLength);
  expect(Buffer.compare(ram(b), ram(a)), 'RAM contents').toBe(0);
}

/** A raw image booted on a one-hart board of each kind, run side by side; the interpreter's and the translator's. */
function bootSideBySide(bytes: Uint8Array, loadAddress: number, slices: Random, limit: number): { a: Machine; b: Machine } {
  const a = board(false, 1, 16 << 20), b = board(true, 1, 16 << 20);
  for (const m of [a, b]) m.boot({ bytes, loadAddress });
  runSideBySide(a, b, slices, limit);
  return { a, b };
}

describe('translator vs interpreter: seeded random programs', () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(`program ${seed}${seed % 3 === 0 ? ' (patches its own loop)' : ''}`, () => {
      const program = randomProgram(new Random(seed), seed % 3 === 0);
      const { a, b } = bootSideBySide(program.image, program.loadAddress, new Random(seed * 7919), 3_000_000);
      expect(a.executed, 'the program ran to its end').toBeGreaterThan(1000);
      expect(b.translator!.stats.disabled).toBeUndefined();
      expect(b.translator!.stats.pages, 'pages translated').toBeGreaterThan(0);
    });
  }
});

describe('translator vs interpreter: stores on a page with code', () => {
  // One page: a loop that stores and AMOs into data after its code every iteration (inline: the stores
  // miss the page's decoded extent), and in its 1401st iteration patches its own increment from 1 to 3 (a store
  // into the extent: the translation is dropped and rebuilt from the new instruction).
  const origin = 0x8020_0000, { a0, a1, t0, t1, t2, t3, t4, s0 } = Reg;
  const asm = new Assembler(origin);
  asm.la(s0, 'data').la(t4, 'increment').li(t0, 2000).li(a0, 0).li(t3, 600);
  asm.load('lw', t2, t4, 0).label('loop');
  asm.label('increment').i('addi', a0, a0, 1);
  asm.store('sd', a0, s0, 0).amo('amoadd', 'w', a1, s0, t0).store('sw', t0, s0, 16);
  asm.r('sub', t1, t0, t3).branch('bne', t1, Reg.zero, 'next');
  asm.li(t1, 2 << 20).r('add', t2, t2, t1).store('sw', t2, t4, 0); // imm 1 -> 3
  asm.label('next').i('addi', t0, t0, -1).branch('bne', t0, Reg.zero, 'loop');
  asm.li(t1, 0x10_0000).li(t2, 0x5555).store('sw', t2, t1, 0); // test finisher: pass
  asm.label('spin').jal(Reg.zero, 'spin');
  asm.padTo(0xc00).label('data').word(0).word(0).word(0).word(0).word(0).word(0);

  it('agree, and the data stores stay in translated code', () => {
    const { a, b } = bootSideBySide(asm.bytes(), origin, new Random(17), 1_000_000);
    expect(a.harts[0]!.xlo[Reg.a0], '1401 increments of 1, then 599 of 3').toBe(1401 + 599 * 3);
    // 2000 iterations, 3 data stores each: handing them to the interpreter would be 6000 steps
    expect(b.translator!.stats.steps).toBeLessThan(100);
  });
});

describe('translator vs interpreter: LR/SC pairs', () => {
  // A loop of LR/SC increments at both widths (translated code does each pair itself), with every 64th
  // iteration a compare-and-swap that fails before its SC (the reservation stays: the next pair must go
  // to the interpreter) and every 128th a lone SC on another granule (it fails and ends the reservation).
  const origin = 0x8020_0000, { zero, a0, s0, s1, t0, t1, t2, t3, t4, t5 } = Reg;
  const program = (dataAt: number) => {
    const asm = new Assembler(origin);
    asm.la(s0, 'data').i('addi', s1, s0, 8).li(t0, 3000).li(a0, 0);
    asm.label('loop');
    asm.label('lrw').amo('lr', 'w', t1, s0, zero).i('addiw', t1, t1, 1).amo('sc', 'w', t2, s0, t1).branch('bne', t2, zero, 'lrw');
    asm.label('lrd').amo('lr', 'd', t3, s1, zero, true).i('addi', t3, t3, 5).amo('sc', 'd', t2, s1, t3, false, true).branch('bne', t2, zero, 'lrd');
    asm.i('andi', t5, t0, 63).branch('bne', t5, zero, 'lone');
    asm.amo('lr', 'w', t1, s0, zero).branch('bne', t1, zero, 'lone').amo('sc', 'w', t2, s0, zero);
    asm.label('lone').i('andi', t5, t0, 127).branch('bne', t5, zero, 'next');
    asm.amo('sc', 'w', t4, s1, t1).r('add', a0, a0, t4);
    asm.label('next').i('addi', t0, t0, -1).branch('bne', t0, zero, 'loop');
    asm.li(t5, 0x10_0000).li(t4, 0x5555).store('sw', t4, t5, 0); // test finisher: pass
    asm.label('spin').jal(zero, 'spin');
    asm.padTo(dataAt).label('data').word(0).word(0).word(0).word(0);
    return asm.bytes();
  };

  for (const [where, dataAt] of [['on a page without code', 0x1000], ['beside the code on its page', 0xc00]] as const) {
    it(`agree, and the pairs stay in translated code (data ${where})`, () => {
      const { a, b } = bootSideBySide(program(dataAt), origin, new Random(23), 1_000_000);
      expect(a.harts[0]!.xlo[t1], 'the word: 3000 increments').toBe(3000);
      expect(a.harts[0]!.xlo[t3], 'the doubleword: 3000 increments of 5').toBe(15000);
      expect(a.harts[0]!.xlo[a0], 'every lone SC failed').toBe(3000 >> 7);
      // 3000 iterations, two pairs each: handed to the interpreter they would be 12000 steps
      expect(b.translator!.stats.steps).toBeLessThan(1000);
    });
  }
});

describe('translator vs interpreter: calls between pages', () => {
  // A loop on the first page calls a function on the third 3000 times; it does an SBI call (an ecall
  // handed to the interpreter) and returns.
  const origin = 0x8020_0000, { a0, a6, a7, ra, s0, s1, t0 } = Reg;
  const asm = new Assembler(origin);
  asm.li(s0, 3000).li(s1, 0).label('loop').jal(ra, 'callee').r('add', s1, s1, a0);
  asm.i('addi', s0, s0, -1).branch('bne', s0, Reg.zero, 'loop');
  asm.li(t0, 0x10_0000).li(a0, 0x5555).store('sw', a0, t0, 0).label('spin').jal(Reg.zero, 'spin');
  asm.padTo(0x2000).label('callee').li(a7, 0x10).li(a6, 0).ecall().jalr(Reg.zero, ra, 0); // sbi_get_spec_version

  it('agree, and the calls and returns stay in translated code', () => {
    const { a, b } = bootSideBySide(asm.bytes(), origin, new Random(5), 1_000_000);
    expect(a.harts[0]!.xlo[s1], 'the sum of 3000 error codes').toBe(0);
    expect(a.executed).toBeGreaterThan(3000 * 8);
    // every call and return crosses pages: through the run loop that would be 6000 entries
    expect(b.translator!.stats.runs).toBeLessThan(600);
  });
});

describe('translator vs interpreter: a loop through new pages', () => {
  // Stores a word to each of 512 pages, then loads them back: every first touch of a page misses the
  // TLB. The probe refills it from inside translated code; the interpreter would take 1024 steps.
  const origin = 0x8020_0000, { a0, a1, s0, s1, t0, t1 } = Reg;
  const asm = new Assembler(origin);
  asm.auipc(s0, 0x100).li(s1, 512).li(t0, 0).label('store'); // s0: 1 MiB past the code
  asm.r('add', t1, s0, t0).store('sd', s1, t1, 8).li(a1, 4096).r('add', t0, t0, a1);
  asm.i('addi', s1, s1, -1).branch('bne', s1, Reg.zero, 'store');
  asm.li(s1, 512).li(t0, 0).li(a0, 0).label('load');
  asm.r('add', t1, s0, t0).load('ld', a1, t1, 8).r('add', a0, a0, a1).li(a1, 4096).r('add', t0, t0, a1);
  asm.i('addi', s1, s1, -1).branch('bne', s1, Reg.zero, 'load');
  asm.li(t0, 0x10_0000).li(a1, 0x5555).store('sw', a1, t0, 0).label('spin').jal(Reg.zero, 'spin');

  it('agree, and the TLB misses stay in translated code', () => {
    const { a, b } = bootSideBySide(asm.bytes(), origin, new Random(11), 1_000_000);
    expect(a.harts[0]!.xlo[a0], 'the sum of 512..1').toBe(512 * 513 / 2);
    expect(b.translator!.stats.steps).toBeLessThan(100);
  });
});

describe('translator vs interpreter: CSR accesses', () => {
  // A loop over the S-mode CSRs translated code accesses itself, with the cases it leaves to the
  // interpreter: a reserved stvec mode (ignored), an odd sepc, sstatus.SIE and SUM changes, a sie write,
  // and instret reads (exact counts).
  const origin = 0x8020_0000, { a0, a1, a2, s0, s1, t0, t1 } = Reg;
  const SSCRATCH = 0x140, SEPC = 0x141, STVAL = 0x143, STVEC = 0x105, SSTATUS = 0x100, SIE = 0x104, SCOUNTEREN = 0x106,
    SENVCFG = 0x10a, INSTRET = 0xc02;
  const asm = new Assembler(origin);
  asm.li(s0, 1000).li(s1, 0).label('loop');
  asm.csr('csrrw', a0, SSCRATCH, s0).r('add', s1, s1, a0);
  asm.li(t1, 1 << 5).csr('csrrs', Reg.zero, SSTATUS, t1).csr('csrrs', a1, SSTATUS, Reg.zero).r('xor', s1, s1, a1); // SPIE
  asm.csr('csrrc', Reg.zero, SSTATUS, t1);
  asm.li(t0, 0x8020_1002).csr('csrrw', Reg.zero, STVEC, t0).csr('csrrs', a2, STVEC, Reg.zero).r('add', s1, s1, a2);
  asm.li(t0, 0x8020_1001).csr('csrrw', Reg.zero, STVEC, t0);
  asm.csr('csrrw', Reg.zero, SEPC, s0).csr('csrrs', a2, SEPC, Reg.zero).r('add', s1, s1, a2);
  asm.csr('csrrw', Reg.zero, STVAL, s1).csr('csrrc', a2, STVAL, s0).r('add', s1, s1, a2);
  asm.csr('csrrsi', Reg.zero, SSTATUS, 1 << 1).csr('csrrci', Reg.zero, SSTATUS, 1 << 1); // SIE: the interpreter
  asm.li(t1, 1 << 18).csr('csrrs', Reg.zero, SSTATUS, t1).csr('csrrc', Reg.zero, SSTATUS, t1); // SUM: a TLB flush
  asm.li(t1, 2).csr('csrrw', Reg.zero, SIE, t1).csr('csrrs', a2, SIE, Reg.zero).r('add', s1, s1, a2); // SSIE
  asm.csr('csrrw', a2, SCOUNTEREN, s0).r('add', s1, s1, a2).csr('csrrwi', a2, SENVCFG, 3).r('add', s1, s1, a2);
  asm.csr('csrrs', a2, INSTRET, Reg.zero).r('add', s1, s1, a2);
  asm.i('addi', s0, s0, -1).branch('bne', s0, Reg.zero, 'loop');
  asm.li(t0, 0x10_0000).li(a0, 0x5555).store('sw', a0, t0, 0).label('spin').jal(Reg.zero, 'spin');

  it('agree, and the plain ones stay in translated code', () => {
    const { a, b } = bootSideBySide(asm.bytes(), origin, new Random(11), 1_000_000);
    expect(a.executed).toBeGreaterThan(1000 * 30);
    // 6 accesses per iteration need the interpreter (SIE twice, SUM twice, sie, instret); 20 do not
    expect(b.translator!.stats.steps).toBeLessThan(1000 * 7);
  });
});

describe('translator vs interpreter: the conformance programs', () => {
  for (const entry of manifest) {
    it(`${entry.name} (${entry.harts} hart${entry.harts > 1 ? 's' : ''})`, () => {
      const elf = new Uint8Array(readFileSync(resolve(root, entry.elf)));
      const a = board(false, entry.harts), b = board(true, entry.harts);
      for (const m of [a, b]) m.boot({ bytes: elf });
      runSideBySide(a, b, new Random(entry.name.length * 104729), 400_000_000);
      expect(b.translator!.stats.disabled).toBeUndefined();
      expect(b.translator!.stats.pages).toBeGreaterThan(0);
    });
  }
});

describe('translator vs interpreter: a lab under the hypervisor', () => {
  it('tiny-demo: root OS, enable, a cell started and destroyed, disable: the same bytes on every console at the same counts', async () => {
    const file = resolve(root, 'assets/labs/tiny-demo.yaml');
    const lab = parseLab(readFileSync(file, 'utf8'), file);
    const prepared = await prepareLab(lab, file, async (p) => new Uint8Array(readFileSync(p)));
    const boards = [false, true].map((jit) => {
      const m = new Machine({ harts: lab.board.harts, ramSize: lab.board.ramSize, deterministic: true, jit });
      installHypervisor(m);
      m.boot({ bytes: prepared.rootImage, initrd: prepared.initrd, bootargs: lab.root.bootargs });
      return m;
    });
    const transcript = (m: Machine) => [...m.output.entries()].map(([name, b]) => `${name}: ${Buffer.from(b.drain()).toString('latin1')}`).join('\n');
    const lines = ['', 'jailhouse enable /etc/jailhouse/sysconfig.cell', 'jailhouse cell create /etc/jailhouse/tiny-demo.cell',
      'jailhouse cell load tiny-demo /usr/libexec/jailhouse/demos/tiny-demo.bin', 'jailhouse cell start tiny-demo',
      'jailhouse cell list', 'jailhouse cell destroy tiny-demo', 'jailhouse disable'];
    let all = '';
    for (const line of lines) {
      if (line) for (const m of boards) m.input(0, new TextEncoder().encode(line + '\r'));
      for (let k = 0; k < 30; k++) { // 30 M instructions per command, in slices of 1 M
        const [a, b] = boards.map((m) => m.run(1_000_000));
        expect(state(boards[1]!, b!)).toBe(state(boards[0]!, a!));
        const [ta, tb] = boards.map(transcript);
        expect(tb).toBe(ta);
        all += ta;
      }
    }
    expect(all, 'the commands ran').toMatch(/Started cell "tiny-demo"|tiny-demo.*running/);
    expect(boards[1]!.translator!.stats.pages).toBeGreaterThan(0);
  }, 600_000);
});
