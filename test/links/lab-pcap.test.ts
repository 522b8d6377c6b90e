/**
 * `jailhouse-lab test --pcap DIR` on the ivshmem-net lab writes a pcap file per link that an independent
 * reader (the test's own, and tcpdump when installed) finds the ping's echo request/reply pairs in; a
 * second run writes the same bytes (virtual time stamps). Skips until the lab is in the tree.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { icmpEchoOf, readPcap } from './pcap-reader.ts';

const root = resolve(import.meta.dirname, '../..');
const lab = resolve(root, 'assets/labs/ivshmem-net.yaml');
const TCPDUMP = '/usr/bin/tcpdump';

function capture(): { stdout: string; file: Uint8Array; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'jlab-lab-pcap-'));
  const r = spawnSync(process.execPath, [resolve(root, 'bin/jailhouse-lab.mjs'), 'test', lab, '--pcap', dir], { encoding: 'utf8', timeout: 300_000 });
  expect(r.stdout, r.stderr).toMatch(/: PASS \(\d+ instructions\)/);
  const path = join(dir, 'ivshmem-net-00_10.0.pcap');
  expect(r.stdout).toMatch(/pcap: \d+ frames in .*ivshmem-net-00_10\.0\.pcap/);
  return { stdout: r.stdout, file: new Uint8Array(readFileSync(path)), path };
}

describe.skipIf(!existsSync(lab))('ivshmem-net lab capture (--pcap)', () => {
  it('the file holds every echo request with its reply, in order, and two runs write the same bytes', () => {
    const first = capture();
    const pcap = readPcap(first.file);
    expect(pcap.linkType).toBe(1);
    const echoes = pcap.packets.map((p, k) => ({ ...icmpEchoOf(p.bytes), k, t: p.seconds * 1e6 + p.micros })).filter((e) => e.type !== undefined);
    const requests = echoes.filter((e) => e.type === 'request' && e.dst === '192.168.19.2');
    expect(requests.length).toBeGreaterThanOrEqual(5); // ping -c 5 (and the lab's later ping -c 2)
    for (const req of requests) {
      const reply = echoes.find((e) => e.type === 'reply' && e.id === req.id && e.seq === req.seq && e.src === '192.168.19.2');
      expect(reply, `reply to id ${req.id} seq ${req.seq}`).toBeDefined();
      expect(reply!.k).toBeGreaterThan(req.k);
      expect(reply!.t).toBeGreaterThanOrEqual(req.t);
    }
    // A UDP frame of the 1400-byte echo is in there too, whole.
    expect(pcap.packets.some((p) => p.bytes.length === 14 + 20 + 8 + 1400 && p.bytes[23] === 17)).toBe(true);
    const again = capture();
    expect(Buffer.compare(Buffer.from(again.file), Buffer.from(first.file))).toBe(0);
  });

  it.skipIf(!existsSync(TCPDUMP))('tcpdump -r reads the file (skipped when Debian tcpdump is not installed)', () => {
    const { path } = capture();
    const text = execFileSync(TCPDUMP, ['-n', '-r', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(text).toMatch(/IP 192\.168\.19\.1 > 192\.168\.19\.2: ICMP echo request, id \d+, seq 1, length 64/);
    expect(text).toMatch(/IP 192\.168\.19\.2 > 192\.168\.19\.1: ICMP echo reply, id \d+, seq 1, length 64/);
    expect(text).toMatch(/ARP, Request who-has 192\.168\.19\.2 tell 192\.168\.19\.1/);
  });
});
