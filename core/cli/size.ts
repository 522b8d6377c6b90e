/** Parses a byte size such as `1G`, `256M`, `64K`, `4096` or `0x1000`; undefined if malformed. */
export function parseSize(text: string): number | undefined {
  const m = /^(0x[0-9a-f]+|\d+)\s*([KMG]i?B?)?$/i.exec(text.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  const unit = (m[2] ?? '').charAt(0).toUpperCase();
  const scale = unit === 'K' ? 1024 : unit === 'M' ? 1024 ** 2 : unit === 'G' ? 1024 ** 3 : 1;
  return base * scale;
}
