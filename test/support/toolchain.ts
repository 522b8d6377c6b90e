import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GCC = '/usr/bin/riscv64-unknown-elf-gcc';
export const OBJCOPY = '/usr/bin/riscv64-unknown-elf-objcopy';
export const toolchainAvailable = existsSync(GCC) && existsSync(OBJCOPY);

/** Assembles `source` for `march` and returns the bytes of its .text section. */
export function assemble(source: string, march: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'jhlab-asm-'));
  try {
    writeFileSync(join(dir, 'a.S'), source);
    execFileSync(GCC, ['-c', `-march=${march}`, '-mabi=lp64', '-mno-relax', '-o', join(dir, 'a.o'), join(dir, 'a.S')]);
    execFileSync(OBJCOPY, ['-O', 'binary', '-j', '.text', join(dir, 'a.o'), join(dir, 'a.bin')]);
    return new Uint8Array(readFileSync(join(dir, 'a.bin')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
