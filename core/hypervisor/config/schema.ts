/**
 * JSON Schema (draft 2020-12 subset understood by ajv v8) for the YAML form of Jailhouse
 * configurations: structure, value syntax and field names. Semantic conversion (flag names,
 * value ranges, pin ranges) is done in yaml.ts, which reports errors with the same path syntax.
 *
 * Every numeric field accepts an integer or a string: decimal, 0x hex, 0b binary, 0o octal,
 * with optional `_` separators. Sizes additionally accept a K/M/G/T suffix (powers of 1024,
 * optionally followed by "iB" or "B").
 *
 * Custom annotation `x-expected` carries the human wording used in error messages.
 */

export const UINT_PATTERN = '^\\s*(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9][0-9_]*)\\s*$';
export const SINT_PATTERN = '^\\s*-?(0[xX][0-9a-fA-F_]+|[0-9][0-9_]*)\\s*$';
export const SIZE_PATTERN =
  '^\\s*(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9][0-9_]*)\\s*([kKmMgGtT]([iI]?[bB])?)?\\s*$';
export const RANGE_PATTERN = '^\\s*(0[xX][0-9a-fA-F]+|[0-9]+)\\s*(-\\s*(0[xX][0-9a-fA-F]+|[0-9]+)\\s*)?$';
export const HEX_BYTES_PATTERN = '^\\s*([0-9a-fA-F]{2}\\s*)*$';
export const BDF_PATTERN = '^\\s*([0-9a-fA-F]{1,2}:)?[0-9a-fA-F]{1,2}\\.[0-7]\\s*$';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/$defs/${name}` });

const defs: Record<string, Schema> = {
  uint: {
    'x-expected': 'a non-negative integer (decimal or 0x hex)',
    anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: UINT_PATTERN }],
  },
  sint: {
    'x-expected': 'an integer',
    anyOf: [{ type: 'integer' }, { type: 'string', pattern: SINT_PATTERN }],
  },
  address: {
    'x-expected': 'an address like 0x80000000',
    anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: UINT_PATTERN }],
  },
  size: {
    'x-expected': 'a size like 1M or 0x100000',
    anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: SIZE_PATTERN }],
  },
  flags: {
    'x-expected': 'a list of flag names (or numbers)',
    anyOf: [
      { type: 'array', items: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'integer', minimum: 0 }] } },
      { type: 'integer', minimum: 0 },
      { type: 'string', pattern: UINT_PATTERN },
    ],
  },
  name_or_number: {
    'x-expected': 'a name or a number',
    anyOf: [{ type: 'string', minLength: 1 }, { type: 'integer', minimum: 0 }],
  },
  ranges: {
    'x-expected': 'a list of numbers or ranges like 32-35',
    type: 'array',
    items: {
      'x-expected': 'a number or a range like 32-35',
      anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: RANGE_PATTERN }],
    },
  },
  hex_bytes: {
    'x-expected': 'a string of hex byte pairs like "00 ff 12"',
    type: 'string',
    pattern: HEX_BYTES_PATTERN,
  },
  bdf: {
    'x-expected': 'a PCI address like 00:10.0 (bus:dev.fn, hex) or a number',
    anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: BDF_PATTERN }],
  },
  memory_region: {
    type: 'object',
    additionalProperties: false,
    required: ['size'],
    properties: {
      phys_start: ref('address'),
      virt_start: ref('address'),
      size: ref('size'),
      flags: ref('flags'),
    },
  },
  console: {
    type: 'object',
    additionalProperties: false,
    properties: {
      type: ref('name_or_number'),
      address: ref('address'),
      size: ref('size'),
      flags: ref('flags'),
      divider: ref('uint'),
      gate_nr: ref('uint'),
      clock_reg: ref('address'),
    },
  },
  cache_region: {
    type: 'object',
    additionalProperties: false,
    required: ['start', 'size'],
    properties: {
      start: ref('uint'),
      size: ref('uint'),
      type: ref('uint'),
      padding: ref('uint'),
      flags: ref('flags'),
    },
  },
  irqchip: {
    type: 'object',
    additionalProperties: false,
    required: ['address'],
    properties: {
      address: ref('address'),
      id: ref('uint'),
      pin_base: ref('uint'),
      pins: ref('ranges'),
      pin_bitmap: { type: 'array', maxItems: 4, items: ref('uint') },
    },
  },
  pio_region: {
    type: 'object',
    additionalProperties: false,
    required: ['base', 'length'],
    properties: { base: ref('uint'), length: ref('size') },
  },
  pci_device: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'bdf'],
    properties: {
      type: ref('name_or_number'),
      iommu: ref('uint'),
      domain: ref('uint'),
      bdf: ref('bdf'),
      bar_mask: { type: 'array', maxItems: 6, items: ref('uint') },
      caps_start: ref('uint'),
      num_caps: ref('uint'),
      num_msi_vectors: ref('uint'),
      msi_flags: ref('flags'),
      num_msix_vectors: ref('uint'),
      msix_region_size: ref('size'),
      msix_address: ref('address'),
      shmem_regions_start: ref('uint'),
      shmem_dev_id: ref('uint'),
      shmem_peers: ref('uint'),
      shmem_protocol: ref('name_or_number'),
    },
  },
  pci_cap: {
    type: 'object',
    additionalProperties: false,
    required: ['id'],
    properties: {
      id: ref('uint'),
      extended: { type: 'boolean' },
      start: ref('uint'),
      len: ref('uint'),
      flags: ref('flags'),
    },
  },
  cell_raw: {
    type: 'object',
    additionalProperties: false,
    properties: {
      name: ref('hex_bytes'),
      header: ref('hex_bytes'),
      trailing: ref('hex_bytes'),
      cpu_padding: {
        type: 'object',
        propertyNames: { pattern: '^[0-9]+$' },
        additionalProperties: ref('hex_bytes'),
      },
    },
  },
  iommu_unit: {
    type: 'object',
    additionalProperties: false,
    properties: {
      type: ref('uint'),
      base: ref('address'),
      size: ref('size'),
      data: ref('hex_bytes'),
    },
  },
  riscv_irqchip: {
    type: 'object',
    additionalProperties: false,
    required: ['base_address'],
    properties: {
      type: ref('name_or_number'),
      max_irq: ref('uint'),
      base_address: ref('address'),
      size: ref('size'),
      max_priority: ref('uint'),
      imsic_stride: ref('uint'),
      imsic_base: ref('address'),
      imsic_size: ref('size'),
      hart_to_context: { type: 'array', maxItems: 32, items: ref('sint') },
      reserved0: ref('uint'),
      reserved1: ref('uint'),
    },
  },
};

/** Properties shared by a cell document and the system document's root_cell. */
const cellProperties: Record<string, Schema> = {
  name: { type: 'string' },
  id: ref('uint'),
  flags: ref('flags'),
  cpus: ref('ranges'),
  cpu_reset_address: ref('address'),
  msg_reply_timeout: ref('uint'),
  vpci_irq_base: ref('uint'),
  console: ref('console'),
  memory_regions: { type: 'array', items: ref('memory_region') },
  cache_regions: { type: 'array', items: ref('cache_region') },
  irqchips: { type: 'array', items: ref('irqchip') },
  pio_regions: { type: 'array', items: ref('pio_region') },
  pci_devices: { type: 'array', items: ref('pci_device') },
  pci_caps: { type: 'array', items: ref('pci_cap') },
  stream_ids: { type: 'array', items: ref('uint') },
  raw: ref('cell_raw'),
};

const headerProperties: Record<string, Schema> = {
  revision: { 'x-expected': 'revision 15', anyOf: [{ const: 15 }, { const: '15' }] },
  architecture: { 'x-expected': 'riscv64 (3)', anyOf: [{ const: 'riscv64' }, { const: 3 }, { const: '3' }] },
};

/** Schema of a cell document (`kind: cell`). */
export const cellDocumentSchema: Schema = {
  $id: 'https://jailhouse-lab.invalid/schema/cell.json',
  title: 'Jailhouse cell configuration (revision 15, riscv64)',
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'name'],
  properties: {
    kind: { const: 'cell' },
    ...headerProperties,
    ...cellProperties,
  },
  $defs: defs,
};

/** Schema of a system document (`kind: system`). */
export const systemDocumentSchema: Schema = {
  $id: 'https://jailhouse-lab.invalid/schema/system.json',
  title: 'Jailhouse system configuration (revision 15, riscv64)',
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'hypervisor_memory', 'platform_info', 'root_cell'],
  properties: {
    kind: { const: 'system' },
    ...headerProperties,
    flags: ref('flags'),
    hypervisor_memory: ref('memory_region'),
    debug_console: ref('console'),
    platform_info: {
      type: 'object',
      additionalProperties: false,
      required: ['irqchip'],
      properties: {
        pci_mmconfig_base: ref('address'),
        pci_mmconfig_end_bus: ref('uint'),
        pci_is_virtual: { anyOf: [{ type: 'boolean' }, ref('uint')] },
        pci_domain: ref('uint'),
        iommu_units: { type: 'array', maxItems: 8, items: ref('iommu_unit') },
        irqchip: ref('riscv_irqchip'),
      },
    },
    root_cell: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: cellProperties,
    },
    raw: {
      type: 'object',
      additionalProperties: false,
      properties: { trailing: ref('hex_bytes') },
    },
  },
  $defs: defs,
};

/** Either document, selected by `kind`. */
export const configDocumentSchema: Schema = {
  $id: 'https://jailhouse-lab.invalid/schema/config.json',
  type: 'object',
  required: ['kind'],
  properties: { kind: { enum: ['system', 'cell'] } },
  if: { properties: { kind: { const: 'system' } } },
  then: { $ref: 'https://jailhouse-lab.invalid/schema/system.json' },
  else: { $ref: 'https://jailhouse-lab.invalid/schema/cell.json' },
};
