/**
 * Hostile inmates (guests/hypervisor/inmate.c with a command line): every attack is contained exactly as
 * Jailhouse contains it. The attacker is cell "inmate-a" on CPU 2; cell "inmate-b" on CPU 3 is a running
 * victim that must keep printing; the root cell's and the hypervisor's memory must stay byte-identical.
 */
import { describe, expect, it } from 'vitest';
import { bootLab, compileConfig, inmateImage, runScript, type HvLab } from './lab.ts';

const image = inmateImage();
const sys = compileConfig('lab-system.yaml');

interface Attack {
  lab: HvLab;
  r: Map<string, number>;
  hv: string;
  a: string;
  b: string;
}

/** Runs cell b (victim, prints twice) and cell a with `cmdline`, then lets everything run on. */
function attack(cmdline: string, opts: { trace?: boolean; aConfig?: Uint8Array; after?: string[] } = {}): Attack {
  const lab = bootLab([
    'enable sys', 'create a', 'create b',
    'load 2 b inmate 0', 'loadstr 2 b 0x100 "hello wait 0x10000 hello done"', 'start 2',
    'load 1 a inmate 0', `loadstr 1 a 0x100 "${cmdline}"`, 'start 1',
    'wait 150000', 'state 1', 'state 2', 'cpuinfo 2 0', 'cpuinfo 3 0', ...(opts.after ?? []), 'end',
  ], { sys, a: opts.aConfig ?? compileConfig('inmate-a.yaml'), b: compileConfig('inmate-b.yaml'), inmate: image }, { trace: opts.trace ?? false });
  const r = runScript(lab);
  expect(r.get('start 1'), lab.out('uart0')).toBe(0);
  return { lab, r, hv: lab.out('hypervisor'), a: lab.out('cell:inmate-a'), b: lab.out('cell:inmate-b') };
}

const hex16 = (v: number) => '0x' + BigInt.asUintN(64, BigInt(v)).toString(16).padStart(16, '0');

/** The cell parked with Jailhouse's report; every victim intact. */
function expectContained(x: Attack, report: { write: boolean; address: number; size: number } | { fetch: number } | { stuck: string }): void {
  const { lab, r, hv } = x;
  if ('stuck' in report) {
    expect(hv).toMatch(/FATAL: hart 2 is stuck: every trap faults again at its handler 0x[0-9a-f]+ \(scause 2: illegal instruction, stval 0x0\)\n/);
    expect(hv).toContain(`Fatal: Exception on CPU 2 (HART 2). Cause: ${report.stuck}\n`);
  } else if ('fetch' in report) {
    expect(hv).not.toContain('FATAL: Invalid MMIO');
    expect(hv).toContain('Fatal: Exception on CPU 2 (HART 2). Cause: 20 (Inst Guest Pagefault)\n');
    expect(hv).toContain(`htval<<2: ${hex16(report.fetch)}`);
  } else {
    expect(hv).toContain(`FATAL: Invalid MMIO ${report.write ? 'write' : 'read'}, address: ${hex16(report.address)}, size: ${report.size}\n` +
      `Fatal: Exception on CPU 2 (HART 2). Cause: ${report.write ? '23 (Store Guest Pagefault)' : '21 (Load Guest Pagefault)'}\n`);
  }
  expect(hv).toMatch(/\n PC: 0x[0-9a-f]{16} RA: 0x[0-9a-f]{16}  SP: 0x[0-9a-f]{16}\n/);
  expect(hv).toMatch(/\nS11: 0x[0-9a-f]{16} T3: 0x[0-9a-f]{16}  T4: 0x[0-9a-f]{16}\n T5: 0x[0-9a-f]{16} T6: 0x[0-9a-f]{16}\n/);
  expect(hv).toContain('Parking CPU 2 (Cell: "inmate-a")\n');
  expect(r.get('state 1'), 'attacker failed').toBe(3);
  expect(r.get('cpuinfo 2 0'), 'attacker CPU failed').toBe(2);
  expect(r.get('state 2'), 'victim cell still running').toBe(0);
  expect(r.get('cpuinfo 3 0')).toBe(0);
  expect(x.b.match(/hello from CPU 3\n/g), 'victim cell kept running').toHaveLength(2);
  expect(lab.results().at(-1)?.command, 'root cell kept running').toBe('cpuinfo 3 0');
  // victims' memory: root RAM below the kernel, cell b's image, the hypervisor's copy of the config
  expect(lab.peek(0x8000_0000, 0x1000).every((b) => b === 0)).toBe(true);
  expect(lab.peek(0x8f50_0000, 0x100)).toEqual(image.slice(0, 0x100));
  expect(lab.peek(0x8f80_0000, sys.length)).toEqual(sys);
}

describe('hostile inmates', () => {
  it('writing into root memory: parked, reported, nothing changed', () => {
    const x = attack('hello w32 0x80000000 0xdeadbeef hello');
    expectContained(x, { write: true, address: 0x8000_0000, size: 4 });
    expect(x.a).toBe('hello from CPU 2\nw32: writing\n');
  });

  it('writing into another cell', () => {
    expectContained(attack('w32 0x8f500000 0xdeadbeef'), { write: true, address: 0x8f50_0000, size: 4 });
  });

  it('writing into hypervisor memory', () => {
    expectContained(attack('w8 0x8f800000 0x55'), { write: true, address: 0x8f80_0000, size: 1 });
  });

  it('reading a device it does not own (UART0)', () => {
    expectContained(attack('r8 0x10000005'), { write: false, address: 0x1000_0005, size: 1 });
  });

  it('writing a read-only region of its own (reading it is fine)', () => {
    const x = attack('r32 0x200000 w32 0x200000 1');
    expectContained(x, { write: true, address: 0x20_0000, size: 4 });
    expect(x.a).toContain('r32: 0x0\n');
  });

  it('an IO access wider than the region allows (io-8 UART)', () => {
    const x = attack('w8 0x10102007 0x5a r8 0x10102007 w32 0x10102000 0');
    expectContained(x, { write: true, address: 0x1010_2000, size: 4 });
    expect(x.a).toContain('w8: done\nr8: 0x5a\n');
  });

  it('executing outside its memory', () => {
    expectContained(attack('x 0x80200000'), { fetch: 0x8020_0000 });
  });

  it('executing from a region without EXECUTE', () => {
    expectContained(attack('x 0x200000'), { fetch: 0x20_0000 });
  });

  it('an IPI or HSM call naming a foreign hart fails with INVALID_PARAM and is traced', () => {
    const x = attack('ipi 0 ipi 3 ipi 2 hstart 3 hstatus 0 hstatus 2', { trace: true });
    expect(x.a).toContain('ipi: -3\nipi: -3\nipi: 0\nhstart: -3\nhstatus: -3 0\nhstatus: 0 0\ndone\n');
    expect(x.r.get('state 1')).toBe(0);
    expect(x.hv).not.toContain('Parking');
    const trace = x.lab.machine.trace!.drain().map((t) => t.detail);
    expect(trace.some((d) => d.includes('[inmate-a] SBI call names hart 0, which is not in cell "inmate-a": refused'))).toBe(true);
    expect(trace.some((d) => d.includes('names hart 3'))).toBe(true);
  });

  it('enabling a foreign PLIC source or setting its priority has no effect', () => {
    const x = attack('plic-enable 0xa plic-enable 0xe plic-prio 0xa 7 plic-prio 0xe 3') // hex: sources 10 and 14;
    expect(x.a).toContain('plic-enable: 0x0\nplic-enable: 0x4000\nplic-prio: 0\nplic-prio: 3\ndone\n');
    const plic = x.lab.machine.plic;
    expect(plic.read(0x2000 + 0x80 * 5, 4), 'hart 2 S-context enables only its own source 14').toBe(1 << 14);
    expect(plic.read(4 * 10, 4), 'priority of the root cell\'s UART0 untouched').toBe(0);
    expect(x.r.get('state 1')).toBe(0);
  });

  it('a cell takes the interrupts of its own sources (VIRQ counted), the root cell never sees them', () => {
    const x = attack('uart-irq', { after: ['cpuinfo 2 1010', 'cpuinfo 0 1010'] });
    expect(x.a).toContain('irq 14\nuart-irq: 1\ndone\n');
    expect(x.r.get('cpuinfo 2 1010'), 'VIRQ on the inmate CPU').toBe(1);
    expect(x.r.get('cpuinfo 0 1010'), 'no VIRQ on the root CPU').toBe(0);
  });

  it('touching another hart\'s PLIC context is a violation', () => {
    // context 1 is hart 0's (root): its threshold register
    expectContained(attack('w32 0xc201000 0'), { write: true, address: 0xc20_1000, size: 4 });
  });

  it('management hypercalls fail with -EPERM; information about itself is allowed', () => {
    const x = attack('hc 1 0x88010000 0 hc 0 0 0 hc 2 2 0 hc 3 2 0 hc 4 2 0 hc 6 0 0 hc 7 0 0 hc 7 2 0 hc 5 4 0 hc 8 21 0 hc 9 0 0');
    expect(x.a).toContain('hc: -1\n'.repeat(7) + 'hc: 0\nhc: 3\n!hc: 0\nhc: -38\ndone\n');
    expect(x.r.get('state 1')).toBe(0);
    expect(x.r.get('state 2')).toBe(0);
    expect(x.hv).not.toContain('Parking');
  });

  it('a cell whose trap handler is destroyed: its stuck CPU is parked, root and other cells keep running', () => {
    const x = attack('hello smash hello');
    expectContained(x, { stuck: '2 (Illegal Instruction)' });
    expect(x.a).toMatch(/^hello from CPU 2\nsmash: 0x[0-9a-f]+\n$/);
    expect(x.hv.match(/Parking CPU/g)).toHaveLength(1);
  });

  it('an AMO on another cell\'s memory', () => {
    const x = attack('amo 0x8f500000');
    expectContained(x, { write: true, address: 0x8f50_0000, size: 4 });
    expect(x.a).not.toContain('amo:');
  });

  it('an AMO on its own read-only page', () => {
    expectContained(attack('r32 0x200000 amo 0x200000'), { write: true, address: 0x20_0000, size: 4 });
  });

  it('an LR from hypervisor memory', () => {
    expectContained(attack('lr 0x8f800008'), { write: false, address: 0x8f80_0008, size: 4 });
  });

  it('an SC to root memory', () => {
    expectContained(attack('sc 0x80000000 1'), { write: true, address: 0x8000_0000, size: 4 });
  });

  it('an LR/SC pair and an AMO on its own memory work', () => {
    const x = attack('lr 0x100 sc 0x100 0x41 amo 0x100 r32 0x100');
    expect(x.a).toMatch(/^lr: 0x[0-9a-f]+\nsc: 0\namo: 0x41\nr32: 0x42\ndone\n$/);
    expect(x.hv).not.toContain('Parking');
    expect(x.r.get('state 1')).toBe(0);
  });

  it('an AMO on its own byte-only UART breaks the region\'s width rule like a plain 32-bit access', () => {
    expectContained(attack('amo 0x10102000'), { write: true, address: 0x1010_2000, size: 4 });
  });

  it('a page-crossing store from its own page into an unmapped one', () => {
    const x = attack('w32u 0x100ffe 0x11223344');
    expectContained(x, { write: true, address: 0x10_1000, size: 1 });
    expect(x.a).toBe('w32u: writing\n');
  });

  it('an address beyond any physical address (sign-extended, paging off)', () => {
    expectContained(attack('w32 0xffffffff80000000 1'), { write: true, address: -0x8000_0000, size: 4 });
  });

  it('a page-crossing load from its own page into an unmapped one', () => {
    expectContained(attack('r32 0x100ffe'), { write: false, address: 0x10_1000, size: 1 });
  });

  it('a hypercall code beyond 32 bits is unknown (-ENOSYS), not its low half', () => {
    const x = attack('hc 100000000 0 0 hc 100000008 41 0 hc 8 42 0');
    expect(x.a).toContain('hc: -38\nhc: -38\nBhc: 0\ndone\n');
    expect(x.r.get('state 1')).toBe(0);
  });

  it('IPIs to "all harts" reach the cell\'s own harts only; a legacy mask naming a foreign hart fails', () => {
    const x = attack('ipi-all ipi-legacy 0 ipi-legacy 4 ipi-legacy 1 ipi-legacy 5', { trace: true });
    expect(x.a).toContain('ipi-all: 0 self 1\nipi-legacy: 0 self 1\nipi-legacy: 0 self 1\n' +
      'ipi-legacy: -3 self 0\nipi-legacy: -3 self 0\ndone\n');
    for (const h of [0, 1, 3]) expect(x.lab.machine.harts[h]!.mip & 2, `SSIP of hart ${h}`).toBe(0);
    const refused = x.lab.machine.trace!.drain().map((t) => t.detail).filter((d) => d.includes('which is not in cell'));
    expect(refused, 'only the explicit masks are refusals').toEqual([
      '[inmate-a] SBI call names hart 0, which is not in cell "inmate-a": refused',
      '[inmate-a] SBI call names hart 0, which is not in cell "inmate-a": refused',
    ]);
  });

  it('SRST shuts the cell down, not the machine', () => {
    const x = attack('hello srst hello');
    expect(x.a).toBe('hello from CPU 2\n');
    expect(x.r.get('state 1')).toBe(2);
    expect(x.r.get('state 2')).toBe(0);
    expect(x.lab.results().at(-1)?.command).toBe('cpuinfo 3 0');
  });

  it('a cell without VIRTUAL_CONSOLE_PERMITTED has no console', () => {
    const aConfig = compileConfig('inmate-a.yaml', (c) => { c.flags = 0x8000_0000; }); // active, not permitted
    const x = attack('hello hc 8 41 0 w32 0x80000000 1', { aConfig });
    expect(x.lab.machine.output.get('cell:inmate-a')?.size ?? 0).toBe(0);
    expect(x.a).toBe('');
    expectContained(x, { write: true, address: 0x8000_0000, size: 4 }); // it still ran the whole command line
  });
});
