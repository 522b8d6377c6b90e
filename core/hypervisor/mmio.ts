import { Access } from '../cpu/environment.ts';
import { Backing, type Mapping } from './memory-map.ts';

/** Why an access to a mapping is not allowed, or undefined when the device may see it. */
export function ioViolation(m: Mapping, gpa: number, size: number, write: boolean): string | undefined {
  if (m.backing !== Backing.Device) return write ? 'write to memory the cell may not write' : 'read of memory the cell may not read';
  if ((m.access & (write ? Access.Write : Access.Read)) === 0) return write ? 'write to a read-only IO region' : 'read of a write-only IO region';
  const widths = m.ioWidths;
  if (widths !== 0 && (widths & size) === 0) return `${size * 8}-bit access to an IO region that allows only ${widthList(widths)}`;
  if (!m.ioUnaligned && gpa % size !== 0) return `misaligned ${size * 8}-bit IO access`;
  if (gpa + size > m.end) return 'IO access crosses the end of its region';
  return undefined;
}

function widthList(widths: number): string {
  return [1, 2, 4, 8].filter((w) => (widths & w) !== 0).map((w) => `${w * 8}-bit`).join('/') + ' accesses';
}

/** The HPA an access to `gpa` inside mapping `m` reaches. */
export function hpaOf(m: Mapping, gpa: number): number {
  return m.hpa + (gpa - m.gpa);
}
