/**
 * A peer gone bad: the cell runs net-hostile, which scribbles random bytes (and plausible-looking but
 * wrong indices, descriptors and frames) over its own output section 1,000 times, kicking the root cell
 * after each round.  The root's driver must stay inside the sections, keep its shell responsive, count
 * what it dropped, and take the link up again when the peer resets cleanly.
 */
import { expect, it } from 'vitest';
import { bootNetLab, startCell } from './lab.ts';

/** The RX/TX counter rows of `ip -s link`: [bytes, packets, errors, dropped]. */
function counters(out: string, dir: 'RX' | 'TX'): number[] {
  const m = out.match(new RegExp(`${dir}:  bytes packets errors dropped\\n\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)`));
  expect(m, out).not.toBeNull();
  return m!.slice(1).map(Number);
}

it('a peer scribbling over its output section 1,000 times costs the root only dropped frames', () => {
  const lab = bootNetLab();
  startCell(lab, 'ivshmem-net', 'net-hostile', 'rounds=1000 seed=7');
  const cell = () => lab.stream('cell:ivshmem-net');
  lab.runUntil(() => cell().includes('scribbling over my output section 1000 times'), 100_000_000);
  expect(lab.output()).toContain('eth0: link up\n');

  // the shell answers while the rounds go on
  lab.runUntil(() => lab.hv!.snapshot().links.some((l) => l.doorbells > 300), 100_000_000);
  expect(cell()).not.toContain('done');
  expect(lab.command('echo still here')).toMatch(/still here\n$/);

  lab.runUntil(() => cell().includes('net-hostile: done, 1000 rounds'), 200_000_000);
  const after = lab.command('ip -s link');
  const [, rxPackets, rxErrors, rxDropped] = counters(after, 'RX');
  expect(rxErrors).toBeGreaterThan(100);
  expect(rxDropped).toBeGreaterThanOrEqual(rxErrors);
  expect(rxDropped).toBeGreaterThan(rxPackets);
  expect(after).toMatch(/interrupts (\d{4}|[3-9]\d\d),/);   // it was kicked for every round

  // the peer resets and comes back cleanly: the link follows and works
  lab.runUntil(() => cell().split('eth0: link up').length === 3, 100_000_000);
  expect(lab.output()).toContain('eth0: link down\n');
  const ping = lab.command('ping -c 2 192.168.19.2');
  expect(ping).toContain('2 packets transmitted, 2 received, 0% packet loss');

  const hv = lab.stream('hypervisor');
  expect(hv).not.toContain('FATAL');
  expect(hv).not.toContain('Invalid');
  expect(lab.command('jailhouse cell list')).toMatch(/0\s+qemu-riscv64\s+running[\s\S]*1\s+ivshmem-net\s+running/);
}, 300_000);
