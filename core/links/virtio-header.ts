import type { SharedSection } from './section.ts';

/*
 * The virtio-over-ivshmem register header at the start of the R/W section (shared/spec/virtio-ivshmem.md,
 * docs/virtio-ivshmem.md), parsed once into a typed value; ring addresses in it are offsets in the section.
 */

export const VirtioHeaderField = {
  revision: 0, size: 4, writeTransaction: 8, deviceFeatures: 12, deviceFeaturesSel: 16, driverFeatures: 20,
  driverFeaturesSel: 24, queueSel: 28, queueSize: 32, queueDeviceVector: 34, queueDriverVector: 36, queueEnable: 38,
  queueDesc: 40, queueDriver: 48, queueDevice: 56, configEvent: 64, queueEvent: 65, deviceStatus: 68, configGeneration: 72,
} as const;
export const VIRTIO_HEADER_SIZE = 76;

const FIELD_NAMES = new Map<number, string>([
  [0, 'revision'], [4, 'size'], [8, 'write_transaction'], [12, 'device_features'], [16, 'device_features_sel'],
  [20, 'driver_features'], [24, 'driver_features_sel'], [28, 'queue_sel'], [32, 'queue_size'], [34, 'queue_device_vector'],
  [36, 'queue_driver_vector'], [38, 'queue_enable'], [40, 'queue_desc'], [48, 'queue_driver'], [56, 'queue_device'],
  [64, 'config_event'], [65, 'queue_event'], [68, 'device_status'], [72, 'config_generation'],
]);

/** The header field at `offset` ("device_status"), or "config space +N" beyond the header. */
export function virtioFieldName(offset: number): string {
  return FIELD_NAMES.get(offset) ?? (offset >= VIRTIO_HEADER_SIZE ? `config space +${offset - VIRTIO_HEADER_SIZE}` : `offset ${offset}`);
}

export interface VirtioHeader {
  revision: number; size: number; writeTransaction: number;
  deviceFeatures: number; deviceFeaturesSel: number; driverFeatures: number; driverFeaturesSel: number;
  queueSel: number; queueSize: number; queueDeviceVector: number; queueDriverVector: number; queueEnable: number;
  queueDesc: number; queueDriver: number; queueDevice: number;
  configEvent: number; queueEvent: number; deviceStatus: number; configGeneration: number;
}

/** The header, or undefined when the section cannot hold it. */
export function readVirtioHeader(s: SharedSection): VirtioHeader | undefined {
  if (!s.contains(0, VIRTIO_HEADER_SIZE)) return undefined;
  const F = VirtioHeaderField;
  return {
    revision: s.u32(F.revision)!, size: s.u32(F.size)!, writeTransaction: s.u32(F.writeTransaction)!,
    deviceFeatures: s.u32(F.deviceFeatures)!, deviceFeaturesSel: s.u32(F.deviceFeaturesSel)!,
    driverFeatures: s.u32(F.driverFeatures)!, driverFeaturesSel: s.u32(F.driverFeaturesSel)!,
    queueSel: s.u32(F.queueSel)!, queueSize: s.u16(F.queueSize)!, queueDeviceVector: s.u16(F.queueDeviceVector)!,
    queueDriverVector: s.u16(F.queueDriverVector)!, queueEnable: s.u16(F.queueEnable)!,
    queueDesc: s.u64(F.queueDesc)!, queueDriver: s.u64(F.queueDriver)!, queueDevice: s.u64(F.queueDevice)!,
    configEvent: s.u8(F.configEvent)!, queueEvent: s.u8(F.queueEvent)!, deviceStatus: s.u32(F.deviceStatus)!,
    configGeneration: s.u32(F.configGeneration)!,
  };
}

/** The value a write transaction at `offset` stored, as the field's width reads it. */
export function virtioFieldValue(s: SharedSection, offset: number): number | undefined {
  switch (offset) {
    case 32: case 34: case 36: case 38: return s.u16(offset);
    case 40: case 48: case 56: return s.u64(offset);
    case 64: case 65: return s.u8(offset);
    default: return offset < VIRTIO_HEADER_SIZE ? s.u32(offset) : s.u8(offset);
  }
}

export const VIRTIO_DEVICE_NAMES: Record<number, string> = { 1: 'net', 2: 'block', 3: 'console' };

const STATUS_BITS: Array<[number, string]> = [
  [1, 'ACKNOWLEDGE'], [2, 'DRIVER'], [8, 'FEATURES_OK'], [4, 'DRIVER_OK'], [64, 'DEVICE_NEEDS_RESET'], [128, 'FAILED'],
];

export function virtioStatusNames(status: number): string[] {
  if (status === 0) return ['RESET'];
  return STATUS_BITS.filter(([bit]) => (status & bit) !== 0).map(([, name]) => name);
}

const COMMON_FEATURES: Record<number, string> = {
  28: 'INDIRECT_DESC', 29: 'EVENT_IDX', 32: 'VERSION_1', 33: 'ACCESS_PLATFORM', 34: 'RING_PACKED', 35: 'IN_ORDER', 36: 'ORDER_PLATFORM',
  37: 'SR_IOV', 38: 'NOTIFICATION_DATA',
};
const DEVICE_FEATURES: Record<number, Record<number, string>> = {
  1: { 0: 'CSUM', 1: 'GUEST_CSUM', 3: 'MTU', 5: 'MAC', 15: 'MRG_RXBUF', 16: 'STATUS' },
  2: { 1: 'SIZE_MAX', 2: 'SEG_MAX', 4: 'GEOMETRY', 5: 'RO', 6: 'BLK_SIZE', 9: 'FLUSH', 10: 'TOPOLOGY', 11: 'CONFIG_WCE', 13: 'DISCARD', 14: 'WRITE_ZEROES' },
  3: { 0: 'SIZE', 1: 'MULTIPORT', 2: 'EMERG_WRITE' },
};

/** Names of the set bits of a 64-bit feature word given as [low, high] 32-bit halves. */
export function virtioFeatureNames(device: number, words: readonly [number, number]): string[] {
  const names: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    const word = words[bit >> 5]!;
    if (((word >>> (bit & 31)) & 1) === 0) continue;
    names.push(COMMON_FEATURES[bit] ?? DEVICE_FEATURES[device]?.[bit] ?? `bit ${bit}`);
  }
  return names;
}

export function featureHex(words: readonly [number, number]): string {
  return `0x${(BigInt(words[1] >>> 0) << 32n | BigInt(words[0] >>> 0)).toString(16)}`;
}
