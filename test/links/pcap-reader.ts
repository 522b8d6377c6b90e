/*
 * A pcap reader written for the tests from the file format's description (not core/links/pcap.ts), so a
 * file the lab writes is checked by an independent parser: global header, then records until the end.
 */
export interface PcapPacket { seconds: number; micros: number; captured: number; original: number; bytes: Uint8Array }

export function readPcap(file: Uint8Array): { linkType: number; snaplen: number; packets: PcapPacket[] } {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length < 24) throw new Error('pcap: shorter than its global header');
  const magic = dv.getUint32(0, true);
  if (magic !== 0xa1b2c3d4) throw new Error(`pcap: magic 0x${magic.toString(16)} is not little-endian microsecond pcap`);
  if (dv.getUint16(4, true) !== 2 || dv.getUint16(6, true) !== 4) throw new Error('pcap: not version 2.4');
  const packets: PcapPacket[] = [];
  let at = 24;
  while (at < file.length) {
    if (at + 16 > file.length) throw new Error(`pcap: truncated record header at ${at}`);
    const captured = dv.getUint32(at + 8, true);
    if (at + 16 + captured > file.length) throw new Error(`pcap: record at ${at} runs past the end`);
    packets.push({ seconds: dv.getUint32(at, true), micros: dv.getUint32(at + 4, true), captured, original: dv.getUint32(at + 12, true), bytes: file.slice(at + 16, at + 16 + captured) });
    at += 16 + captured;
  }
  return { linkType: dv.getUint32(20, true), snaplen: dv.getUint32(16, true), packets };
}

/** ICMP echo (type, id, seq) of an Ethernet/IPv4 frame, parsed by hand; undefined for anything else. */
export function icmpEchoOf(f: Uint8Array): { type: 'request' | 'reply'; id: number; seq: number; src: string; dst: string } | undefined {
  if (f.length < 42 || f[12] !== 0x08 || f[13] !== 0x00 || f[23] !== 1) return undefined;
  const ihl = (f[14]! & 0xf) * 4, icmp = 14 + ihl;
  if (f[icmp] !== 8 && f[icmp] !== 0) return undefined;
  return {
    type: f[icmp] === 8 ? 'request' : 'reply', id: (f[icmp + 4]! << 8) | f[icmp + 5]!, seq: (f[icmp + 6]! << 8) | f[icmp + 7]!,
    src: Array.from(f.subarray(26, 30)).join('.'), dst: Array.from(f.subarray(30, 34)).join('.'),
  };
}
