import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseCellConfig, parseSystemConfig, writeCellConfig, writeSystemConfig } from '../../../core/hypervisor/config/binary.js';
import { cellDocumentSchema, configDocumentSchema, systemDocumentSchema } from '../../../core/hypervisor/config/schema.js';
import {
  MEM_COMM_REGION, MEM_READ, MEM_WRITE, emptyCell, emptyPciDevice, type CellConfig, type SystemConfig,
} from '../../../core/hypervisor/config/types.js';
import {
  YamlConfigError, cellConfigToYaml, formatPinList, formatSize, parseConfigYaml, parseSize, systemConfigToYaml,
  validateConfigDocument,
} from '../../../core/hypervisor/config/yaml.js';
import { cInmateDemo, cQemuRiscv64 } from './c-layout.js';

const FIX = join(__dirname, '../../fixtures/configs');
const text = (name: string) => readFileSync(join(FIX, name), 'utf8');
const bin = (name: string) => new Uint8Array(readFileSync(join(FIX, name)));

function cellYaml(body: string): string {
  return `kind: cell\nname: t\n${body}`;
}

function parseCell(body: string): CellConfig {
  const p = parseConfigYaml(cellYaml(body));
  expect(p.kind).toBe('cell');
  return p.config as CellConfig;
}

function yamlError(t: string): YamlConfigError {
  try {
    parseConfigYaml(t);
  } catch (e) {
    expect(e).toBeInstanceOf(YamlConfigError);
    return e as YamlConfigError;
  }
  throw new Error('expected a YamlConfigError');
}

function binToYamlToBin(bytes: Uint8Array): Uint8Array {
  const sys = bytes[2] === 0x53; // "JHSYS"
  const y = sys ? systemConfigToYaml(parseSystemConfig(bytes)) : cellConfigToYaml(parseCellConfig(bytes));
  const p = parseConfigYaml(y);
  return p.kind === 'system' ? writeSystemConfig(p.config) : writeCellConfig(p.config);
}

describe('sizes', () => {
  it.each([
    ['1M', 0x100000n], ['64K', 0x10000n], ['0x1000', 0x1000n], ['4096', 4096n], ['2G', 0x8000_0000n],
    ['1T', 1n << 40n], ['6 MiB', 0x600000n], ['8kb', 8192n], ['0x3f70_0000', 0x3f700000n], ['0b1000', 8n],
    ['0o17', 15n], [4096, 4096n], [0n, 0n],
  ] as const)('parseSize(%s)', (t, v) => {
    expect(parseSize(t)).toBe(v);
  });
  it.each(['12Q', '1.5M', '-4K', 'M', '', '0xM', '1 M B'])('parseSize(%s) is undefined', (t) => {
    expect(parseSize(t)).toBeUndefined();
  });
  it.each([
    [0n, 0], [0x1000n, '4K'], [0x600000n, '6M'], [0x7f000n, '508K'], [0x3f700000n, '1015M'], [1n << 30n, '1G'],
    [3n << 40n, '3T'], [0x1234n, '0x1234'], [1n, '0x1'], [1n << 50n, '1024T'], [0xffff_ffff_ffff_f000n, '18014398509481980K'],
  ] as const)('formatSize(%s)', (v, t) => {
    expect(formatSize(v)).toBe(t);
    expect(parseSize(t)).toBe(v);
  });
  it('sizes in YAML', () => {
    const c = parseCell('memory_regions:\n  - {phys_start: 0x1000, size: 64K}\n  - {phys_start: "0x2000", size: 4096}\n  - {phys_start: 8192, size: "0x2000"}\n');
    expect(c.memory_regions.map((m) => m.size)).toEqual([0x10000n, 4096n, 0x2000n]);
    expect(c.memory_regions.map((m) => m.phys_start)).toEqual([0x1000n, 0x2000n, 8192n]);
    // virt_start defaults to phys_start
    expect(c.memory_regions[0]!.virt_start).toBe(0x1000n);
  });
});

describe('flags', () => {
  it('by name, in any spelling', () => {
    const c = parseCell('flags: [PASSIVE_COMMREG, virtual_console_permitted, JAILHOUSE_CELL_VIRTUAL_CONSOLE_ACTIVE]\nmemory_regions:\n  - {phys_start: 0, size: 4K, flags: [read, WRITE, comm_region, JAILHOUSE_MEM_LOADABLE, io-32]}\n');
    expect(c.flags).toBe(0xc000_0001);
    expect(c.memory_regions[0]!.flags).toBe(0x1n | 0x2n | 0x20n | 0x40n | 0x40000n);
  });
  it('numbers and unknown bits are preserved and written as a hex entry', () => {
    const c = parseCell('flags: [0x100, passive-commreg]\nmemory_regions:\n  - {phys_start: 0, size: 4K, flags: [read, 0x8000000000000000]}\n');
    expect(c.flags).toBe(0x101);
    expect(c.memory_regions[0]!.flags).toBe(0x8000_0000_0000_0001n);
    const y = cellConfigToYaml(c);
    expect(y).toContain('flags: [passive-commreg, 0x100]');
    expect(y).toContain('flags: [read, 0x8000000000000000]');
    expect(parseConfigYaml(y).config).toEqual(c);
  });
  it('a plain number is accepted for a flag field', () => {
    expect(parseCell('flags: 0x40000001\n').flags).toBe(0x4000_0001);
  });
  it('unknown names are errors naming the path', () => {
    const e = yamlError(cellYaml('memory_regions:\n  - {phys_start: 0, size: 4K, flags: [read, wirte]}\n'));
    expect(e.issues[0]!.path).toBe('memory_regions[0].flags[1]');
    expect(e.issues[0]!.message).toMatch(/^unknown flag "wirte" \(known: read, write, /);
    expect(e.issues[0]!.line).toBe(4);
  });
});

describe('pins, cpus, enums', () => {
  it('pins as numbers and ranges', () => {
    const c = parseCell('irqchips:\n  - {address: 0xc000000, pin_base: 0, pins: [10, 32-35, 0x60 - 0x61]}\n');
    expect(c.irqchips[0]!.pin_bitmap).toEqual([1 << 10, 0xf, 0, 3]);
    expect(formatPinList([1, 2, 3, 5, 7, 8, 10, 11, 12, 13])).toEqual(['1-3', 5, 7, 8, '10-13']);
  });
  it('pins relative to pin_base; pins outside are errors', () => {
    const c = parseCell('irqchips:\n  - {address: 0xc000000, pin_base: 32, pins: [32, 159]}\n');
    expect(c.irqchips[0]!.pin_bitmap).toEqual([1, 0, 0, 0x8000_0000]);
    const e = yamlError(cellYaml('irqchips:\n  - {address: 0xc000000, pin_base: 32, pins: [10]}\n'));
    expect(e.issues[0]!.path).toBe('irqchips[0].pins');
    expect(e.issues[0]!.message).toBe('pin 10 is outside pin_base 32 .. 159');
  });
  it('raw pin_bitmap input is accepted', () => {
    const c = parseCell('irqchips:\n  - {address: 0xc000000, pin_bitmap: [0x400, 0, 0, 1]}\n');
    expect(c.irqchips[0]!.pin_bitmap).toEqual([0x400, 0, 0, 1]);
  });
  it('cpus as a list of hart ids and ranges, order kept', () => {
    expect(parseCell('cpus: [3, 0-2]\n').cpus).toEqual([3n, 0n, 1n, 2n]);
  });
  it('console types, pci types, protocols by name or number', () => {
    const c = parseCell([
      'console: {type: 8250, address: 0x10000000, size: 4K, flags: [access-mmio]}',
      'pci_devices:',
      '  - {type: ivshmem, bdf: 00:10.0, shmem_protocol: virtio-back-blk, shmem_peers: 2}',
      '  - {type: device, bdf: "01:02.3", shmem_protocol: 0x4001}',
      '  - {type: 2, bdf: 0x18, shmem_protocol: veth}',
      '',
    ].join('\n'));
    expect(c.console).toMatchObject({ type: 2, address: 0x10000000n, size: 0x1000, flags: 1 });
    expect(c.pci_devices.map((d) => [d.type, d.bdf, d.shmem_protocol])).toEqual([[3, 0x80, 0xc002], [1, 0x113, 0x4001], [2, 0x18, 1]]);
    expect(parseCell('console: {type: riscv-sbi}\n').console.type).toBe(0x0b);
    const y = cellConfigToYaml(c);
    expect(y).toContain('shmem_protocol: virtio-back-blk');
    expect(y).toContain('bdf: 01:02.3');
    expect(y).toContain('shmem_protocol: 0x4001');
    expect(parseConfigYaml(y).config).toEqual(c);
  });
});

describe('round trips', () => {
  for (const name of ['qemu-riscv64', 'qemu-inmate-demo', 'qemu-ivshmem-demo']) {
    it(`${name}: binary -> YAML -> binary is byte-identical`, () => {
      const b = bin(`${name}.cell`);
      expect(Buffer.from(binToYamlToBin(b)).equals(Buffer.from(b))).toBe(true);
    });
    it(`${name}: YAML -> binary -> YAML is semantically equal`, () => {
      const p = parseConfigYaml(text(`${name}.yaml`));
      const b = p.kind === 'system' ? writeSystemConfig(p.config) : writeCellConfig(p.config);
      const y2 = p.kind === 'system' ? systemConfigToYaml(parseSystemConfig(b)) : cellConfigToYaml(parseCellConfig(b));
      expect(parseConfigYaml(y2)).toEqual(p);
      // and the generated YAML is stable
      const p2 = parseConfigYaml(y2);
      expect(p2.kind === 'system' ? systemConfigToYaml(p2.config) : cellConfigToYaml(p2.config)).toBe(y2);
    });
  }

  it('C-layout configs round-trip through YAML', () => {
    for (const b of [cInmateDemo(), cQemuRiscv64()]) expect(Buffer.from(binToYamlToBin(b)).equals(Buffer.from(b))).toBe(true);
  });

  it('odd bytes survive through the raw section', () => {
    const c = cInmateDemo();
    c[132 + 9] = 0x5a; c[40] = 7; c[8 + 20] = 0x33;
    const withTrailing = new Uint8Array([...c, 0xde, 0xad]);
    const y = cellConfigToYaml(parseCellConfig(withTrailing));
    expect(y).toContain('raw:');
    expect(y).toContain('trailing: de ad');
    expect(Buffer.from(binToYamlToBin(withTrailing)).equals(Buffer.from(withTrailing))).toBe(true);

    const s = cQemuRiscv64();
    s.set([0x4a, 0x48, 0x43, 0x4c, 0x4c, 3, 15, 0], 416); // root header set
    s[315] = 1; s[334] = 2; s[88] = 1; s[100] = 0xee; // reserved bytes, iommu unit 0
    new DataView(s.buffer).setInt16(352 + 2 * 20, 77, true); // hart_to_context[20]
    const sy = systemConfigToYaml(parseSystemConfig(s));
    expect(sy).toContain('iommu_units:');
    expect(Buffer.from(binToYamlToBin(s)).equals(Buffer.from(s))).toBe(true);
    const s2 = new Uint8Array([...cQemuRiscv64(), 1]);
    expect(Buffer.from(binToYamlToBin(s2)).equals(Buffer.from(s2))).toBe(true);
  });

  it('random cells round-trip binary -> YAML -> binary', () => {
    let seed = 12345;
    const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
    const u = (bits: number) => bits <= 31 ? rnd() % 2 ** bits : (rnd() * 2 ** 16 + (rnd() & 0xffff)) % 2 ** bits;
    const u32 = () => ((rnd() << 1) ^ rnd()) >>> 0;
    const u64 = () => (BigInt(u32()) << 32n) | BigInt(u32());
    const pick = <T>(n: number, f: () => T): T[] => Array.from({ length: rnd() % n }, f);
    for (let iter = 0; iter < 60; iter++) {
      const c = emptyCell(`cell-${iter}`);
      c.id = iter % 3 ? 0 : u32();
      c.flags = u32();
      c.cpus = pick(5, () => (iter % 4 ? BigInt(u(5)) : u64()));
      c.memory_regions = pick(6, () => ({ phys_start: u64(), virt_start: u64(), size: iter % 2 ? u64() : BigInt(u(20)) << 12n, flags: u64() }));
      c.cache_regions = pick(3, () => ({ start: u32(), size: u32(), type: u(8), padding: u(8), flags: u(16) }));
      c.irqchips = pick(3, () => ({ address: u64(), id: u32(), pin_base: u(16), pin_bitmap: [u32(), u32(), u32(), u32()] as [number, number, number, number] }));
      c.pio_regions = pick(3, () => ({ base: u(16), length: u(16) }));
      c.pci_devices = pick(3, () => ({
        ...emptyPciDevice(), type: u(8), iommu: u(8), domain: u(16), bdf: u(16),
        bar_mask: [u32(), u32(), u32(), u32(), u32(), u32()] as [number, number, number, number, number, number],
        caps_start: u(16), num_caps: u(16), num_msi_vectors: u(8), msi_flags: u(8), num_msix_vectors: u(16),
        msix_region_size: u(16), msix_address: u64(), shmem_regions_start: u32(), shmem_dev_id: u(8), shmem_peers: u(8),
        shmem_protocol: u(16),
      }));
      c.pci_caps = pick(3, () => ({ id: u(16), start: u(16), len: u(16), flags: u(16) }));
      c.stream_ids = pick(3, u32);
      c.vpci_irq_base = u32();
      c.cpu_reset_address = u64();
      c.msg_reply_timeout = u64();
      c.console = { address: u64(), size: u32(), type: u(16), flags: u(16), divider: u32(), gate_nr: u32(), clock_reg: u64() };
      const b = writeCellConfig(c);
      const back = binToYamlToBin(b);
      expect(Buffer.from(back).equals(Buffer.from(b))).toBe(true);
    }
  });
});

describe('errors with paths and positions', () => {
  it('a bad size names the path, the value and line:column', () => {
    const t = [
      'kind: system',
      'hypervisor_memory: {phys_start: 0xbf800000, size: 6M}',
      'platform_info:',
      '  irqchip: {base_address: 0xc000000}',
      'root_cell:',
      '  name: r',
      '  memory_regions:',
      '    - {phys_start: 0x0, size: 4K}',
      '    - {phys_start: 0x0, size: 4K}',
      '    - phys_start: 0x80000000',
      '      size: 12Q',
      '',
    ].join('\n');
    const e = yamlError(t);
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]).toEqual({
      path: 'root_cell.memory_regions[2].size', message: 'expected a size like 1M or 0x100000, got "12Q"', line: 11, column: 13,
    });
    expect(e.message).toBe('root_cell.memory_regions[2].size: expected a size like 1M or 0x100000, got "12Q" (line 11, column 13)');
  });

  it('unknown and missing fields', () => {
    const e = yamlError('kind: cell\nnmae: x\nmemory_regions:\n  - {phys_start: 0x1000}\n');
    const msgs = e.issues.map((i) => `${i.path}: ${i.message}`);
    expect(msgs).toContain(': missing required field "name"');
    expect(msgs).toContain('nmae: unknown field "nmae"');
    expect(msgs).toContain('memory_regions[0]: missing required field "size"');
    expect(e.issues.find((i) => i.path === 'nmae')!.line).toBe(2);
  });

  it('kind, revision and architecture', () => {
    expect(yamlError('name: x\n').issues[0]).toMatchObject({ path: 'kind', message: 'expected "system" or "cell", got undefined' });
    expect(yamlError('kind: cell\nname: x\nrevision: 13\n').issues[0]).toMatchObject({ path: 'revision', message: 'expected revision 15, got 13', line: 3 });
    expect(yamlError('kind: cell\nname: x\narchitecture: arm64\n').issues[0]!.message).toBe('expected riscv64 (3), got "arm64"');
  });

  it('values too large for their field', () => {
    const e = yamlError(cellYaml('vpci_irq_base: 0x100000000\npio_regions: [{base: 0x10000, length: 8}]\n'));
    expect(e.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'vpci_irq_base: value 4294967296 does not fit in 32 bits',
      'pio_regions[0].base: value 65536 does not fit in 16 bits',
    ]);
  });

  it('wrong types', () => {
    const e = yamlError(cellYaml('cpus: 3\nconsole: {type: [1]}\nmemory_regions: {a: 1}\n'));
    const msgs = e.issues.map((i) => `${i.path}: ${i.message}`);
    expect(msgs).toContain('cpus: expected a list of numbers or ranges like 32-35, got 3');
    expect(msgs).toContain('console.type: expected a name or a number, got a list');
    expect(msgs.some((m) => m.startsWith('memory_regions: must be array'))).toBe(true);
  });

  it('unknown enum names', () => {
    const e = yamlError(cellYaml('console: {type: pl012}\npci_devices: [{type: ivshmem, bdf: 00:10.0, shmem_protocol: smoke-signals}]\n'));
    expect(e.issues.map((i) => i.path)).toEqual(['console.type', 'pci_devices[0].shmem_protocol']);
    expect(e.issues[1]!.message).toMatch(/^unknown shmem protocol "smoke-signals" \(known: undefined, ivshmem-net, /);
  });

  it('YAML syntax errors carry line:column', () => {
    const e = yamlError('kind: cell\nname: [x\n');
    expect(e.issues[0]!.line).toBeGreaterThan(0);
    const d = yamlError('kind: cell\nname: a\nname: b\n');
    expect(d.issues[0]!.message).toMatch(/unique/i);
  });
});

describe('JSON schema', () => {
  it('is a plain exported object usable with ajv', () => {
    const ajv = new Ajv({ strict: false });
    const sys = ajv.compile(systemDocumentSchema);
    const cell = ajv.compile(cellDocumentSchema);
    expect(cell({ kind: 'cell', name: 'x', cpus: [1, '2-3'], memory_regions: [{ phys_start: '0x1000', size: '4K', flags: ['read'] }] })).toBe(true);
    expect(cell({ kind: 'cell', name: 'x', memory_regions: [{ size: '12Q' }] })).toBe(false);
    expect(sys({ kind: 'system', hypervisor_memory: { size: '6M' }, platform_info: { irqchip: { base_address: 0xc000000 } }, root_cell: { name: 'r' } })).toBe(true);
    expect(sys({ kind: 'system' })).toBe(false);
    const ajv2 = new Ajv({ strict: false });
    ajv2.addSchema(systemDocumentSchema).addSchema(cellDocumentSchema);
    const any = ajv2.compile(configDocumentSchema);
    expect(any({ kind: 'cell', name: 'x' })).toBe(true);
    expect(any({ kind: 'cell' })).toBe(false);
  });
  it('validateConfigDocument reports paths', () => {
    expect(validateConfigDocument({ kind: 'cell', name: 'x' })).toEqual([]);
    expect(validateConfigDocument({ kind: 'cell', name: 'x', console: { size: '1Q' } })).toEqual([
      { path: 'console.size', message: 'expected a size like 1M or 0x100000, got "1Q"' },
    ]);
  });
});

describe('generated YAML', () => {
  it('is friendly: sizes with units, hex addresses, pins with ranges, names', () => {
    const y = systemConfigToYaml(parseSystemConfig(bin('qemu-riscv64.cell')));
    expect(y).toContain('kind: system');
    expect(y).toContain('size: 6M');
    expect(y).toContain('phys_start: 0xbf800000');
    expect(y).toContain('pins: [10-15, 33-36]');
    expect(y).toContain('hart_to_context: [1, 3, 5, 7, 9, 11]');
    expect(y).toContain('type: riscv-sbi');
    expect(y).toContain('shmem_protocol: ivshmem-net');
    expect(y).toContain('bdf: 00:10.0');
    expect(y).not.toContain('raw:');
    const c = emptyCell('x');
    c.memory_regions = [{ phys_start: 0n, virt_start: 0x100000n, size: 0x1000n, flags: MEM_READ | MEM_WRITE | MEM_COMM_REGION }];
    expect(cellConfigToYaml(c)).toContain('flags: [read, write, comm-region]');
  });
  it('system documents can be parsed from the generated text', () => {
    const s = parseSystemConfig(bin('qemu-riscv64.cell'));
    const p = parseConfigYaml(systemConfigToYaml(s));
    expect(p.kind).toBe('system');
    expect(p.config as SystemConfig).toEqual(s);
  });
});

describe('docs/config-format.md', () => {
  it('its YAML examples parse and pass config check together', async () => {
    const md = readFileSync(join(__dirname, '../../../docs/config-format.md'), 'utf8');
    const blocks = [...md.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parseConfigYaml(m[1]!));
    expect(blocks.map((b) => b.kind)).toEqual(['system', 'cell']);
    const { checkConfigs } = await import('../../../core/hypervisor/config/check.js');
    const findings = checkConfigs(blocks[0]!.config as SystemConfig, [blocks[1]!.config as CellConfig], { harts: 6 });
    expect(findings).toEqual([]);
  });
});
