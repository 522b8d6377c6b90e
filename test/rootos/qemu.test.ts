import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guestOutput, qemuAvailable, QEMU_BINARY } from '../support/qemu.ts';
import { cpio, PROMPT, ROOTOS_ELF } from './lab.ts';

/**
 * Boots the root OS on the reference machine (QEMU virt + OpenSBI) with an initrd, types each command
 * once the prompt is back (bytes piped before the firmware is up can be lost), and returns the console.
 */
function sessionOnQemu(commands: string[], files: Record<string, string>, harts = 4): Promise<{ output: string; exitCode: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'rootos-qemu-'));
  writeFileSync(join(dir, 'initrd.cpio'), cpio(files));
  const args = ['-M', 'virt', '-nographic', '-bios', 'default', '-smp', String(harts), '-m', '256M', '-monitor', 'none',
    '-serial', 'stdio', '-kernel', ROOTOS_ELF, '-initrd', join(dir, 'initrd.cpio')];
  return new Promise((resolve, reject) => {
    const child = spawn(QEMU_BINARY, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let raw = '';
    let prompts = 0;
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (b: Buffer) => {
      raw += b.toString('latin1');
      const seen = raw.split(PROMPT).length - 1;
      if (seen > prompts && raw.endsWith(PROMPT)) {
        prompts = seen;
        child.stdin.write((commands[seen - 1] ?? 'poweroff') + '\n');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ output: guestOutput(raw).replace(/\r\n/g, '\n'), exitCode: code ?? -1 });
    });
  });
}

describe.skipIf(!qemuAvailable())('root-cell OS on QEMU virt', () => {
  it('boots with all harts, reads its initrd, runs commands and powers off', async () => {
    const r = await sessionOnQemu(['cat /etc/motd', 'cpus', 'md 0x0 4', 'jailhouse enable /etc/motd'], { 'etc/motd': 'hi from the initrd\n' });
    expect(r.output).toContain('CPUs 0-3 online');
    expect(r.output).toContain('initrd 1 KiB (2 files)');
    expect(r.output).toContain(`${PROMPT}cat /etc/motd\nhi from the initrd\n`);
    expect(r.output).toContain('online: 0-3\n');
    expect(r.output).toContain('md: access fault at 0x0 (scause 5)\n');
    expect(r.output).toMatch(/jailhouse: Not a system configuration\nJAILHOUSE_ENABLE: Invalid argument\n/);
    expect(r.output).toContain(`${PROMPT}poweroff\n`);
    expect(r.exitCode).toBe(0);
  });
});
