/**
 * IPv4 and IPv6 text → numbers, read straight from the bytes of a line so the hot path never builds a string.
 * IPv4 becomes one unsigned 32-bit integer; IPv6 four 32-bit words, most significant first. Strict: no zone ids,
 * no leading zeros in IPv4 octets (they are octal to some tools, so their meaning is ambiguous), no prefix lengths.
 */

const DOT = 0x2e;
const COLON = 0x3a;

/** Parses dotted-quad IPv4 in buf[s, e). Returns the address as an unsigned integer, or -1. */
export function parseIPv4(buf: Uint8Array, s: number, e: number): number {
  let value = 0;
  let octets = 0;
  let i = s;
  while (i < e) {
    const first = i;
    let octet = 0;
    while (i < e) {
      const d = buf[i] - 0x30;
      if (d < 0 || d > 9) break;
      octet = octet * 10 + d;
      i++;
    }
    const len = i - first;
    if (len === 0 || len > 3 || octet > 255 || (len > 1 && buf[first] === 0x30)) return -1;
    value = value * 256 + octet;
    octets++;
    if (i === e) break;
    if (buf[i] !== DOT || octets === 4) return -1;
    i++;
    if (i === e) return -1;
  }
  return octets === 4 ? value : -1;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x57;
  return -1;
}

const groups = new Uint16Array(8);

/** Parses IPv6 text in buf[s, e) into out[o..o+3]. Returns false (out untouched) when it is not IPv6. */
export function parseIPv6(buf: Uint8Array, s: number, e: number, out: Uint32Array, o: number): boolean {
  let n = 0;
  let gap = -1;
  let i = s;
  if (e - s < 2) return false;
  if (buf[i] === COLON) {
    if (buf[i + 1] !== COLON) return false;
    gap = 0;
    i += 2;
  }
  while (i < e) {
    let j = i;
    let v = 0;
    while (j < e && j - i < 5) {
      const h = hexValue(buf[j]);
      if (h < 0) break;
      v = v * 16 + h;
      j++;
    }
    if (j === i) return false;
    if (j < e && buf[j] === DOT) {
      if (n > 6) return false;
      const v4 = parseIPv4(buf, i, e);
      if (v4 < 0) return false;
      groups[n++] = v4 >>> 16;
      groups[n++] = v4 & 0xffff;
      break;
    }
    if (j - i > 4 || n === 8) return false;
    groups[n++] = v;
    if (j === e) break;
    if (buf[j] !== COLON) return false;
    j++;
    if (j === e) return false;
    if (buf[j] === COLON) {
      if (gap >= 0) return false;
      gap = n;
      j++;
    }
    i = j;
  }
  if (gap < 0 ? n !== 8 : n > 7) return false;
  writeWords(gap, n, out, o);
  return true;
}

function writeWords(gap: number, n: number, out: Uint32Array, o: number): void {
  const zeros = gap < 0 ? 0 : 8 - n;
  let hi = 0;
  for (let k = 0, src = 0; k < 8; k++) {
    let g = 0;
    if (gap >= 0 && k >= gap && k < gap + zeros) g = 0;
    else g = groups[src++];
    if ((k & 1) === 0) hi = g;
    else out[o + (k >> 1)] = ((hi << 16) | g) >>> 0;
  }
}

/** Formats an IPv4 integer as text (for tests, reports and the demo, never the parse hot path). */
export function formatIPv4(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}
