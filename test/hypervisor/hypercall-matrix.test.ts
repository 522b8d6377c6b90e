/**
 * Every hypercall x caller (root cell / non-root cell) x target state, with the ABI's return codes.
 * The board is brought into shape by the real guests (root OS + inmates); the calls themselves are made
 * from TypeScript on a hart's registers, exactly as an ecall would make them.
 */
import { describe, expect, it } from 'vitest';
import { setReg, type Hart } from '../../core/cpu/hart.ts';
import { Hypercall } from '../../core/hypervisor/abi.ts';
import { bootLab, compileConfig, FILES_BASE, inmateImage, type HvLab } from './lab.ts';

const EPERM = -1, ENOENT = -2, E2BIG = -7, ENOMEM = -12, EBUSY = -16, EEXIST = -17, EINVAL = -22, ENOSYS = -38;
const image = inmateImage();

/**
 * Cells: 0 root (CPU 0), 1 "inmate-a" shut down (CPU 2), 2 "inmate-b" running (CPU 3), 3 "inmate-c"
 * failed (CPU 1); id 9 does not exist.
 */
function matrixLab(extraFiles: Record<string, Uint8Array> = {}): HvLab {
  const lab = bootLab([
    'enable sys', 'create a', 'create b', 'create c',
    'load 2 b inmate 0', 'loadstr 2 b 0x100 "done"', 'start 2',
    'load 3 c inmate 0', 'loadstr 3 c 0x100 "w32 0x80000000 0"', 'start 3',
    'wait 30000', 'wait 1000000000',
  ], {
    sys: compileConfig('lab-system.yaml'), a: compileConfig('inmate-a.yaml'), b: compileConfig('inmate-b.yaml'),
    c: compileConfig('inmate-c.yaml'), inmate: image, ...extraFiles,
  });
  lab.runUntil(() => lab.results().at(-1)?.command === 'wait 30000', 20_000_000);
  expect(lab.results().map((r) => r.value).slice(0, 4)).toEqual([0, 1, 2, 3]);
  expect([1, 2, 3].map((id) => lab.hv.cells.get(id)!.state)).toEqual([2, 0, 3]);
  return lab;
}

/** Issues hypercall `code` on hart `hartId` as an ecall would, waits for a reply if it must, returns a0. */
function call(lab: HvLab, hartId: number, code: number, arg0: number | bigint = 0, arg1: number | bigint = 0): number {
  const hart: Hart = lab.machine.harts[hartId]!;
  const savedLo = hart.xlo.slice(), savedHi = hart.xhi.slice();
  setReg(hart, 17, 0x4a48_4f55);
  setReg(hart, 16, code);
  hart.xlo[10] = Number(BigInt.asIntN(32, BigInt(arg0))); hart.xhi[10] = Number(BigInt.asIntN(32, BigInt(arg0) >> 32n));
  hart.xlo[11] = Number(BigInt.asIntN(32, BigInt(arg1))); hart.xhi[11] = Number(BigInt.asIntN(32, BigInt(arg1) >> 32n));
  hart.exits.ecall(hart);
  lab.runUntil(() => hart.state !== 2, 20_000_000); // a management call waiting for a cell's reply
  const result = hart.xlo[10]!;
  hart.xlo.set(savedLo); hart.xhi.set(savedHi);
  return result;
}

const ROOT = 0, NONROOT = 3; // hart 3 runs cell "inmate-b"
type Target = 'missing' | 'root' | 'shut down' | 'running' | 'failed';
const ID: Record<Target, number> = { missing: 9, root: 0, 'shut down': 1, running: 2, failed: 3 };
const TARGETS = Object.keys(ID) as Target[];

describe('hypercall matrix', () => {
  const lifecycle: Array<[string, number, Record<Target, number>]> = [
    ['CELL_START', Hypercall.CellStart, { missing: ENOENT, root: EINVAL, 'shut down': 0, running: 0, failed: 0 }],
    ['CELL_SET_LOADABLE', Hypercall.CellSetLoadable, { missing: ENOENT, root: EINVAL, 'shut down': 0, running: 0, failed: 0 }],
    ['CELL_DESTROY', Hypercall.CellDestroy, { missing: ENOENT, root: EINVAL, 'shut down': 0, running: 0, failed: 0 }],
    ['CELL_GET_STATE', Hypercall.CellGetState, { missing: ENOENT, root: 0, 'shut down': 2, running: 0, failed: 3 }],
  ];
  for (const [name, code, expected] of lifecycle) {
    for (const target of TARGETS) {
      it(`${name} on a ${target} cell: root ${expected[target]}, non-root -EPERM`, () => {
        const lab = matrixLab();
        expect(call(lab, NONROOT, code, ID[target]), 'non-root caller').toBe(EPERM);
        expect(call(lab, ROOT, code, ID[target]), 'root caller').toBe(expected[target]);
        if (expected[target] === 0 && code !== Hypercall.CellGetState) {
          const cell = lab.hv.cells.get(ID[target]);
          if (code === Hypercall.CellDestroy) expect(cell).toBeUndefined();
          else expect(cell!.state).toBe(code === Hypercall.CellStart ? 0 : 2);
        }
      });
    }
  }

  it('DISABLE: non-root -EPERM, root -EBUSY while cells exist', () => {
    const lab = matrixLab();
    expect(call(lab, NONROOT, Hypercall.Disable)).toBe(EPERM);
    expect(call(lab, ROOT, Hypercall.Disable)).toBe(EBUSY);
    expect(lab.hv.enabled).toBe(true);
  });

  it('CELL_CREATE: non-root -EPERM; root: id, -EEXIST, -EINVAL, -E2BIG, -ENOMEM, -EBUSY', () => {
    const big = new Uint8Array(compileConfig('inmate-c.yaml', (c) => { c.name = 'big'; }).subarray(0, 132));
    new DataView(big.buffer).setUint32(52, 3000, true); // 3000 memory regions: more than 16 pages
    const bad = compileConfig('inmate-c.yaml');
    bad[6] = 13; // revision
    const hvRegion = compileConfig('inmate-c.yaml', (c) => { c.name = 'hv'; c.memory_regions[0].phys_start = 0x8f800000n; });
    const cpuTaken = compileConfig('inmate-c.yaml', (c) => { c.name = 'taken'; c.cpus = [3n]; });
    const d = compileConfig('inmate-c.yaml', (c) => { c.name = 'inmate-d'; });
    const lab = matrixLab({ big, bad, hvRegion, cpuTaken, d });
    const at = (name: string) => fileAddress(lab, name);
    expect(call(lab, NONROOT, Hypercall.CellCreate, at('d'))).toBe(EPERM);
    expect(call(lab, ROOT, Hypercall.CellCreate, at('a')), 'same name as cell 1').toBe(EEXIST);
    expect(call(lab, ROOT, Hypercall.CellCreate, at('bad'))).toBe(EINVAL);
    expect(call(lab, ROOT, Hypercall.CellCreate, at('big'))).toBe(E2BIG);
    expect(call(lab, ROOT, Hypercall.CellCreate, 0x8f80_0000), 'config address not readable by the root cell').toBe(ENOMEM);
    expect(call(lab, ROOT, Hypercall.CellCreate, at('hvRegion')), 'region overlapping hypervisor memory').toBe(EINVAL);
    expect(call(lab, ROOT, Hypercall.CellCreate, at('cpuTaken')), 'CPU of another cell').toBe(EBUSY);
    expect(call(lab, ROOT, Hypercall.CellCreate, at('d')), 'CPU 1 belongs to cell c').toBe(EBUSY);
    expect(call(lab, ROOT, Hypercall.CellDestroy, 3)).toBe(0);
    expect(call(lab, ROOT, Hypercall.CellCreate, at('d')), 'the lowest free id').toBe(3);
  });

  it('HYPERVISOR_GET_INFO: the same real numbers for every caller, -EINVAL for unknown types', () => {
    const lab = matrixLab();
    for (const hart of [ROOT, NONROOT]) {
      expect(call(lab, hart, Hypercall.HypervisorGetInfo, 0)).toBe(6 * 256); // 6 MiB of 4 KiB pages
      expect(call(lab, hart, Hypercall.HypervisorGetInfo, 1)).toBe(lab.hv.memPool.usedPages);
      expect(call(lab, hart, Hypercall.HypervisorGetInfo, 2)).toBe(4 * 4096 * 8);
      expect(call(lab, hart, Hypercall.HypervisorGetInfo, 3)).toBe(1536); // the PLIC mapping
      expect(call(lab, hart, Hypercall.HypervisorGetInfo, 4)).toBe(4);
      expect(call(lab, hart, Hypercall.HypervisorGetInfo, 5)).toBe(EINVAL);
    }
  });

  it('CPU_GET_INFO: root may ask about every CPU, a non-root cell only about its own', () => {
    const lab = matrixLab();
    expect([0, 1, 2, 3].map((cpu) => call(lab, ROOT, Hypercall.CpuGetInfo, cpu, 0))).toEqual([0, 2, 0, 0]);
    expect(call(lab, ROOT, Hypercall.CpuGetInfo, 4, 0), 'no such CPU').toBe(EINVAL);
    expect(call(lab, ROOT, Hypercall.CpuGetInfo, 0, 999), 'unknown type').toBe(EINVAL);
    expect(call(lab, ROOT, Hypercall.CpuGetInfo, 0, 1011), 'past the last counter').toBe(EINVAL);
    expect(call(lab, ROOT, Hypercall.CpuGetInfo, 3, 1000)).toBeGreaterThan(0);
    expect(call(lab, NONROOT, Hypercall.CpuGetInfo, 3, 0)).toBe(0);
    expect(call(lab, NONROOT, Hypercall.CpuGetInfo, 3, 1003)).toBeGreaterThan(0);
    expect(call(lab, NONROOT, Hypercall.CpuGetInfo, 0, 0)).toBe(EPERM);
    expect(call(lab, NONROOT, Hypercall.CpuGetInfo, 2, 1000)).toBe(EPERM);
    expect(call(lab, NONROOT, Hypercall.CpuGetInfo, 7, 0)).toBe(EINVAL);
  });

  it('DEBUG_CONSOLE_PUTC: root always, a non-root cell with VIRTUAL_CONSOLE_PERMITTED', () => {
    const lab = matrixLab();
    expect(call(lab, ROOT, Hypercall.DebugConsolePutc, 0x52)).toBe(0);
    expect(call(lab, NONROOT, Hypercall.DebugConsolePutc, 0x42)).toBe(0);
    expect(lab.out('cell:lab-root')).toBe('R');
    expect(lab.out('cell:inmate-b')).toBe('done\nB');
  });

  it('an unknown hypercall code is -ENOSYS for everyone', () => {
    const lab = matrixLab();
    expect(call(lab, ROOT, 9)).toBe(ENOSYS);
    expect(call(lab, NONROOT, 0x1234)).toBe(ENOSYS);
  });

  it('the snapshot for the UI lists cells, CPUs and counters', () => {
    const lab = matrixLab();
    const snap = lab.hv.snapshot();
    expect(snap.cells.map((c) => [c.id, c.name, c.state, c.cpus, c.failedCpus])).toEqual([
      [0, 'lab-root', 0, [0], []], [1, 'inmate-a', 2, [2], []], [2, 'inmate-b', 0, [3], []], [3, 'inmate-c', 3, [1], [1]],
    ]);
    expect(snap.cpus[3]!.cell).toBe(2);
    expect(snap.cpus[3]!.stats[0]).toBeGreaterThan(0);
    expect(snap.memPool.used).toBe(lab.hv.memPool.usedPages);
  });

  it('statistics are reset when a CPU changes cell', () => {
    const lab = matrixLab();
    expect(call(lab, ROOT, Hypercall.CpuGetInfo, 3, 1003)).toBeGreaterThan(0);
    expect(call(lab, ROOT, Hypercall.CellDestroy, 2)).toBe(0);
    expect(call(lab, ROOT, Hypercall.CpuGetInfo, 3, 1000)).toBe(0);
  });
});

function fileAddress(lab: HvLab, name: string): number {
  const ram = lab.machine.ram;
  const view = new DataView(ram.u8.buffer, ram.u8.byteOffset + FILES_BASE - ram.base);
  const count = Number(view.getBigUint64(8, true));
  for (let i = 0; i < count; i++) {
    const raw = ram.u8.subarray(FILES_BASE - ram.base + 16 + i * 64, FILES_BASE - ram.base + 16 + i * 64 + 48);
    const n = new TextDecoder().decode(raw.subarray(0, raw.indexOf(0)));
    if (n === name) return Number(view.getBigUint64(16 + i * 64 + 48, true));
  }
  throw new Error(`no file ${name}`);
}
