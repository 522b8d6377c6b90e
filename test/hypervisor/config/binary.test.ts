import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError, parseCellConfig, parseSystemConfig, sniffBinaryConfig, writeCellConfig, writeSystemConfig,
} from '../../../core/hypervisor/config/binary.js';
import {
  CELL_VIRTUAL_CONSOLE_PERMITTED, CON_TYPE_RISCV_SBI, MEM_COMM_REGION, MEM_LOADABLE, PCI_TYPE_IVSHMEM,
  SHMEM_PROTO_VETH, emptyCell, emptyPciDevice,
} from '../../../core/hypervisor/config/types.js';
import { parseConfigYaml } from '../../../core/hypervisor/config/yaml.js';
import { cInmateDemo, cQemuRiscv64 } from './c-layout.js';

const FIX = join(__dirname, '../../fixtures/configs');
const fixture = (name: string) => new Uint8Array(readFileSync(join(FIX, name)));
const text = (name: string) => readFileSync(join(FIX, name), 'utf8');

function catchError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

/** A cell with one element in every array, so truncation can be tested at each array. */
function fullCell() {
  const c = emptyCell('full');
  c.cpus = [1n];
  c.memory_regions = [{ phys_start: 0x1000n, virt_start: 0n, size: 0x1000n, flags: 3n }];
  c.cache_regions = [{ start: 0, size: 2, type: 1, padding: 0, flags: 1 }];
  c.irqchips = [{ address: 0xc000000n, id: 0, pin_base: 0, pin_bitmap: [1 << 10, 0, 0, 0] }];
  c.pio_regions = [{ base: 0x3f8, length: 8 }];
  c.pci_devices = [{ ...emptyPciDevice(), type: PCI_TYPE_IVSHMEM, bdf: 0x80, shmem_peers: 2 }];
  c.pci_caps = [{ id: 0x11, start: 0x60, len: 12, flags: 1 }];
  c.stream_ids = [7];
  return c;
}

describe('binary fixtures', () => {
  for (const [name, kind] of [['qemu-riscv64.cell', 'system'], ['qemu-inmate-demo.cell', 'cell'], ['qemu-ivshmem-demo.cell', 'cell']] as const) {
    it(`${name} round-trips byte-identically`, () => {
      const bytes = fixture(name);
      expect(sniffBinaryConfig(bytes)).toBe(kind);
      const out = kind === 'system' ? writeSystemConfig(parseSystemConfig(bytes)) : writeCellConfig(parseCellConfig(bytes));
      expect(Buffer.from(out).equals(Buffer.from(bytes))).toBe(true);
    });
    it(`${name} is what its YAML compiles to`, () => {
      const p = parseConfigYaml(text(name.replace('.cell', '.yaml')));
      const out = p.kind === 'system' ? writeSystemConfig(p.config) : writeCellConfig(p.config);
      expect(Buffer.from(out).equals(Buffer.from(fixture(name)))).toBe(true);
    });
  }
});

describe('compatibility with configs written like Jailhouse C configs', () => {
  it('the inmate demo built at explicit offsets equals the compiled YAML', () => {
    const c = cInmateDemo();
    const p = parseConfigYaml(text('qemu-inmate-demo.yaml'));
    expect(p.kind).toBe('cell');
    expect(Buffer.from(writeCellConfig(p.config as never)).equals(Buffer.from(c))).toBe(true);
    const cell = parseCellConfig(c);
    expect(cell.name).toBe('inmate-demo');
    expect(cell.cpus).toEqual([2n]);
    expect(cell.console.type).toBe(CON_TYPE_RISCV_SBI);
    expect(cell.flags & CELL_VIRTUAL_CONSOLE_PERMITTED).toBeTruthy();
    expect(cell.memory_regions[0]!.flags & MEM_LOADABLE).toBe(MEM_LOADABLE);
    expect(cell.memory_regions[1]!.flags & MEM_COMM_REGION).toBe(MEM_COMM_REGION);
    expect(cell.raw).toBeUndefined();
  });

  it('the system config built at explicit offsets (root header zero) equals the compiled YAML', () => {
    const c = cQemuRiscv64();
    expect(Array.from(c.subarray(416, 424))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    const sys = parseSystemConfig(c);
    expect(sys.root_cell.name).toBe('qemu-riscv64');
    expect(sys.root_cell.raw).toBeUndefined();
    expect(sys.platform_info.riscv.irqchip.hart_to_context.slice(0, 7)).toEqual([1, 3, 5, 7, 9, 11, -1]);
    expect(sys.root_cell.pci_devices[0]!.shmem_protocol).toBe(SHMEM_PROTO_VETH);
    expect(Buffer.from(writeSystemConfig(sys)).equals(Buffer.from(c))).toBe(true);
    const p = parseConfigYaml(text('qemu-riscv64.yaml'));
    expect(Buffer.from(writeSystemConfig(p.config as never)).equals(Buffer.from(c))).toBe(true);
  });

  it('accepts a root cell header that is set, and preserves it', () => {
    const c = cQemuRiscv64();
    c.set([0x4a, 0x48, 0x43, 0x4c, 0x4c, 3, 15, 0], 416);
    const sys = parseSystemConfig(c);
    expect(sys.root_cell.raw?.header).toBeDefined();
    expect(Buffer.from(writeSystemConfig(sys)).equals(Buffer.from(c))).toBe(true);
  });

  it('rejects a garbage root cell header', () => {
    const c = cQemuRiscv64();
    c.set([0x41, 0x42, 0x43, 0x44, 0x45], 416);
    const e = catchError(() => parseSystemConfig(c));
    expect(e.field).toBe('root_cell.signature');
    expect(e.message).toBe('root cell signature at offset 0x1a0: expected "JHCLL" or zero, got "ABCDE"');
    const d = cQemuRiscv64();
    d[416 + 5] = 2;
    expect(catchError(() => parseSystemConfig(d)).message).toContain('root cell architecture at offset 0x1a5: expected 3 (riscv64) or 0, got 2 (arm64)');
    const r = cQemuRiscv64();
    r[416 + 6] = 13;
    expect(catchError(() => parseSystemConfig(r)).message).toContain('root cell revision at offset 0x1a6: expected 15 or 0, got 13');
  });
});

describe('binary errors', () => {
  it('bad signature', () => {
    const b = cInmateDemo();
    b.set([0x41, 0x42, 0x43, 0x44, 0x45], 0);
    const e = catchError(() => parseCellConfig(b));
    expect(e.message).toBe('signature at offset 0: expected "JHCLL", got "ABCDE"');
    expect(e).toMatchObject({ field: 'signature', offset: 0, expected: 'JHCLL', got: 'ABCDE' });
  });

  it('a system file is not a cell file (and vice versa)', () => {
    expect(catchError(() => parseCellConfig(cQemuRiscv64())).message).toBe('signature at offset 0: expected "JHCLL", got "JHSYS"');
    expect(catchError(() => parseSystemConfig(cInmateDemo())).message).toBe('signature at offset 0: expected "JHSYS", got "JHCLL"');
  });

  it('non-printable signature bytes are escaped', () => {
    const b = cInmateDemo();
    b.set([0, 1, 0x22, 0x41, 0xff], 0);
    expect(catchError(() => parseCellConfig(b)).message).toBe('signature at offset 0: expected "JHCLL", got "\\x00\\x01\\x22A\\xff"');
  });

  it('bad revision', () => {
    const b = cInmateDemo();
    b[6] = 13;
    const e = catchError(() => parseCellConfig(b));
    expect(e.message).toBe('revision at offset 6: expected 15, got 13');
    expect(e).toMatchObject({ field: 'revision', offset: 6, expected: '15', got: '13' });
    const s = cQemuRiscv64();
    s[6] = 14;
    expect(catchError(() => parseSystemConfig(s)).message).toBe('revision at offset 6: expected 15, got 14');
  });

  it('bad architecture', () => {
    const b = cInmateDemo();
    b[5] = 2;
    const e = catchError(() => parseCellConfig(b));
    expect(e.message).toBe('architecture at offset 5: expected 3 (riscv64), got 2 (arm64)');
    expect(e).toMatchObject({ field: 'architecture', offset: 5 });
    b[5] = 9;
    expect(catchError(() => parseCellConfig(b)).message).toBe('architecture at offset 5: expected 3 (riscv64), got 9 (unknown)');
  });

  it('truncated headers', () => {
    expect(catchError(() => parseCellConfig(new Uint8Array(3))).message).toBe('signature at offset 0: overruns the file (need 5 bytes, 3 left)');
    expect(catchError(() => parseCellConfig(cInmateDemo().slice(0, 40))).message).toBe('cell descriptor at offset 0: overruns the file (need 132 bytes, 40 left)');
    expect(catchError(() => parseSystemConfig(cQemuRiscv64().slice(0, 300))).message).toBe('system descriptor at offset 0: overruns the file (need 416 bytes, 300 left)');
    expect(catchError(() => parseSystemConfig(cQemuRiscv64().slice(0, 500))).message).toBe('root cell descriptor at offset 0x1a0: overruns the file (need 132 bytes, 84 left)');
  });

  const arrays: [string, string, number][] = [
    ['cpus', 'cpu', 16], ['memory_regions', 'memory region', 32], ['cache_regions', 'cache region', 12],
    ['irqchips', 'irqchip', 32], ['pio_regions', 'pio region', 4], ['pci_devices', 'pci device', 56],
    ['pci_caps', 'pci capability', 8], ['stream_ids', 'stream id', 4],
  ];
  it.each(arrays.map((a, i) => [...a, i] as const))('truncation inside the %s array', (field, label, size, idx) => {
    const full = writeCellConfig(fullCell());
    // offset of array idx = 132 + sizes of the previous arrays (one element each)
    const off = 132 + arrays.slice(0, idx).reduce((s, a) => s + a[2], 0);
    const cut = full.slice(0, off + size - 3);
    const e = catchError(() => parseCellConfig(cut));
    expect(e.field).toBe(`${field}[0]`);
    expect(e.offset).toBe(off);
    expect(e.message).toBe(`cell "full": ${label} 0 at offset 0x${off.toString(16)}: overruns the file (need ${size} bytes, ${size - 3} left)`);
  });

  it('truncation of the root cell arrays in a system file', () => {
    const c = cQemuRiscv64();
    const off = 548 + 6 * 16 + 3 * 32; // memory region 3
    const e = catchError(() => parseSystemConfig(c.slice(0, off + 12)));
    expect(e.message).toBe(`cell "qemu-riscv64": memory region 3 at offset 0x${off.toString(16)}: overruns the file (need 32 bytes, 12 left)`);
    expect(e.field).toBe('root_cell.memory_regions[3]');
  });

  it('counts that overrun the file', () => {
    const b = cInmateDemo();
    new DataView(b.buffer).setUint32(52, 0xffffffff, true); // num_memory_regions
    const e = catchError(() => parseCellConfig(b));
    expect(e.message).toBe('cell "inmate-demo": memory region 2 at offset 0xd4: overruns the file (need 32 bytes, 0 left)');
    const c = cInmateDemo();
    new DataView(c.buffer).setUint32(76, 1000, true); // num_stream_ids
    expect(catchError(() => parseCellConfig(c)).field).toBe('stream_ids[0]');
  });
});

describe('exact preservation', () => {
  it('trailing bytes are preserved (Jailhouse ignores them)', () => {
    const b = new Uint8Array([...cInmateDemo(), 1, 2, 3]);
    const cell = parseCellConfig(b);
    expect(Array.from(cell.raw!.trailing!)).toEqual([1, 2, 3]);
    expect(Buffer.from(writeCellConfig(cell)).equals(Buffer.from(b))).toBe(true);
    const s = new Uint8Array([...cQemuRiscv64(), 9]);
    const sys = parseSystemConfig(s);
    expect(Array.from(sys.raw!.trailing!)).toEqual([9]);
    expect(Buffer.from(writeSystemConfig(sys)).equals(Buffer.from(s))).toBe(true);
  });

  it('padding, id, name garbage and reserved bytes are preserved', () => {
    const b = cInmateDemo();
    b[132 + 9] = 0x5a; // cpu padding
    b[40] = 7; // id
    b[8 + 20] = 0x33; // garbage after the name's NUL
    const cell = parseCellConfig(b);
    expect(cell.id).toBe(7);
    expect(cell.name).toBe('inmate-demo');
    expect(cell.raw?.name).toBeDefined();
    expect(cell.raw?.cpu_padding?.[0]).toBeDefined();
    expect(Buffer.from(writeCellConfig(cell)).equals(Buffer.from(b))).toBe(true);
    const s = cQemuRiscv64();
    s[315] = 1; s[334] = 2; s[88] = 1; s[100] = 0xee; // reserved bytes, an iommu unit
    expect(Buffer.from(writeSystemConfig(parseSystemConfig(s))).equals(Buffer.from(s))).toBe(true);
  });

  it('a 32-byte name without NUL and non-UTF-8 names round-trip', () => {
    const b = cInmateDemo();
    b.fill(0x61, 8, 40);
    expect(parseCellConfig(b).name).toBe('a'.repeat(32));
    expect(Buffer.from(writeCellConfig(parseCellConfig(b))).equals(Buffer.from(b))).toBe(true);
    b.fill(0, 8, 40);
    b.set([0xff, 0xfe, 0x41], 8);
    const c = parseCellConfig(b);
    expect(Buffer.from(writeCellConfig(c)).equals(Buffer.from(b))).toBe(true);
  });

  it('64-bit values above 2^53 are exact', () => {
    const c = emptyCell('big');
    c.memory_regions = [{ phys_start: 0xffff_ffff_ffff_f000n, virt_start: 0x8000_0000_0000_0001n, size: 0x1000n, flags: 0xffff_ffff_ffff_ffffn }];
    c.cpu_reset_address = 0x1234_5678_9abc_def0n;
    const back = parseCellConfig(writeCellConfig(c));
    expect(back.memory_regions[0]).toEqual(c.memory_regions[0]);
    expect(back.cpu_reset_address).toBe(c.cpu_reset_address);
  });
});

describe('writer', () => {
  it('rejects values that do not fit their field', () => {
    const c = emptyCell('x');
    c.vpci_irq_base = 2 ** 32;
    expect(catchError(() => writeCellConfig(c)).message).toBe('cell "x": vpci_irq_base at offset 0x50: value 4294967296 does not fit u32');
    const d = emptyCell('y');
    d.pio_regions = [{ base: 0x10000, length: 1 }];
    expect(catchError(() => writeCellConfig(d)).field).toBe('pio_regions[0].base');
    const e = emptyCell('a-name-that-is-much-longer-than-32-bytes');
    expect(catchError(() => writeCellConfig(e)).field).toBe('name');
  });

  it('writes a cell of exactly jailhouse_cell_config_size() bytes', () => {
    expect(writeCellConfig(fullCell()).length).toBe(132 + 16 + 32 + 12 + 32 + 4 + 56 + 8 + 4);
  });
});
