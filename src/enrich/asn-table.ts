import { UsageError } from '../errors.js';
import { parseIPv4, parseIPv6 } from '../parse/address.js';
import type { Owner } from './adapters.js';
import { readWhole } from './data-files.js';

/**
 * Address ranges → AS number and organisation, from the CSV files of `@ip-location-db/asn`
 * (`first,last,asn,organisation`, sorted, non-overlapping). That package ships no MMDB, so the ranges are held in
 * typed arrays and searched by bisection: as fast as a tree walk and a fraction of the memory of objects. Each
 * organisation is stored once (400k IPv4 ranges name only 84k of them), so the CSV text is not kept.
 */
export class AsnRanges {
  private constructor(
    /** Range bounds: one number per range (IPv4) or four 32-bit words per range (IPv6). */
    private readonly first: Uint32Array,
    private readonly last: Uint32Array,
    /** Per range, its entry in the owner table below. */
    private readonly ownerOf: Uint32Array,
    private readonly owners: OwnerTable,
  ) {}

  get size(): number {
    return this.ownerOf.length;
  }

  /** The table of a CSV file: parsed once per process, or taken from the thread that parsed it. */
  static fromCsv(path: string, family: 4 | 6): AsnRanges {
    let parts = tables.get(path);
    if (parts === undefined) {
      parts = AsnRanges.parse(readWhole(path, 'ASN table'), family, path).parts();
      tables.set(path, parts);
    }
    return new AsnRanges(parts.first, parts.last, parts.ownerOf, parts);
  }

  /** The arrays behind this table; in shared memory, so other threads can use them without a copy. */
  parts(): AsnParts {
    return { first: this.first, last: this.last, ownerOf: this.ownerOf, ...this.owners };
  }

  static parse(text: Buffer, family: 4 | 6, where = 'ASN table'): AsnRanges {
    const w = family === 4 ? 1 : 4;
    let lines = 1;
    for (let i = text.indexOf(10); i >= 0; i = text.indexOf(10, i + 1)) lines++;
    const first = sharedWords(lines * w);
    const last = sharedWords(lines * w);
    const ownerOf = sharedWords(lines);
    const owners = new OwnerCollector(text);
    let n = 0;
    let lineNo = 0;
    for (let s = 0; s < text.length;) {
      let e = text.indexOf(10, s);
      if (e < 0) e = text.length;
      lineNo++;
      const end = e > s && text[e - 1] === 13 ? e - 1 : e;
      if (end > s) {
        const c1 = text.indexOf(44, s);
        const c2 = c1 < 0 ? -1 : text.indexOf(44, c1 + 1);
        const c3 = c2 < 0 ? -1 : text.indexOf(44, c2 + 1);
        const asn = c3 < 0 ? -1 : digits(text, c2 + 1, c3);
        if (c3 < 0 || c3 > end || asn < 0
          || !readBound(text, s, c1, first, n * w, w) || !readBound(text, c1 + 1, c2, last, n * w, w)) {
          throw new UsageError(`${where}:${lineNo}: not a "first,last,asn,organisation" line`);
        }
        ownerOf[n] = owners.add(asn, c3 + 1, end);
        n++;
      }
      s = e + 1;
    }
    // subarray, not slice: the arrays are already the right size but for blank lines, and a copy would double
    // the peak while starting.
    return new AsnRanges(first.subarray(0, n * w), last.subarray(0, n * w), ownerOf.subarray(0, n), owners.table());
  }

  /** Index of the range holding an IPv4 address, or -1. */
  findV4(ip: number): number {
    const first = this.first;
    let lo = 0;
    let hi = this.ownerOf.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (first[mid] <= ip) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && ip <= this.last[hi] ? hi : -1;
  }

  /** Index of the range holding an IPv6 address (words[o..o+3]), or -1. */
  findV6(words: Uint32Array, o: number): number {
    let lo = 0;
    let hi = this.ownerOf.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(this.first, mid * 4, words, o) <= 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && compare(this.last, hi * 4, words, o) >= 0 ? hi : -1;
  }

  owner(index: number): Owner {
    if (index < 0) return { asn: null, as_org: null };
    const { asns, names, starts } = this.owners;
    const j = this.ownerOf[index];
    const org = unquote(Buffer.from(names.buffer, names.byteOffset + starts[j], starts[j + 1] - starts[j]).toString('utf8'));
    return { asn: asns[j] || null, as_org: org === '' ? null : org };
  }
}

/** Distinct (AS number, organisation text) pairs, the texts end to end. */
interface OwnerTable {
  asns: Uint32Array;
  names: Uint8Array;
  /** Owner j's text is names[starts[j], starts[j + 1]). */
  starts: Uint32Array;
}

/** Everything a table is made of: typed arrays over shared memory, which postMessage hands over without copying. */
export interface AsnParts extends OwnerTable {
  first: Uint32Array;
  last: Uint32Array;
  ownerOf: Uint32Array;
}

/** Parsed tables by CSV path, in this thread. */
const tables = new Map<string, AsnParts>();

/** Parses (or takes already parsed) tables for handing to worker threads. */
export function shareAsnTables(paths: Array<[string, 4 | 6]>): Record<string, AsnParts> {
  return Object.fromEntries(paths.map(([path, family]) => [path, AsnRanges.fromCsv(path, family).parts()]));
}

/** Takes tables another thread parsed. */
export function adoptAsnTables(shared: Record<string, AsnParts>): void {
  for (const [path, parts] of Object.entries(shared)) tables.set(path, parts);
}

function sharedWords(n: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(n * 4));
}

/** Gathers distinct owners while the CSV is read, by pointing into its text; `table()` copies them out. */
class OwnerCollector {
  private readonly byAsn = new Map<number, number>();
  private readonly asns: number[] = [];
  private readonly at: number[] = [];

  constructor(private readonly text: Buffer) {}

  /** The owner's index; an AS seen before with the same text reuses its entry. */
  add(asn: number, s: number, e: number): number {
    const known = this.byAsn.get(asn);
    if (known !== undefined && this.same(known, s, e)) return known;
    const j = this.asns.length;
    this.asns.push(asn);
    this.at.push(s, e);
    if (known === undefined) this.byAsn.set(asn, j);
    return j;
  }

  private same(j: number, s: number, e: number): boolean {
    const text = this.text;
    const at = this.at[2 * j];
    if (this.at[2 * j + 1] - at !== e - s) return false;
    for (let i = 0; i < e - s; i++) if (text[at + i] !== text[s + i]) return false;
    return true;
  }

  table(): OwnerTable {
    const count = this.asns.length;
    const starts = sharedWords(count + 1);
    for (let j = 0; j < count; j++) starts[j + 1] = starts[j] + this.at[2 * j + 1] - this.at[2 * j];
    const names = Buffer.from(new SharedArrayBuffer(starts[count]));
    for (let j = 0; j < count; j++) this.text.copy(names, starts[j], this.at[2 * j], this.at[2 * j + 1]);
    const asns = sharedWords(count);
    asns.set(this.asns);
    return { asns, names, starts };
  }
}

function readBound(text: Buffer, s: number, e: number, out: Uint32Array, o: number, w: 1 | 4): boolean {
  if (w === 1) {
    const ip = parseIPv4(text, s, e);
    if (ip < 0) return false;
    out[o] = ip;
    return true;
  }
  return parseIPv6(text, s, e, out, o);
}

function digits(text: Buffer, s: number, e: number): number {
  if (e === s || e - s > 10) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = text[i] - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

function compare(a: Uint32Array, ao: number, b: Uint32Array, bo: number): number {
  for (let i = 0; i < 4; i++) {
    if (a[ao + i] !== b[bo + i]) return a[ao + i] < b[bo + i] ? -1 : 1;
  }
  return 0;
}

function unquote(field: string): string {
  if (field.length >= 2 && field.startsWith('"') && field.endsWith('"')) return field.slice(1, -1).replaceAll('""', '"');
  return field;
}
