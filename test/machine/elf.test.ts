import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImageError, PF_R, PF_W, PF_X, looksLikeElf, parseElf } from '../../core/machine/elf.ts';

interface SegmentSpec {
  type?: number;
  flags: number;
  paddr: number;
  vaddr?: number;
  data: number[];
  memsz: number;
}

/** A minimal ELF64 LE executable: header, program headers right after it, then segment data. */
function buildElf(entry: number, segments: SegmentSpec[]): Uint8Array {
  const phoff = 64;
  let dataOffset = phoff + 56 * segments.length;
  const size = dataOffset + segments.reduce((sum, segment) => sum + segment.data.length, 0);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  view.setUint16(16, 2, true); // ET_EXEC
  view.setUint16(18, 243, true); // EM_RISCV
  view.setUint32(20, 1, true);
  view.setBigUint64(24, BigInt(entry), true);
  view.setBigUint64(32, BigInt(phoff), true);
  view.setUint16(52, 64, true);
  view.setUint16(54, 56, true);
  view.setUint16(56, segments.length, true);
  segments.forEach((segment, index) => {
    const at = phoff + index * 56;
    view.setUint32(at, segment.type ?? 1, true);
    view.setUint32(at + 4, segment.flags, true);
    view.setBigUint64(at + 8, BigInt(dataOffset), true);
    view.setBigUint64(at + 16, BigInt(segment.vaddr ?? segment.paddr), true);
    view.setBigUint64(at + 24, BigInt(segment.paddr), true);
    view.setBigUint64(at + 32, BigInt(segment.data.length), true);
    view.setBigUint64(at + 40, BigInt(segment.memsz), true);
    view.setBigUint64(at + 48, 0x1000n, true);
    bytes.set(segment.data, dataOffset);
    dataOffset += segment.data.length;
  });
  return bytes;
}

const sample = () =>
  buildElf(0x80200000, [
    { flags: PF_R | PF_X, paddr: 0x80200000, vaddr: 0xffffffff80000000, data: [0x13, 0, 0, 0, 0x6f, 0, 0, 0], memsz: 8 },
    { type: 0x6474e551, flags: PF_R | PF_W, paddr: 0, data: [], memsz: 0 }, // PT_GNU_STACK: skipped
    { flags: PF_R | PF_W, paddr: 0x80201000, data: [1, 2, 3], memsz: 0x100 },
  ]);

function expectImageError(bytes: Uint8Array, message: RegExp): void {
  expect(() => parseElf(bytes)).toThrow(ImageError);
  expect(() => parseElf(bytes)).toThrow(message);
}

describe('parseElf', () => {
  it('recognises the ELF magic', () => {
    expect(looksLikeElf(sample())).toBe(true);
    expect(looksLikeElf(new Uint8Array([0x7f, 0x45, 0x4c]))).toBe(false);
    expect(looksLikeElf(new TextEncoder().encode('MZ\x90\x00'))).toBe(false);
  });

  it('returns the entry point and PT_LOAD segments placed by physical address', () => {
    const image = parseElf(sample());
    expect(image.entry).toBe(0x80200000);
    expect(image.segments).toHaveLength(2);
    const [text, data] = image.segments;
    expect(text!.paddr).toBe(0x80200000);
    expect(Array.from(text!.data)).toEqual([0x13, 0, 0, 0, 0x6f, 0, 0, 0]);
    expect(text!.memsz).toBe(8);
    expect(text!.flags).toBe(PF_R | PF_X);
    expect(data!.paddr).toBe(0x80201000);
    expect(Array.from(data!.data)).toEqual([1, 2, 3]);
    expect(data!.memsz).toBe(0x100);
    expect(data!.flags).toBe(PF_R | PF_W);
  });

  it('names the field, its byte offset and the expected value in errors', () => {
    expectImageError(new Uint8Array(20), /shorter than the 64-byte ELF64 header/);
    const bad = (patch: (bytes: Uint8Array, view: DataView) => void) => {
      const bytes = sample();
      patch(bytes, new DataView(bytes.buffer));
      return bytes;
    };
    expectImageError(bad((b) => (b[1] = 0x46)), /e_ident\[EI_MAG\] at byte 0 is 7f 46 4c 46, expected 7f 45 4c 46/);
    expectImageError(bad((b) => (b[4] = 1)), /e_ident\[EI_CLASS\] at byte 4 is 1, expected 2 \(ELFCLASS64\)/);
    expectImageError(bad((b) => (b[5] = 2)), /e_ident\[EI_DATA\] at byte 5 is 2, expected 1 \(ELFDATA2LSB/);
    expectImageError(bad((_, v) => v.setUint16(18, 62, true)), /e_machine at byte 18 is 62, expected 243 \(EM_RISCV\)/);
    expectImageError(bad((_, v) => v.setUint16(16, 3, true)), /e_type at byte 16 is 3, expected 2 \(ET_EXEC\).*ET_DYN/);
    expectImageError(bad((_, v) => v.setUint16(16, 1, true)), /e_type at byte 16 is 1, expected 2/);
    expectImageError(
      bad((_, v) => v.setBigUint64(32, 0x1000n, true)),
      /program header table \(e_phoff at byte 32 = 4096, 3 × 56 bytes\) ends at byte 4264, beyond the file end/,
    );
    expectImageError(
      bad((_, v) => v.setBigUint64(64 + 2 * 56 + 32, 0x200n, true)),
      /program header 2 p_filesz at byte 208 is 512, larger than p_memsz 256/,
    );
    expectImageError(
      bad((_, v) => v.setBigUint64(64 + 2 * 56 + 8, 0x10000n, true)),
      /program header 2 segment data \(p_offset at byte 184 = 65536, p_filesz 3\) ends at byte 65539, beyond the file end/,
    );
    expectImageError(bad((_, v) => v.setBigUint64(24, 0xffffffff80000000n, true)), /e_entry at byte 24 is 0xffffffff80000000/);
    expectImageError(bad((_, v) => v.setUint16(54, 32, true)), /e_phentsize at byte 54 is 32, expected at least 56/);
  });

  const gcc = '/usr/bin/riscv64-unknown-elf-gcc';
  if (!existsSync(gcc)) console.warn(`skipping the real-ELF check: ${gcc} not found`);

  it.skipIf(!existsSync(gcc))('parses an executable built by riscv64-unknown-elf-gcc', () => {
    const dir = mkdtempSync(join(tmpdir(), 'elf-'));
    try {
      const source = join(dir, 'start.S');
      const output = join(dir, 'start.elf');
      writeFileSync(
        source,
        ['.section .text', '.globl _start', '_start:', '  li a0, 0x5555', '1: j 1b', '.section .data', 'value: .word 0x12345678', '.section .bss', 'zeroes: .space 64', ''].join('\n'),
      );
      const result = spawnSync(gcc, ['-nostdlib', '-nostartfiles', '-march=rv64imac', '-mabi=lp64', '-Wl,-Ttext=0x80200000', '-o', output, source], { encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const image = parseElf(new Uint8Array(readFileSync(output)));
      expect(image.entry).toBe(0x80200000);
      const text = image.segments.find((segment) => segment.flags & PF_X);
      expect(text).toBeDefined();
      expect(text!.paddr).toBeLessThanOrEqual(0x80200000);
      expect(text!.paddr + text!.memsz).toBeGreaterThan(0x80200000);
      const data = image.segments.find((segment) => segment.flags & PF_W);
      expect(data).toBeDefined();
      expect(data!.memsz).toBeGreaterThan(data!.data.length); // .bss follows .data
      const valueOffset = Array.from(data!.data).findIndex((_, i) => new DataView(data!.data.buffer, data!.data.byteOffset + i).getUint32(0, true) === 0x12345678);
      expect(valueOffset).toBeGreaterThanOrEqual(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
