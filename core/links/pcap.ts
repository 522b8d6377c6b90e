/*
 * The classic libpcap file format (what tcpdump -w writes and Wireshark opens): a 24-byte global header
 * (magic 0xa1b2c3d4 little-endian, version 2.4, snaplen, link type) and one 16-byte record header per
 * packet (seconds, microseconds, captured length, original length). The lab stamps packets with the
 * machine's virtual time, so a deterministic run writes byte-identical files.
 */

export const PCAP_MAGIC = 0xa1b2c3d4;
export const LINKTYPE_ETHERNET = 1;
export const PCAP_SNAPLEN = 65535;

export function pcapHeader(linkType = LINKTYPE_ETHERNET, snaplen = PCAP_SNAPLEN): Uint8Array {
  const out = new Uint8Array(24);
  const v = new DataView(out.buffer);
  v.setUint32(0, PCAP_MAGIC, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setInt32(8, 0, true); // thiszone
  v.setUint32(12, 0, true); // sigfigs
  v.setUint32(16, snaplen, true);
  v.setUint32(20, linkType, true);
  return out;
}

/** One record: header + the captured bytes (cut to the snap length); `originalLength` defaults to the bytes'. */
export function pcapRecord(timeNs: number, bytes: Uint8Array, originalLength = bytes.length, snaplen = PCAP_SNAPLEN): Uint8Array {
  const caught = bytes.subarray(0, Math.min(bytes.length, snaplen));
  const out = new Uint8Array(16 + caught.length);
  const v = new DataView(out.buffer);
  const us = Math.max(0, Math.floor(timeNs / 1000));
  v.setUint32(0, Math.floor(us / 1_000_000) >>> 0, true);
  v.setUint32(4, us % 1_000_000, true);
  v.setUint32(8, caught.length, true);
  v.setUint32(12, originalLength >>> 0, true);
  out.set(caught, 16);
  return out;
}

/** A whole file of packets. */
export function pcapFile(packets: Iterable<{ timeNs: number; bytes: Uint8Array; length?: number }>): Uint8Array {
  const parts = [pcapHeader()];
  for (const p of packets) parts.push(pcapRecord(p.timeNs, p.bytes, p.length ?? p.bytes.length));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
