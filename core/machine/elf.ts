/**
 * Reads the loadable parts of an ELF64 little-endian RISC-V executable: what the board's boot loader needs
 * to place a guest image in RAM and start it.
 */

/** A guest image that cannot be loaded; the message names the offending field and its byte offset. */
export class ImageError extends Error {
  override name = 'ImageError';
}

/** A PT_LOAD segment: `data` (p_filesz bytes) goes at `paddr`, the rest up to `memsz` is zero-filled. */
export interface ElfSegment {
  paddr: number;
  data: Uint8Array;
  memsz: number;
  /** p_flags: a combination of PF_X, PF_W and PF_R. */
  flags: number;
}

export interface ElfImage {
  entry: number;
  segments: ElfSegment[];
}

export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

/** True when `bytes` starts with the ELF magic (whatever the class or machine). */
export function looksLikeElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/**
 * Parses an ELF64 LE RISC-V ET_EXEC image. Segments are placed by physical address (p_paddr), as QEMU
 * and OpenSBI do for bare-metal images; PT_LOAD segments with p_memsz 0 are skipped. The returned data
 * are views into `bytes`. Addresses and sizes must be below 2^53 (exactly representable).
 */
export function parseElf(bytes: Uint8Array): ElfImage {
  if (bytes.length < EHDR_SIZE) {
    throw new ImageError(`ELF header: file is ${bytes.length} bytes, shorter than the 64-byte ELF64 header`);
  }
  if (!looksLikeElf(bytes)) {
    const found = Array.from(bytes.subarray(0, 4), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
    throw new ImageError(`e_ident[EI_MAG] at byte 0 is ${found}, expected 7f 45 4c 46 ("\\x7fELF")`);
  }
  if (bytes[4] !== ELFCLASS64) {
    throw new ImageError(`e_ident[EI_CLASS] at byte 4 is ${bytes[4]}, expected 2 (ELFCLASS64)`);
  }
  if (bytes[5] !== ELFDATA2LSB) {
    throw new ImageError(`e_ident[EI_DATA] at byte 5 is ${bytes[5]}, expected 1 (ELFDATA2LSB, little-endian)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const u64 = (offset: number, field: string): number => {
    const value = view.getBigUint64(offset, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ImageError(`${field} at byte ${offset} is 0x${value.toString(16)}, expected a value below 2^53`);
    }
    return Number(value);
  };

  const type = view.getUint16(16, true);
  if (type !== ET_EXEC) {
    throw new ImageError(`e_type at byte 16 is ${type}, expected 2 (ET_EXEC)${type === ET_DYN ? '; ET_DYN (PIE or shared object) is not loadable' : ''}`);
  }
  const machine = view.getUint16(18, true);
  if (machine !== EM_RISCV) {
    throw new ImageError(`e_machine at byte 18 is ${machine}, expected 243 (EM_RISCV)`);
  }
  const entry = u64(24, 'e_entry');
  const phoff = u64(32, 'e_phoff');
  const phentsize = view.getUint16(54, true);
  const phnum = view.getUint16(56, true);
  if (phnum > 0 && phentsize < PHDR_SIZE) {
    throw new ImageError(`e_phentsize at byte 54 is ${phentsize}, expected at least 56 (Elf64_Phdr)`);
  }
  const tableEnd = phoff + phnum * phentsize;
  if (tableEnd > bytes.length) {
    throw new ImageError(
      `program header table (e_phoff at byte 32 = ${phoff}, ${phnum} × ${phentsize} bytes) ends at byte ${tableEnd}, beyond the file end at ${bytes.length}`,
    );
  }

  const segments: ElfSegment[] = [];
  for (let index = 0; index < phnum; index++) {
    const at = phoff + index * phentsize;
    if (view.getUint32(at, true) !== PT_LOAD) continue;
    const flags = view.getUint32(at + 4, true);
    const offset = u64(at + 8, `program header ${index} p_offset`);
    const paddr = u64(at + 24, `program header ${index} p_paddr`);
    const filesz = u64(at + 32, `program header ${index} p_filesz`);
    const memsz = u64(at + 40, `program header ${index} p_memsz`);
    if (filesz > memsz) {
      throw new ImageError(`program header ${index} p_filesz at byte ${at + 32} is ${filesz}, larger than p_memsz ${memsz}`);
    }
    if (offset + filesz > bytes.length) {
      throw new ImageError(
        `program header ${index} segment data (p_offset at byte ${at + 8} = ${offset}, p_filesz ${filesz}) ends at byte ${offset + filesz}, beyond the file end at ${bytes.length}`,
      );
    }
    if (memsz === 0) continue;
    segments.push({ paddr, data: bytes.subarray(offset, offset + filesz), memsz, flags });
  }
  return { entry, segments };
}

const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const ET_EXEC = 2;
const ET_DYN = 3;
const EM_RISCV = 243;
const PT_LOAD = 1;
