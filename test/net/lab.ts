/**
 * Test support for the ivshmem-net guests: the root OS with the hypervisor model, the shipped system and
 * cell configurations and inmates in its RAM disk, enabled, eth0 up with 192.168.19.1/24, and cells
 * created from the shipped configs.  Commands go through test/rootos/lab.ts.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { bootRootOs, root, type RootOsLab } from '../rootos/lab.ts';

const asset = (path: string) => new Uint8Array(readFileSync(resolve(root, 'assets/guests', path)));

export function netFiles(): Record<string, Uint8Array> {
  return {
    'etc/jailhouse/sysconfig.cell': asset('configs/sysconfig.cell'),
    'etc/jailhouse/ivshmem-net.cell': asset('configs/ivshmem-net.cell'),
    'etc/jailhouse/net-a.cell': asset('configs/net-a.cell'),
    'etc/jailhouse/net-b.cell': asset('configs/net-b.cell'),
    'demos/net-demo.bin': asset('inmates/net-demo.bin'),
    'demos/net-hostile.bin': asset('inmates/net-hostile.bin'),
  };
}

/** The board of the labs (6 harts, 1 GiB), the hypervisor enabled, eth0 configured and up. */
export function bootNetLab(): RootOsLab {
  const lab = bootRootOs({ harts: 6, ramSize: 1 << 30, files: netFiles(), hypervisor: true });
  lab.command('jailhouse enable /etc/jailhouse/sysconfig.cell');
  lab.command('ip addr add 192.168.19.1/24 dev eth0');
  lab.command('ip link set eth0 up');
  return lab;
}

/** Creates, loads (with `cmdline` at 0x100) and starts a cell from the shipped configs. */
export function startCell(lab: RootOsLab, cell: string, image: string, cmdline: string): string {
  return [
    lab.command(`jailhouse cell create /etc/jailhouse/${cell}.cell`),
    lab.command(`jailhouse cell load ${cell} /demos/${image}.bin -s "${cmdline}" -a 0x100`),
    lab.command(`jailhouse cell start ${cell}`),
  ].join('');
}

/** Runs until the root console (from `from` on) contains `text`. */
export function runUntilRoot(lab: RootOsLab, text: string, from = 0, budget = 300_000_000): boolean {
  lab.runUntil(() => lab.output().slice(from).includes(text), budget);
  return lab.output().slice(from).includes(text);
}
