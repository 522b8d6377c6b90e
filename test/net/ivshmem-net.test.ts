/**
 * The ivshmem-net driver and IP stack of the guests (guests/net) between the root OS and net-demo in the
 * cell "ivshmem-net": the ring layout in shared memory as Linux's ivshmem-net lays it out (computed here
 * independently), the link state machine, ARP, ping both ways, UDP echo both ways with the root's
 * listener as a background job, bulk transfers, and errors a user can provoke.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RootOsLab } from '../rootos/lab.ts';
import { bootNetLab, startCell } from './lab.ts';

const STATE_TABLE = 0xbf70_0000, OUT0 = 0xbf70_1000, OUT1 = 0xbf78_0000, OUT_SIZE = 0x7f000;
const align = (x: number, a: number) => Math.ceil(x / a) * a;

/** The RX/TX counter row of `ip -s link`: [bytes, packets, errors, dropped]. */
function counters(out: string, dir: 'RX' | 'TX'): number[] {
  const m = out.match(new RegExp(`${dir}:  bytes packets errors dropped\\n\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)`));
  expect(m, out).not.toBeNull();
  return m!.slice(1).map(Number);
}

/** RFC 1071, written here independently of the guests' stack: 0 for a correct header or message. */
function internetChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Linux's ivshm_net_calc_qsize + vring_init(num, 64) for one output section. */
function layout(section: number) {
  let qlen = 4096, vrsize = 0;
  for (; qlen > 32; qlen >>= 1) {
    const used = align(16 * qlen + 2 * (3 + qlen), 64);
    vrsize = align(used + 6 + 8 * qlen, 64);
    if (vrsize < section / 8) break;
  }
  const usedOff = align(16 * qlen + 2 * (3 + qlen), 64);
  return { qlen, vrsize, qsize: section - vrsize, avail: 16 * qlen, used: usedOff };
}

describe('ivshmem-net between the root OS and net-demo', () => {
  let lab: RootOsLab;
  const cell = () => lab.stream('cell:ivshmem-net');
  const ram = () => lab.machine.ram;
  const u16 = (a: number) => ram().view.getUint16(ram().offsetOf(a), true);
  const u32 = (a: number) => ram().view.getUint32(ram().offsetOf(a), true);
  const u64 = (a: number) => Number(ram().view.getBigUint64(ram().offsetOf(a), true));

  /** A command's output; a line a background job printed first makes the editor redraw its prompt. */
  const run = (line: string) => lab.command(line).replace(/^\r?root@jailhouse-lab:~# \x1b\[K[^\n]*\n/, '');

  beforeAll(() => {
    lab = bootNetLab();
    expect(lab.output()).toContain('[1] ip link set eth0 up\n');
    startCell(lab, 'ivshmem-net', 'net-demo', 'ip=192.168.19.2/24');
    lab.runUntil(() => lab.output().includes('eth0: link up'), 100_000_000);
  }, 120_000);

  it('brings the link up through RESET, INIT, READY and RUN on both ends', () => {
    expect(u32(STATE_TABLE)).toBe(3);
    expect(u32(STATE_TABLE + 4)).toBe(3);
    expect(cell()).toContain('net-demo: eth0: MAC 02:00:00:00:80:02, MTU 16384, queue 2048, inet 192.168.19.2/24\n');
    expect(cell()).toContain('net-demo: eth0: link up\n');
    const link = run('ip link');
    expect(link).toContain('1: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 16384 state UP\n');
    expect(link).toContain('    link/ether 02:00:00:00:80:01 brd ff:ff:ff:ff:ff:ff\n');
    expect(link).toContain('    ivshmem-net 00:10.0 peer 1, state RUN, peer state RUN, queue 2048\n');
    expect(run('jobs')).toBe('[1]  Running  ip link set eth0 up\n');
  });

  it('puts frames where a Linux peer looks for them', () => {
    const l = layout(OUT_SIZE);
    expect(l).toMatchObject({ qlen: 2048, vrsize: 0xd080, used: 0x9040 });
    const before = u16(OUT0 + l.avail + 2);
    expect(run('ping -c 1 192.168.19.2')).toContain('1 packets transmitted, 1 received');
    // the root's TX ring: its own section; avail idx moved by the echo request (and maybe an ARP request)
    const idx = u16(OUT0 + l.avail + 2);
    expect((idx - before) & 0xffff).toBeGreaterThanOrEqual(1);
    const desc = u16(OUT0 + l.avail + 4 + 2 * ((idx - 1) % l.qlen));
    const offs = u64(OUT0 + 16 * desc), len = u32(OUT0 + 16 * desc + 8);
    expect(offs).toBeGreaterThanOrEqual(l.vrsize);               // an offset into the section, in the data area
    expect(offs).toBeLessThan(OUT_SIZE);
    expect((offs - l.vrsize) % 64).toBe(0);                      // slots of align(18 + len, 64)
    expect(len).toBe(14 + 20 + 8 + 56);                          // the echo request
    expect(u16(OUT0 + 16 * desc + 12)).toBe(0);                  // flags
    const frame = ram().u8.subarray(ram().offsetOf(OUT0 + offs), ram().offsetOf(OUT0 + offs) + len);
    expect([...frame.subarray(0, 6)]).toEqual([2, 0, 0, 0, 0x80, 2]);
    expect([...frame.subarray(6, 12)]).toEqual([2, 0, 0, 0, 0x80, 1]);
    expect([frame[12], frame[13], frame[14 + 9], frame[34]]).toEqual([0x08, 0x00, 1, 8]);
    expect(internetChecksum(frame.subarray(14, 34))).toBe(0);      // IPv4 header
    expect(internetChecksum(frame.subarray(34))).toBe(0);          // ICMP echo request
    // the receiver answers in ITS section: the used ring of the root's TX queue lives in OUT1
    expect(u16(OUT1 + l.used + 2)).toBe(idx);
    const used = OUT1 + l.used + 4 + 8 * ((idx - 1) % l.qlen);
    expect(u32(used)).toBe(desc);
    expect(u32(used + 4)).toBe(1);                               // used.len = 1
    // and the cell's reply went through its own ring in OUT1, consumed by the root (used ring in OUT0)
    const cidx = u16(OUT1 + l.avail + 2);
    expect(u16(OUT0 + l.used + 2)).toBe(cidx);
  });

  it('resolves the cell with ARP and answers its pings from the background job', () => {
    expect(run('ip neigh')).toBe('192.168.19.2 dev eth0 lladdr 02:00:00:00:80:02 REACHABLE\n');
    run('jailhouse cell shutdown ivshmem-net');
    run('jailhouse cell load ivshmem-net /demos/net-demo.bin -s "ip=192.168.19.2/24 ping=192.168.19.1 count=2 send=192.168.19.1" -a 0x100');
    expect(run('udp listen -e 7 &')).toBe('[2] udp listen -e 7\n');
    run('jailhouse cell start ivshmem-net');
    // the prompt stays idle: the job answers ARP, both pings and the datagram
    lab.runUntil(() => cell().includes('net-demo: echo from'), 100_000_000);
    expect(cell()).toContain('net-demo: 64 bytes from 192.168.19.1: icmp_seq=2 ttl=64 time=');
    expect(cell()).toContain('net-demo: 2 packets transmitted, 2 received\n');
    expect(cell()).toContain('net-demo: echo from 192.168.19.1:7, 23 bytes: hello from 192.168.19.2\n');
    expect(lab.output()).toContain('udp: 23 bytes from 192.168.19.2:40000: hello from 192.168.19.2\n');
    expect(run('jobs')).toBe('[1]  Running  ip link set eth0 up\n[2]  Running  udp listen -e 7\n');
    expect(run('kill %2')).toBe('[2]  Terminated  udp listen -e 7\n');
  });

  it('echoes text and a 1400-byte payload intact, and moves bulk datagrams with flow control', () => {
    expect(run('udp send 192.168.19.2 7 hello cell')).toBe(
      'udp: sent 1 datagram, 10 bytes to 192.168.19.2:7\nudp: reply from 192.168.19.2:7: 10 bytes: hello cell\n');
    expect(run('udp send -s 1400 192.168.19.2 7')).toBe(
      'udp: sent 1 datagram, 1400 bytes to 192.168.19.2:7\nudp: reply from 192.168.19.2:7: 1400 bytes, payload intact\n');
    expect(cell()).toContain('net-demo: udp from 192.168.19.1:49153 to port 7, 1400 bytes: abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl...\n');
    const bulk = run('udp send -n 4 -s 12000 192.168.19.2 7');
    expect(bulk).toMatch(/^udp: sent 4 datagrams, 48000 bytes to 192\.168\.19\.2:7 in \d+\.\d{3} ms\nudp: 4 replies, 48000 bytes, 4 intact\n$/);
    // 40 slots of 12032 bytes are more than the data area holds: the sender waits for the receiver
    const tx = (out: string) => counters(out, 'TX');
    const before = tx(run('ip -s link'));
    expect(run('udp send -n 40 -s 12000 192.168.19.2 9')).toMatch(/^udp: sent 40 datagrams, 480000 bytes to 192\.168\.19\.2:9 in \d+\.\d{3} ms\nudp: 0 replies, 0 bytes, 0 intact\n$/);
    const after = tx(run('ip -s link'));
    expect(after[1]! - before[1]!).toBe(40);
    expect(after[0]! - before[0]!).toBe(40 * (12000 + 42));
    expect(after.slice(2)).toEqual([0, 0]);
    const big = run('udp send -s 16000 192.168.19.2 9');
    expect(big).toBe('udp: sent 1 datagram, 16000 bytes to 192.168.19.2:9\n');
    expect(run('udp send -s 16400 192.168.19.2 9')).toMatch(/^usage: udp send/);
  });

  it('pings like Linux ping, also flooding', () => {
    const out = run('ping -c 3 192.168.19.2');
    expect(out).toMatch(new RegExp([
      'PING 192.168.19.2 \\(192.168.19.2\\) 56\\(84\\) bytes of data.',
      ...[1, 2, 3].map((s) => `64 bytes from 192.168.19.2: icmp_seq=${s} ttl=64 time=0\\.\\d{3} ms`),
      '', '--- 192.168.19.2 ping statistics ---',
      '3 packets transmitted, 3 received, 0% packet loss, time 20\\d\\dms',
      'rtt min/avg/max/mdev = 0\\.\\d{3}/0\\.\\d{3}/0\\.\\d{3}/0\\.\\d{3} ms', ''].join('\n')));
    const flood = run('ping -f -c 50 -s 1000 192.168.19.2');
    expect(flood).toMatch(/^PING 192.168.19.2 \(192.168.19.2\) 1000\(1028\) bytes of data.\n\n--- 192.168.19.2 ping statistics ---\n50 packets transmitted, 50 received, 0% packet loss, time \d+ms\nrtt /);
    expect(run('ping -c 1 10.0.0.1')).toContain('ping: sendmsg: Network is unreachable\n');
  });

  it('loses the carrier when the cell goes, and gets it back when it returns', () => {
    run('jailhouse cell destroy ivshmem-net');
    lab.runUntil(() => lab.output().includes('eth0: link down\n'), 10_000_000);
    expect(u32(STATE_TABLE)).toBe(0);       // the root followed the peer to RESET...
    expect(u32(STATE_TABLE + 4)).toBe(0);
    const down = run('ip link');
    expect(down).toContain('1: eth0: <BROADCAST,MULTICAST,NO-CARRIER,UP> mtu 16384 state DOWN\n');
    expect(down).toContain('state RESET, peer state RESET');
    expect(run('ping -c 1 192.168.19.2')).toContain('ping: sendmsg: Network is down\n');
    const ups = lab.output().split('eth0: link up').length;
    startCell(lab, 'ivshmem-net', 'net-demo', 'ip=192.168.19.2/24');
    lab.runUntil(() => lab.output().split('eth0: link up').length > ups, 100_000_000);
    expect(run('ping -c 1 192.168.19.2')).toContain('1 packets transmitted, 1 received');
    // the administrator takes the link down: the peer follows to RESET, then waits in READY
    run('ip link set eth0 down');
    lab.runUntil(() => cell().endsWith('net-demo: eth0: link down\n'), 10_000_000);
    expect(run('ip link')).toContain('<BROADCAST,MULTICAST> mtu 16384 state DOWN');
    run('ip link set eth0 up');
    lab.runUntil(() => cell().endsWith('net-demo: eth0: link up\n'), 10_000_000);
    expect(run('ping -c 1 192.168.19.2')).toContain('1 packets transmitted, 1 received');
    expect(run('kill %1')).toBe('eth0: link down\n[1]  Terminated  ip link set eth0 up\n');
    expect(u32(STATE_TABLE)).toBe(0);
  });
});
