import { isUtf8 } from 'node:buffer';
import type { RejectCode } from '../errors.js';
import { outputKey } from './fields.js';
import { parseIPv4, parseIPv6 } from './address.js';
import type { FlowFormat } from './format.js';
import { ADDR_V4, FAST_NO, FAST_SPECIAL, KIND_ADDR as ADDR, KIND_INT as INT, KIND_TEXT as TEXT, fastScan } from './fast-scan.js';

/** The `action` field, as a small number so the hot path compares integers. */
export const Action = { none: 0, accept: 1, reject: 2, other: 3 } as const;
/** The `log-status` field. NODATA and SKIPDATA lines are status records, not traffic. */
export const LogStatus = { none: 0, ok: 1, nodata: 2, skipdata: 3, other: 4 } as const;
/** The `flow-direction` field (v5), relative to the capturing interface. */
export const FlowDirection = { none: 0, ingress: 1, egress: 2, other: 3 } as const;

export const ADDR_NONE = 0;
export { ADDR_V4 };
export const ADDR_V6 = 6;

const SPACE = 0x20;
const TAB = 0x09;
/** Start/end above this are milliseconds, not seconds (flow-logs.md §1.7): normalised to seconds. */
const MS_THRESHOLD = 1e11;

/** A value of a parsed record: numbers for numeric fields, text otherwise, null for `-`. */
export type FieldValue = string | number | null;
/** A flow record as plain data: output keys (`log_status`, `pkt_srcaddr`…) in format order. */
export type FlowRecord = Record<string, FieldValue>;

/**
 * One line of a flow log, parsed in place. `parse()` checks every field of a line without building strings:
 * numbers are read into `nums`, addresses into `v4`/`v6`, text fields keep their byte offsets and become strings
 * only when asked (`text()`, `toRecord()`). One instance is reused for every line of an input, so reading a
 * record means reading this object's arrays right after `parse()` returned null.
 */
export class FlowLine {
  buf: Uint8Array = new Uint8Array(0);
  /** Token offsets into `buf`: token i is buf[starts[i], ends[i]). */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** Numeric fields; NaN when the field is `-`. */
  readonly nums: Float64Array;
  /** ADDR_NONE, ADDR_V4 or ADDR_V6 per address column. */
  readonly addrKind: Uint8Array;
  readonly v4: Float64Array;
  /** Four 32-bit words per column, most significant first. */
  readonly v6: Uint32Array;
  action = 0;
  logStatus = 0;
  flowDirection = 0;
  /** True when the line has bytes that need care in output (non-ASCII, quotes, backslashes, controls). */
  special = false;
  /** True when start/end were given in milliseconds and have been normalised. */
  rescaled = false;
  /** Detail of the last rejection (the code is what parse() returned). */
  error = '';
  readonly width: number;
  /** Column kinds as small integers for the scan loop. */
  private readonly codes: Uint8Array;
  private badCol = -1;

  constructor(readonly format: FlowFormat) {
    const n = format.fields.length;
    this.width = n;
    this.codes = Uint8Array.from(format.kinds, (k) => (k === 'int' ? INT : k === 'addr' ? ADDR : TEXT));
    this.starts = new Int32Array(n);
    this.ends = new Int32Array(n);
    this.nums = new Float64Array(n);
    this.addrKind = new Uint8Array(n);
    this.v4 = new Float64Array(n);
    this.v6 = new Uint32Array(n * 4);
  }

  /** Parses buf[s, e) (one line, no line terminator). Returns null when the line is a valid record. */
  parse(buf: Uint8Array, s: number, e: number): RejectCode | null {
    this.buf = buf;
    const fast = fastScan(buf, s, e, this.codes, this);
    if (fast !== FAST_NO) {
      this.special = fast === FAST_SPECIAL;
      return this.readEnums();
    }
    const count = this.scan(buf, s, e);
    if (count !== this.width) {
      this.error = `expected ${this.width} fields, found ${count}`;
      return 'field_count';
    }
    if (this.badCol >= 0) return this.checkBad(this.badCol);
    return this.readEnums();
  }

  /**
   * The general path, for lines the one-pass scan leaves (`-`, IPv6, anything wrong): splits on runs of spaces or
   * tabs (AWS's own docs have a double-space example), then reads each field by its column's kind, noting the
   * first one that cannot be what its column holds.
   */
  private scan(buf: Uint8Array, s: number, e: number): number {
    const count = this.tokenize(buf, s, e);
    this.badCol = count === this.width ? this.readFields(buf) : -1;
    return count;
  }

  private tokenize(buf: Uint8Array, s: number, e: number): number {
    const starts = this.starts;
    const ends = this.ends;
    const width = this.width;
    let count = 0;
    let i = s;
    while (i < e) {
      let c = buf[i];
      while (c === SPACE || c === TAB) {
        if (++i >= e) return count;
        c = buf[i];
      }
      const start = i;
      while (i < e) {
        c = buf[i];
        if (c === SPACE || c === TAB) break;
        i++;
      }
      if (count < width) {
        starts[count] = start;
        ends[count] = i;
      }
      count++;
    }
    return count;
  }

  /** Reads numbers and addresses; returns the first column that is wrong, or -1. Notes text needing care. */
  private readFields(buf: Uint8Array): number {
    const codes = this.codes;
    const starts = this.starts;
    const ends = this.ends;
    let special = false;
    for (let k = 0; k < this.width; k++) {
      const s = starts[k];
      const e = ends[k];
      const code = codes[k];
      if (code === INT) {
        const v = readInt(buf, s, e);
        if (v < 0) return k;
        this.nums[k] = v;
      } else if (code === ADDR) {
        if (!this.readAddress(k, s, e)) return k;
      } else if (!special) {
        special = needsCare(buf, s, e);
      }
    }
    this.special = special;
    return -1;
  }

  /** The rejection for a field the scan found wrong (or a line with bytes that are not text). */
  private checkBad(k: number): RejectCode {
    return this.fail(this.codes[k] === INT ? 'bad_number' : 'bad_address', k);
  }

  private readEnums(): RejectCode | null {
    const buf = this.buf;
    const col = this.format.col;
    if (this.special) {
      const bad = notText(buf, this.starts[0], this.ends[this.width - 1]);
      if (bad !== null) {
        this.error = bad;
        return 'not_text';
      }
    }
    this.rescaled = false;
    this.rescale(col.start);
    this.rescale(col.end);
    this.action = col.action < 0 ? Action.none : actionOf(buf, this.starts[col.action], this.ends[col.action]);
    this.logStatus = col.logStatus < 0 ? LogStatus.none
      : logStatusOf(buf, this.starts[col.logStatus], this.ends[col.logStatus]);
    this.flowDirection = col.flowDirection < 0 ? FlowDirection.none
      : flowDirectionOf(buf, this.starts[col.flowDirection], this.ends[col.flowDirection]);
    return null;
  }

  private readAddress(k: number, s: number, e: number): boolean {
    if (e - s === 1 && this.buf[s] === 0x2d) {
      this.addrKind[k] = ADDR_NONE;
      return true;
    }
    const v4 = parseIPv4(this.buf, s, e);
    if (v4 >= 0) {
      this.addrKind[k] = ADDR_V4;
      this.v4[k] = v4;
      return true;
    }
    if (parseIPv6(this.buf, s, e, this.v6, k * 4)) {
      this.addrKind[k] = ADDR_V6;
      return true;
    }
    return false;
  }

  private rescale(k: number): void {
    if (k >= 0 && this.nums[k] > MS_THRESHOLD) {
      this.nums[k] = Math.floor(this.nums[k] / 1000);
      this.rescaled = true;
    }
  }

  private fail(code: RejectCode, k: number): RejectCode {
    const token = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.starts[k], this.ends[k] - this.starts[k]);
    this.error = `${this.format.fields[k]} is ${JSON.stringify(token.toString('utf8').slice(0, 64))}`;
    return code;
  }

  /** Text of column k, or null when it is `-` (or k is -1). */
  text(k: number): string | null {
    if (k < 0) return null;
    const s = this.starts[k];
    const e = this.ends[k];
    if (e - s === 1 && this.buf[s] === 0x2d) return null;
    return Buffer.from(this.buf.buffer, this.buf.byteOffset + s, e - s).toString(this.special ? 'utf8' : 'latin1');
  }

  /** Value of column k as the record holds it: number, text or null. */
  value(k: number): FieldValue {
    const kind = this.format.kinds[k];
    if (kind === 'int') {
      const v = this.nums[k];
      return Number.isNaN(v) ? null : v;
    }
    return this.text(k);
  }

  /** The whole record as plain data, keys in output spelling. */
  toRecord(): FlowRecord {
    const out: FlowRecord = {};
    const fields = this.format.fields;
    for (let k = 0; k < this.width; k++) out[keyOf(fields[k])] = this.value(k);
    return out;
  }

  /** True for NODATA/SKIPDATA status records, which describe an interface, not a flow. */
  isStatusRecord(): boolean {
    return this.logStatus === LogStatus.nodata || this.logStatus === LogStatus.skipdata;
  }
}

const keyCache = new Map<string, string>();
function keyOf(field: string): string {
  let key = keyCache.get(field);
  if (key === undefined) keyCache.set(field, (key = outputKey(field)));
  return key;
}

/** Non-negative decimal integer in buf[s, e) up to 2^53; NaN for "-"; -1 when it is neither. */
function readInt(buf: Uint8Array, s: number, e: number): number {
  if (e - s > 16) return -1;
  if (e - s === 1 && buf[s] === 0x2d) return NaN;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v <= Number.MAX_SAFE_INTEGER ? v : -1;
}

/** Bytes JSON output must escape or check: non-ASCII, controls, quote, backslash. */
function needsCare(buf: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = buf[i];
    if (c >= 0x80 || c < 0x20 || c === 0x22 || c === 0x5c) return true;
  }
  return false;
}

function equals(buf: Uint8Array, s: number, e: number, word: Uint8Array): boolean {
  if (e - s !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (buf[s + i] !== word[i]) return false;
  return true;
}

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const ACCEPT = ascii('ACCEPT');
const REJECT = ascii('REJECT');
const OK = ascii('OK');
const NODATA = ascii('NODATA');
const SKIPDATA = ascii('SKIPDATA');
const INGRESS = ascii('ingress');
const EGRESS = ascii('egress');

function isDash(buf: Uint8Array, s: number, e: number): boolean {
  return e - s === 1 && buf[s] === 0x2d;
}

function actionOf(buf: Uint8Array, s: number, e: number): number {
  if (equals(buf, s, e, ACCEPT)) return Action.accept;
  if (equals(buf, s, e, REJECT)) return Action.reject;
  return isDash(buf, s, e) ? Action.none : Action.other;
}

function logStatusOf(buf: Uint8Array, s: number, e: number): number {
  if (equals(buf, s, e, OK)) return LogStatus.ok;
  if (equals(buf, s, e, NODATA)) return LogStatus.nodata;
  if (equals(buf, s, e, SKIPDATA)) return LogStatus.skipdata;
  return isDash(buf, s, e) ? LogStatus.none : LogStatus.other;
}

function flowDirectionOf(buf: Uint8Array, s: number, e: number): number {
  if (equals(buf, s, e, INGRESS)) return FlowDirection.ingress;
  if (equals(buf, s, e, EGRESS)) return FlowDirection.egress;
  return isDash(buf, s, e) ? FlowDirection.none : FlowDirection.other;
}

/** Why buf[s, e) is not text (invalid UTF-8 or control bytes), or null when it is. */
function notText(buf: Uint8Array, s: number, e: number): string | null {
  for (let i = s; i < e; i++) {
    const c = buf[i];
    if (c < 0x20 && c !== TAB) return `control byte 0x${c.toString(16).padStart(2, '0')} at column ${i - s + 1}`;
  }
  return isUtf8(buf.subarray(s, e)) ? null : 'invalid UTF-8 bytes';
}
