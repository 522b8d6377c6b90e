/**
 * Test support for virtio over ivshmem: the root OS booted with the hypervisor on the lab board (6 harts,
 * 1 GiB, the shipped sysconfig and virtio cell configs and demos), helpers to create and start a virtio
 * cell and to reach the link's R/W section from the host (to play a hostile peer).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { bootRootOs, root, type RootOsLab } from '../rootos/lab.ts';

const asset = (p: string) => new Uint8Array(readFileSync(resolve(root, 'assets/guests', p)));

/** The links of guests/configs/sysconfig.yaml (state table, R/W section). */
export const CONSOLE_LINK = { bdf: '00:0d.0', state: 0xbe80_0000, rw: 0xbe80_1000, rwSize: 60 << 10 };
export const BLOCK_LINK = { bdf: '00:0f.0', state: 0xbe81_0000, rw: 0xbe81_1000, rwSize: 956 << 10 };

export function bootVirtioLab(extraFiles: Record<string, Uint8Array> = {}): RootOsLab {
  const lab = bootRootOs({
    harts: 6, ramSize: 1 << 30, hypervisor: true,
    files: {
      'etc/jailhouse/sysconfig.cell': asset('configs/sysconfig.cell'),
      'etc/jailhouse/virtio-console.cell': asset('configs/virtio-console.cell'),
      'etc/jailhouse/virtio-blk.cell': asset('configs/virtio-blk.cell'),
      'demos/virtio-console-demo.bin': asset('inmates/virtio-console-demo.bin'),
      'demos/virtio-blk-demo.bin': asset('inmates/virtio-blk-demo.bin'),
      'disk.img': asset('disks/virtio-blk.img'),
      ...extraFiles,
    },
  });
  lab.waitForPrompt(0, 100_000_000);
  const enable = lab.command('jailhouse enable /etc/jailhouse/sysconfig.cell');
  if (!enable.includes('The Jailhouse is opening.')) throw new Error(`enable failed: ${enable}\n${lab.stream('hypervisor')}`);
  return lab;
}

/** Creates, loads (with an optional command line) and starts a cell of the shipped configs. */
export function startCell(lab: RootOsLab, name: 'virtio-console' | 'virtio-blk', cmdline?: string): void {
  const demo = `${name}-demo.bin`;
  if (!shell(lab, 'jailhouse cell list', ['ID', '~# ']).includes(name)) shell(lab, `jailhouse cell create /etc/jailhouse/${name}.cell`, [`Created Jailhouse cell "${name}"`, '~# ']);
  shell(lab, `jailhouse cell load ${name} /demos/${demo}${cmdline ? ` -s "${cmdline}" -a 0x100` : ''}`, ['~# ']);
  shell(lab, `jailhouse cell start ${name}`, ['~# ']);
}

/**
 * Types a line into the root shell and runs until everything in `texts` appeared after it. A background
 * job may print after the prompt (and the editor redraws on the next key), so commands are not delimited
 * by prompts here. Returns the output since the line was typed.
 */
export function shell(lab: RootOsLab, line: string, texts: string[], budget = 200_000_000): string {
  const from = lab.output().length;
  lab.type(line + '\n');
  const seen = () => { const o = lab.output().slice(from); return texts.every((t) => o.includes(t)); };
  lab.runUntil(seen, budget);
  return lab.output().slice(from);
}

/** Runs until `text` appears in a stream ("uart0" is the root console, "cell:NAME", "uart1", ...). */
export function runUntilText(lab: RootOsLab, stream: string, text: string, budget = 400_000_000): boolean {
  const has = () => (stream === 'uart0' ? lab.output() : lab.stream(stream)).includes(text);
  lab.runUntil(has, budget);
  return has();
}

/** Host access to the board's RAM (the link's shared memory), little-endian. */
export class Shm {
  constructor(private readonly lab: RootOsLab) {}
  private at(hpa: number): number {
    return this.lab.machine.ram.offsetOf(hpa);
  }
  u8(hpa: number): number { return this.lab.machine.ram.view.getUint8(this.at(hpa)); }
  u16(hpa: number): number { return this.lab.machine.ram.view.getUint16(this.at(hpa), true); }
  u32(hpa: number): number { return this.lab.machine.ram.view.getUint32(this.at(hpa), true); }
  u64(hpa: number): number { return Number(this.lab.machine.ram.view.getBigUint64(this.at(hpa), true)); }
  set8(hpa: number, v: number): void { this.lab.machine.ram.view.setUint8(this.at(hpa), v); }
  set16(hpa: number, v: number): void { this.lab.machine.ram.view.setUint16(this.at(hpa), v, true); }
  set32(hpa: number, v: number): void { this.lab.machine.ram.view.setUint32(this.at(hpa), v >>> 0, true); }
  set64(hpa: number, v: number): void { this.lab.machine.ram.view.setBigUint64(this.at(hpa), BigInt(v), true); }
}

/** Header offsets (shared/spec/virtio-ivshmem.md). */
export const H = {
  revision: 0, size: 4, writeTransaction: 8, deviceFeatures: 12, deviceFeaturesSel: 16, driverFeatures: 20,
  driverFeaturesSel: 24, queueSel: 28, queueSize: 32, queueDeviceVector: 34, queueDriverVector: 36, queueEnable: 38,
  queueDesc: 40, queueDriver: 48, queueDevice: 56, configEvent: 64, queueEvent: 65, deviceStatus: 68,
  configGeneration: 72, config: 76,
} as const;
