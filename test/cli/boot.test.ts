import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { i, j } from '../support/encode.ts';

const root = resolve(import.meta.dirname, '../..');
const cli = resolve(root, 'bin/jailhouse-lab.mjs');
const conformance = (name: string) => resolve(root, 'assets/guests/conformance', `${name}.elf`);
const scratch = mkdtempSync(join(tmpdir(), 'jhlab-cli-'));

function boot(...args: string[]) {
  return bootWithInput('', ...args);
}

function bootWithInput(input: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [cli, 'boot', ...args], { encoding: 'latin1', timeout: 120_000, input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function rawImage(name: string, words: number[]): string {
  const bytes = new Uint8Array(words.length * 4);
  words.forEach((w, k) => new DataView(bytes.buffer).setUint32(k * 4, w >>> 0, true));
  const path = join(scratch, name);
  writeFileSync(path, bytes);
  return path;
}

describe('jailhouse-lab boot', () => {
  it('streams UART0 to stdout and exits with the finisher status', () => {
    const r = boot(conformance('rv64i'), '--harts', '1');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/rv64i: \d+ checks passed\n/);
    expect(r.status).toBe(0);
  });

  it('feeds stdin to UART0 (an echo guest answers each line and quits on request)', () => {
    const r = bootWithInput('hello\nquit\n', resolve(root, 'assets/guests/ui/echo.elf'), '--harts', '1');
    expect(r.stdout).toContain('> hello\nyou typed: hello\n> quit\nyou typed: quit\necho: bye');
    expect(r.status).toBe(0);
  });

  it('--deterministic gives byte-identical output on every run (4 harts)', () => {
    const a = boot(conformance('smp_atomic'), '--harts', '4', '--deterministic');
    const b = boot(conformance('smp_atomic'), '--harts', '4', '--deterministic');
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout.length).toBeGreaterThan(100);
  });

  it('reports a guest that spins past --max-instructions with exit 3 and where each hart is', () => {
    const r = boot(rawImage('spin.bin', [j(0, 0)]), '--raw', '0x80200000', '--max-instructions', '1000000', '--harts', '2');
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/no finish after 1000000 instructions \(--max-instructions\); hart 0: pc 0x80200000, hart 1: stopped/);
  });

  it('reports a guest stuck faulting in its own trap handler with exit 4 and the cause', () => {
    // jalr x0, 0(x0): jump to 0, where nothing is mapped; stvec is 0 too.
    const r = boot(rawImage('jump0.bin', [i(0, 0, 0, 0, 0x67)]), '--raw', '0x80200000');
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/hart 0 is stuck: every trap faults again at its handler 0x0 \(scause 1: instruction access fault, stval 0x0\)/);
  });

  it('a raw image of random words never crashes the worker: it traps, and the CLI says how it ended', () => {
    let seed = 12345;
    const words = Array.from({ length: 4096 }, () => (seed = (Math.imul(seed, 1103515245) + 12345) | 0));
    const r = boot(rawImage('garbage.bin', words), '--raw', '0x80200000', '--max-instructions', '5000000');
    expect([0, 1, 3, 4]).toContain(r.status);
    expect(r.stderr).not.toMatch(/internal error/);
  });

  it('rejects bad images with exit 2 and a message naming the file and the reason', () => {
    const empty = join(scratch, 'empty.elf');
    writeFileSync(empty, new Uint8Array(0));
    expect(boot(empty)).toMatchObject({ status: 2, stderr: expect.stringMatching(/empty\.elf: the image is empty/) });

    const hostElf = boot('/bin/true');
    expect(hostElf.status).toBe(2);
    expect(hostElf.stderr).toMatch(/\/bin\/true: .*(machine|class|EXEC)/i);

    const truncated = join(scratch, 'truncated.elf');
    writeFileSync(truncated, new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]));
    const t = boot(truncated);
    expect(t.status).toBe(2);
    expect(t.stderr).toMatch(/truncated\.elf: /);

    expect(boot(join(scratch, 'missing.elf'))).toMatchObject({ status: 2, stderr: expect.stringMatching(/ENOENT|no such file/i) });
    expect(boot(conformance('rv64i'), '--ram', '12Q')).toMatchObject({ status: 2, stderr: expect.stringMatching(/--ram: expected a size/) });
    expect(boot(conformance('rv64i'), '--harts', '33')).toMatchObject({ status: 2, stderr: expect.stringMatching(/--harts: expected 1\.\.32/) });
  });

  it('refuses a file that is not ELF unless --raw ADDR says where its bytes go', () => {
    const image = rawImage('plain.bin', [j(0, 0)]);
    const refused = boot(image);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe(`jailhouse-lab: ${image}: not an ELF file (it starts with 6f 00 00 00, not 7f 45 4c 46); to boot raw bytes, say where they go: --raw ADDR, e.g. --raw 0x80200000\n`);
    expect(boot(image, '--raw', 'nowhere')).toMatchObject({ status: 2, stderr: expect.stringMatching(/--raw: expected an address like 0x80200000, got "nowhere"/) });
    expect(boot(conformance('rv64i'), '--raw', '0x80200000')).toMatchObject({ status: 2, stderr: expect.stringMatching(/rv64i\.elf: is an ELF file, which says where it loads; --raw is for raw images/) });
    // With --raw the bytes run from ADDR: the loop spins until the instruction limit.
    expect(boot(image, '--raw', '0x80200000', '--max-instructions', '100000', '--harts', '1')).toMatchObject({ status: 3, stderr: expect.stringMatching(/hart 0: pc 0x80200000/) });
  });

  it('--trace prints the exits (SBI calls, device accesses) to stderr', () => {
    const r = boot(conformance('sbi'), '--harts', '1', '--trace');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/trace: @\d+ hart 0 ecall eid 0x10 fid \d+/);
    expect(r.stderr).toMatch(/trace: @\d+ hart 0 mmio-write 0x10000000 size 1/);
  });
});
