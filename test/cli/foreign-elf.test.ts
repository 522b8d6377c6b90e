/**
 * A guest built elsewhere, without any of the project's guest code: an S-mode ELF linked at 0x80200000
 * that prints on UART0 and powers off through the finisher. `jailhouse-lab boot` must print what QEMU
 * prints for it (QEMU's output starts with OpenSBI's banner, which the lab's firmware does not print).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { qemuAvailable, runOnQemu } from '../support/qemu.ts';
import { GCC, toolchainAvailable } from '../support/toolchain.ts';

const HELLO = `
#define UART 0x10000000UL
static void putc(char c) { while (!(*(volatile unsigned char *)(UART + 5) & 0x20)); *(volatile unsigned char *)UART = c; }
static void puts(const char *s) { while (*s) putc(*s++); }
static unsigned long fib(unsigned long n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
void main(unsigned long hart, unsigned long dtb) {
  char buf[32]; int i = 0; unsigned long v = fib(24);
  puts("hello from a foreign guest, fib(24) = ");
  do { buf[i++] = '0' + v % 10; v /= 10; } while (v);
  while (i) putc(buf[--i]);
  puts(dtb ? ", a device tree was passed\\n" : ", no device tree\\n");
  *(volatile unsigned int *)0x100000UL = 0x5555;
  for (;;) {}
}
__attribute__((naked, section(".text.entry"))) void _start(void) {
  __asm__ volatile("la sp, stack_top\\n j main");
}
char stack[4096] __attribute__((aligned(16)));
__asm__(".globl stack_top\\n .set stack_top, stack + 4096");
`;

describe.skipIf(!toolchainAvailable || !qemuAvailable())('a guest built elsewhere (needs the cross gcc and QEMU)', () => {
  it('prints the same on the lab as on QEMU and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jhlab-foreign-'));
    writeFileSync(join(dir, 'hello.c'), HELLO);
    writeFileSync(join(dir, 'hello.ld'), 'ENTRY(_start)\nSECTIONS {\n . = 0x80200000;\n .text : { *(.text.entry) *(.text*) }\n' +
      ' .rodata : { *(.rodata*) *(.srodata*) }\n .data : { *(.data*) *(.sdata*) }\n .bss : { *(.sbss*) *(.bss*) *(COMMON) }\n}\n');
    const elf = join(dir, 'hello.elf');
    const cc = spawnSync(GCC, ['-march=rv64imac_zicsr', '-mabi=lp64', '-mcmodel=medany', '-O2', '-ffreestanding', '-nostdlib',
      '-T', join(dir, 'hello.ld'), '-o', elf, join(dir, 'hello.c')], { encoding: 'utf8' });
    expect(cc.status, cc.stderr).toBe(0);

    const lab = spawnSync(process.execPath, [resolve(import.meta.dirname, '../../bin/jailhouse-lab.mjs'), 'boot', elf], { encoding: 'latin1', input: '' });
    const qemu = await runOnQemu(elf, { harts: 1 });
    expect(lab.stdout).toBe('hello from a foreign guest, fib(24) = 46368, a device tree was passed\n');
    expect(qemu.raw.endsWith(lab.stdout)).toBe(true);
    expect(lab.status).toBe(0);
    expect(qemu.exitCode).toBe(0);
  });
});
