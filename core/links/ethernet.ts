/*
 * Ethernet frames decoded into typed layers: Ethernet II, ARP, IPv4, ICMP, UDP (what the lab's guests
 * speak). Bytes are parsed once here; a layer that does not fit its bytes becomes a `truncated`/`problem`
 * note on the last layer that did, never an exception, so garbage from shared memory decodes as garbage.
 */

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const IPPROTO_ICMP = 1;
export const IPPROTO_UDP = 17;

export interface EthernetHeader { dst: string; src: string; type: number }
export interface ArpPacket { op: number; senderMac: string; senderIp: string; targetMac: string; targetIp: string }
export interface Ipv4Header {
  src: string; dst: string; protocol: number; ttl: number; id: number; totalLength: number;
  headerLength: number; fragmentOffset: number; moreFragments: boolean; checksumOk: boolean;
}
export interface IcmpMessage { type: number; code: number; id: number; seq: number; dataLength: number; checksumOk: boolean }
export interface UdpDatagram { srcPort: number; dstPort: number; length: number; payload: Uint8Array }

export interface DecodedFrame {
  length: number;
  ethernet?: EthernetHeader;
  arp?: ArpPacket;
  ipv4?: Ipv4Header;
  icmp?: IcmpMessage;
  udp?: UdpDatagram;
  /** What could not be decoded, if anything ("truncated IPv4 header", ...). */
  problem?: string;
  /** One line in the manner of tcpdump: "192.168.19.1 > 192.168.19.2: ICMP echo request, id 1, seq 3, length 64". */
  summary: string;
}

const hex2 = (b: number) => b.toString(16).padStart(2, '0');
export const formatMac = (b: Uint8Array, at: number) => Array.from(b.subarray(at, at + 6), hex2).join(':');
export const formatIpv4 = (b: Uint8Array, at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
const be16 = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;

/** The Internet checksum (RFC 1071) of b[at, at + len): 0 when a header with its checksum field sums right. */
export function internetChecksum(b: Uint8Array, at: number, len: number): number {
  let sum = 0;
  for (let k = 0; k + 1 < len; k += 2) sum += be16(b, at + k);
  if (len & 1) sum += b[at + len - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const ICMP_TYPES: Record<number, string> = { 0: 'echo reply', 3: 'destination unreachable', 8: 'echo request', 11: 'time exceeded' };

export function decodeFrame(bytes: Uint8Array): DecodedFrame {
  const frame: DecodedFrame = { length: bytes.length, summary: '' };
  if (bytes.length < 14) {
    frame.problem = `truncated Ethernet header (${bytes.length} bytes)`;
    frame.summary = `${bytes.length} bytes: ${frame.problem}`;
    return frame;
  }
  const eth: EthernetHeader = { dst: formatMac(bytes, 0), src: formatMac(bytes, 6), type: be16(bytes, 12) };
  frame.ethernet = eth;
  if (eth.type === ETHERTYPE_ARP) decodeArp(bytes, frame);
  else if (eth.type === ETHERTYPE_IPV4) decodeIpv4(bytes, frame);
  else frame.summary = `${eth.src} > ${eth.dst}, ethertype 0x${eth.type.toString(16).padStart(4, '0')}, length ${bytes.length}`;
  return frame;
}

function decodeArp(b: Uint8Array, frame: DecodedFrame): void {
  // Ethernet/IPv4 ARP only: htype 1, ptype 0x0800, hlen 6, plen 4.
  if (b.length < 14 + 28) {
    frame.problem = 'truncated ARP packet';
  } else if (be16(b, 14) !== 1 || be16(b, 16) !== ETHERTYPE_IPV4 || b[18] !== 6 || b[19] !== 4) {
    frame.problem = `ARP for hardware ${be16(b, 14)}, protocol 0x${be16(b, 16).toString(16)}`;
  } else {
    const arp: ArpPacket = { op: be16(b, 20), senderMac: formatMac(b, 22), senderIp: formatIpv4(b, 28), targetMac: formatMac(b, 32), targetIp: formatIpv4(b, 38) };
    frame.arp = arp;
    frame.summary = arp.op === 1 ? `ARP, Request who-has ${arp.targetIp} tell ${arp.senderIp}, length ${b.length - 14}`
      : arp.op === 2 ? `ARP, Reply ${arp.senderIp} is-at ${arp.senderMac}, length ${b.length - 14}`
        : `ARP, op ${arp.op}, length ${b.length - 14}`;
    return;
  }
  frame.summary = `${frame.ethernet!.src} > ${frame.ethernet!.dst}: ${frame.problem}`;
}

function decodeIpv4(b: Uint8Array, frame: DecodedFrame): void {
  const at = 14;
  const fail = (problem: string) => { frame.problem = problem; frame.summary = `${frame.ethernet!.src} > ${frame.ethernet!.dst}: IP ${problem}`; };
  if (b.length < at + 20) return fail('truncated IPv4 header');
  const version = b[at]! >> 4, ihl = (b[at]! & 0xf) * 4;
  if (version !== 4 || ihl < 20) return fail(`bad IPv4 version ${version} / header length ${ihl}`);
  if (b.length < at + ihl) return fail('truncated IPv4 options');
  const ip: Ipv4Header = {
    src: formatIpv4(b, at + 12), dst: formatIpv4(b, at + 16), protocol: b[at + 9]!, ttl: b[at + 8]!, id: be16(b, at + 4),
    totalLength: be16(b, at + 2), headerLength: ihl, fragmentOffset: (be16(b, at + 6) & 0x1fff) * 8,
    moreFragments: (b[at + 6]! & 0x20) !== 0, checksumOk: internetChecksum(b, at, ihl) === 0,
  };
  frame.ipv4 = ip;
  const end = Math.min(b.length, at + Math.max(ip.totalLength, ihl));
  const pay = at + ihl;
  const head = `${ip.src} > ${ip.dst}:`;
  const bad = ip.checksumOk ? '' : ' [bad IP checksum]';
  if (ip.totalLength > b.length - at) frame.problem = `IPv4 total length ${ip.totalLength} beyond the frame's ${b.length - at} bytes`;
  if (ip.fragmentOffset !== 0 || ip.moreFragments) {
    frame.summary = `${head} IP fragment offset ${ip.fragmentOffset}${ip.moreFragments ? '+' : ''}, proto ${ip.protocol}, length ${ip.totalLength}${bad}`;
    return;
  }
  if (ip.protocol === IPPROTO_ICMP && end - pay >= 8) {
    const icmp: IcmpMessage = {
      type: b[pay]!, code: b[pay + 1]!, id: be16(b, pay + 4), seq: be16(b, pay + 6), dataLength: end - pay - 8,
      checksumOk: internetChecksum(b, pay, end - pay) === 0,
    };
    frame.icmp = icmp;
    const what = ICMP_TYPES[icmp.type] ?? `type ${icmp.type} code ${icmp.code}`;
    const echo = icmp.type === 0 || icmp.type === 8 ? `, id ${icmp.id}, seq ${icmp.seq}` : '';
    frame.summary = `${head} ICMP ${what}${echo}, length ${end - pay}${bad}${icmp.checksumOk ? '' : ' [bad ICMP checksum]'}`;
  } else if (ip.protocol === IPPROTO_UDP && end - pay >= 8) {
    const length = be16(b, pay + 4);
    const udp: UdpDatagram = { srcPort: be16(b, pay), dstPort: be16(b, pay + 2), length, payload: b.slice(pay + 8, Math.min(end, pay + Math.max(8, length))) };
    frame.udp = udp;
    frame.summary = `${ip.src}.${udp.srcPort} > ${ip.dst}.${udp.dstPort}: UDP, length ${Math.max(0, length - 8)}${bad}`;
  } else {
    if (ip.protocol === IPPROTO_ICMP || ip.protocol === IPPROTO_UDP) frame.problem ??= `truncated ${ip.protocol === IPPROTO_ICMP ? 'ICMP' : 'UDP'} header`;
    frame.summary = `${head} ip-proto-${ip.protocol} ${ip.totalLength - ihl}${bad}`;
  }
  if (frame.problem) frame.summary += ` (${frame.problem})`;
}
