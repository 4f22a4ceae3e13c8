/**
 * The common case in one pass: a line whose numbers are plain digits and whose addresses are dotted-quad IPv4.
 * Each byte is read once, and numbers and addresses are decoded while the field is being found. Anything else
 * (`-`, IPv6, a wrong field count, a bad byte) returns FAST_NO and the caller takes the general two-pass path,
 * which alone decides what is wrong with a line — so the two paths cannot disagree on a rejection.
 */

export const KIND_TEXT = 0;
export const KIND_INT = 1;
export const KIND_ADDR = 2;

/** The general path must read this line. */
export const FAST_NO = 0;
/** Valid, every byte plain printable ASCII without `"` or `\`. */
export const FAST_PLAIN = 1;
/** Valid as far as this path checks, but a text field has bytes that need care (non-ASCII, quote…). */
export const FAST_SPECIAL = 2;

/** Where one pass writes what it read: the FlowLine's own arrays. */
export interface ScanTarget {
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly nums: Float64Array;
  readonly v4: Float64Array;
  readonly addrKind: Uint8Array;
}

const SPACE = 0x20;
const TAB = 0x09;
const DOT = 0x2e;
/** FlowLine.addrKind of an IPv4 column (line.ts re-exports it with the other kinds). */
export const ADDR_V4 = 4;
/** Bytes of a text field that need care in output: controls, quote, backslash and non-ASCII (as in line.ts). */
const BANG = 0x21;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NON_ASCII = 0x80;

export function fastScan(buf: Uint8Array, s: number, e: number, kinds: Uint8Array, t: ScanTarget): number {
  const starts = t.starts;
  const ends = t.ends;
  const width = kinds.length;
  let i = s;
  let care = false;
  for (let k = 0; k < width; k++) {
    let c = 0;
    while (i < e && ((c = buf[i]) === SPACE || c === TAB)) i++;
    if (i >= e) return FAST_NO;
    const start = i;
    const kind = kinds[k];
    if (kind === KIND_INT) {
      i = readDigits(buf, i, e, t.nums, k);
    } else if (kind === KIND_ADDR) {
      i = readIPv4(buf, i, e, t.v4, k);
      t.addrKind[k] = ADDR_V4;
    } else {
      for (; i < e; i++) {
        // One compare for the usual byte (a letter, digit or dash); a table lookup per byte cost more.
        c = buf[i];
        if (c <= QUOTE || c >= NON_ASCII || c === BACKSLASH) {
          if (c === SPACE || c === TAB) break;
          if (c !== BANG) care = true;
        }
      }
    }
    if (i < 0) return FAST_NO;
    starts[k] = start;
    ends[k] = i;
  }
  for (; i < e; i++) {
    const c = buf[i];
    if (c !== SPACE && c !== TAB) return FAST_NO;
  }
  return care ? FAST_SPECIAL : FAST_PLAIN;
}

/**
 * 1 to 15 digits (always below 2^53) then a blank or the end; returns the end of the field or -1. The first nine
 * digits are summed in 32-bit integers: a float multiply-add per digit is a long dependency chain, and most
 * fields (ports, counts) fit.
 */
function readDigits(buf: Uint8Array, i: number, e: number, out: Float64Array, k: number): number {
  const start = i;
  const small = Math.min(e, i + 9);
  let v = 0;
  for (; i < small; i++) {
    const d = buf[i] - 0x30;
    if (d >>> 0 > 9) break;
    v = (v * 10 + d) | 0;
  }
  let f = v;
  if (i === small) {
    for (; i < e; i++) {
      const d = buf[i] - 0x30;
      if (d >>> 0 > 9) break;
      f = f * 10 + d;
    }
  }
  const n = i - start;
  if (n === 0 || n > 15 || (i < e && buf[i] !== SPACE && buf[i] !== TAB)) return -1;
  out[k] = f;
  return i;
}

/** Strict dotted quad (no leading zeros) then a blank or the end; returns the end of the field or -1. */
function readIPv4(buf: Uint8Array, i: number, e: number, out: Float64Array, k: number): number {
  let value = 0;
  for (let octets = 0; octets < 4; octets++) {
    const first = i;
    let octet = 0;
    for (; i < e; i++) {
      const d = buf[i] - 0x30;
      if (d >>> 0 > 9) break;
      octet = (octet * 10 + d) | 0;
    }
    const len = i - first;
    if (len === 0 || len > 3 || octet > 255 || (len > 1 && buf[first] === 0x30)) return -1;
    // Unsigned 32-bit: integer shifts, where a float multiply-add per octet was a dependency chain.
    value = ((value << 8) | octet) >>> 0;
    if (octets < 3) {
      if (i >= e || buf[i] !== DOT) return -1;
      i++;
    }
  }
  if (i < e && buf[i] !== SPACE && buf[i] !== TAB) return -1;
  out[k] = value;
  return i;
}
