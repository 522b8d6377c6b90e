import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LINKTYPE_ETHERNET, pcapFile, pcapHeader, pcapRecord } from '../../core/links/pcap.ts';
import { icmpEcho, udpFrame } from './linux-net-peer.ts';
import { icmpEchoOf, readPcap } from './pcap-reader.ts';

const TCPDUMP = '/usr/bin/tcpdump';

function sample(): Uint8Array {
  const packets = [];
  for (let seq = 1; seq <= 3; seq++) {
    packets.push({ timeNs: seq * 1_000_000_123, bytes: icmpEcho({ request: true, src: '192.168.19.1', dst: '192.168.19.2', id: 0x1234, seq }) });
    packets.push({ timeNs: seq * 1_000_000_123 + 250_000, bytes: icmpEcho({ request: false, src: '192.168.19.2', dst: '192.168.19.1', id: 0x1234, seq }) });
  }
  packets.push({ timeNs: 9_000_000_000, bytes: udpFrame('192.168.19.1', '192.168.19.2', 5000, 7, new TextEncoder().encode('hello')) });
  return pcapFile(packets);
}

describe('pcap files', () => {
  it('global header: magic, version 2.4, snap length, LINKTYPE_ETHERNET', () => {
    expect(Array.from(pcapHeader())).toEqual([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0]);
  });

  it('records carry virtual time as seconds + microseconds, captured and original length', () => {
    const r = pcapRecord(3_000_250_999, new Uint8Array([1, 2, 3]), 1500);
    const dv = new DataView(r.buffer);
    expect([dv.getUint32(0, true), dv.getUint32(4, true), dv.getUint32(8, true), dv.getUint32(12, true)]).toEqual([3, 250, 3, 1500]);
    expect(Array.from(r.subarray(16))).toEqual([1, 2, 3]);
    expect(pcapRecord(0, new Uint8Array(70000)).length).toBe(16 + 65535);
  });

  it('the test\'s own reader finds the echo request/reply pairs', () => {
    const file = readPcap(sample());
    expect(file.linkType).toBe(LINKTYPE_ETHERNET);
    const echoes = file.packets.map((p) => icmpEchoOf(p.bytes)).filter((e) => e !== undefined);
    expect(echoes.map((e) => `${e.type} ${e.seq}`)).toEqual(['request 1', 'reply 1', 'request 2', 'reply 2', 'request 3', 'reply 3']);
    expect(file.packets[1]!.seconds * 1e6 + file.packets[1]!.micros).toBe(1_000_250);
  });

  it.skipIf(!existsSync(TCPDUMP))('tcpdump -r reads it (skipped when Debian tcpdump is not installed)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jlab-pcap-'));
    const path = join(dir, 'link.pcap');
    writeFileSync(path, sample());
    const text = execFileSync(TCPDUMP, ['-n', '-tt', '-r', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toMatch(/^1\.000000 IP 192\.168\.19\.1 > 192\.168\.19\.2: ICMP echo request, id 4660, seq 1, length 64$/);
    expect(lines[1]).toMatch(/^1\.000250 IP 192\.168\.19\.2 > 192\.168\.19\.1: ICMP echo reply, id 4660, seq 1, length 64$/);
    expect(lines[6]).toMatch(/^9\.000000 IP 192\.168\.19\.1\.5000 > 192\.168\.19\.2\.7: UDP, length 5$/);
  });
});
