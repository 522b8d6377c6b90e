import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../core/links/ethernet.ts';
import { icmpEcho, udpFrame } from './linux-net-peer.ts';

function arp(op: 1 | 2): Uint8Array {
  const f = new Uint8Array(42);
  f.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, op]);
  f.set([0x02, 0, 0, 0, 0, 1, 192, 168, 19, 1], 22);
  f.set([0, 0, 0, 0, 0, 0, 192, 168, 19, 2], 32);
  return f;
}

describe('frame decoder', () => {
  it('ICMP echo request and reply, with checksums verified', () => {
    const req = decodeFrame(icmpEcho({ request: true, src: '192.168.19.1', dst: '192.168.19.2', id: 3, seq: 9 }));
    expect(req.ethernet).toEqual({ dst: '02:00:00:00:00:02', src: '02:00:00:00:00:01', type: 0x0800 });
    expect(req.ipv4).toMatchObject({ src: '192.168.19.1', dst: '192.168.19.2', protocol: 1, ttl: 64, totalLength: 84, checksumOk: true });
    expect(req.icmp).toEqual({ type: 8, code: 0, id: 3, seq: 9, dataLength: 56, checksumOk: true });
    expect(req.summary).toBe('192.168.19.1 > 192.168.19.2: ICMP echo request, id 3, seq 9, length 64');
    const bad = icmpEcho({ request: false, src: '192.168.19.2', dst: '192.168.19.1', id: 3, seq: 9 });
    bad[50] ^= 0xff;
    expect(decodeFrame(bad).summary).toBe('192.168.19.2 > 192.168.19.1: ICMP echo reply, id 3, seq 9, length 64 [bad ICMP checksum]');
  });

  it('ARP request and reply', () => {
    expect(decodeFrame(arp(1)).summary).toBe('ARP, Request who-has 192.168.19.2 tell 192.168.19.1, length 28');
    expect(decodeFrame(arp(2)).arp).toEqual({ op: 2, senderMac: '02:00:00:00:00:01', senderIp: '192.168.19.1', targetMac: '00:00:00:00:00:00', targetIp: '192.168.19.2' });
  });

  it('UDP with its payload', () => {
    const f = decodeFrame(udpFrame('10.0.0.1', '10.0.0.2', 5000, 7, new TextEncoder().encode('ping')));
    expect(f.udp).toMatchObject({ srcPort: 5000, dstPort: 7, length: 12 });
    expect(new TextDecoder().decode(f.udp!.payload)).toBe('ping');
    expect(f.summary).toBe('10.0.0.1.5000 > 10.0.0.2.7: UDP, length 4');
  });

  it('truncated and foreign frames say what is wrong', () => {
    expect(decodeFrame(new Uint8Array(5)).summary).toBe('5 bytes: truncated Ethernet header (5 bytes)');
    const ip = icmpEcho({ request: true, src: '1.2.3.4', dst: '5.6.7.8', id: 1, seq: 1 });
    expect(decodeFrame(ip.subarray(0, 30)).problem).toBe('truncated IPv4 header');
    const v6 = new Uint8Array(60); v6[12] = 0x86; v6[13] = 0xdd;
    expect(decodeFrame(v6).summary).toBe('00:00:00:00:00:00 > 00:00:00:00:00:00, ethertype 0x86dd, length 60');
    expect(decodeFrame(ip.subarray(0, 60)).problem).toMatch(/total length 84 beyond/);
  });

  it('random bytes never throw', () => {
    let seed = 7;
    const rnd = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed; };
    for (let k = 0; k < 20000; k++) {
      const f = Uint8Array.from({ length: rnd() % 120 }, () => rnd() & 0xff);
      if (k % 3 === 0 && f.length > 14) { f[12] = 8; f[13] = k % 2 ? 0 : 6; if (f.length > 15) f[14] = 0x40 | (rnd() % 16); if (f.length > 24) f[23] = [1, 17][k % 2]!; }
      expect(typeof decodeFrame(f).summary).toBe('string');
    }
  });
});
