import { UsageError } from '../errors.js';
import { parseIPv4, parseIPv6 } from '../parse/address.js';
import type { Owner } from './adapters.js';
import { compiledPath, loadCompiled, saveCompiled } from './asn-compiled.js';
import { readLines, textLines, type OnLine } from './data-files.js';

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

  /**
   * The table of a CSV file: once per process, from its compiled form when that matches (see asn-compiled.ts),
   * else parsed, or taken from the thread that did either.
   */
  static fromCsv(path: string, family: 4 | 6, compiled = compiledPath(path, process.env.IPGEO_DATA_DIR)): AsnRanges {
    let parts = tables.get(path);
    if (parts === undefined) {
      parts = loadCompiled(path, compiled, family) ?? AsnRanges.parseCsv(path, family);
      tables.set(path, parts);
    }
    return new AsnRanges(parts.first, parts.last, parts.ownerOf, parts);
  }

  /** Parses a CSV file and writes its compiled form (the build does this for the bundled tables). */
  static compile(path: string, family: 4 | 6, compiled: string): void {
    saveCompiled(AsnRanges.parseCsv(path, family), family, path, compiled);
  }

  private static parseCsv(path: string, family: 4 | 6): AsnParts {
    return AsnRanges.read((onLine) => readLines(path, 'ASN table', onLine), family, path).parts();
  }

  /** The arrays behind this table; in shared memory, so other threads can use them without a copy. */
  parts(): AsnParts {
    return { first: this.first, last: this.last, ownerOf: this.ownerOf, ...this.owners };
  }

  static parse(text: Buffer, family: 4 | 6, where = 'ASN table'): AsnRanges {
    return AsnRanges.read((onLine) => textLines(text, onLine), family, where);
  }

  /** Reads a CSV given line by line, into growing arrays copied to shared memory at the end. */
  private static read(lines: (onLine: OnLine) => void, family: 4 | 6, where: string): AsnRanges {
    const w = family === 4 ? 1 : 4;
    const first = new Words();
    const last = new Words();
    const ownerOf = new Words();
    const owners = new OwnerCollector();
    let lineNo = 0;
    lines((text, s, e) => {
      lineNo++;
      const end = e > s && text[e - 1] === 13 ? e - 1 : e;
      if (end === s) return;
      const c1 = comma(text, s, end);
      const c2 = c1 < 0 ? -1 : comma(text, c1 + 1, end);
      const c3 = c2 < 0 ? -1 : comma(text, c2 + 1, end);
      const asn = c3 < 0 ? -1 : digits(text, c2 + 1, c3);
      if (asn < 0 || !readBound(text, s, c1, first.room(w), first.length, w)
        || !readBound(text, c1 + 1, c2, last.room(w), last.length, w)) {
        throw new UsageError(`${where}:${lineNo}: not a "first,last,asn,organisation" line`);
      }
      first.length += w;
      last.length += w;
      ownerOf.push(owners.add(asn, text, c3 + 1, end));
    });
    return new AsnRanges(first.shared(), last.shared(), ownerOf.shared(), owners.table());
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

  /** The owner of the range at `index` (-1: none). */
  owner(index: number): Owner {
    return this.ownerAt(this.ownerIndex(index));
  }

  /**
   * Which distinct owner the range at `index` has (-1: none): ranges of one owner share it, so it identifies the
   * answer better than the range does.
   */
  ownerIndex(index: number): number {
    return index < 0 ? -1 : this.ownerOf[index];
  }

  /** The AS number of the range at `index`; 0 when there is none (an address no network announces). */
  asnAt(index: number): number {
    const j = this.ownerIndex(index);
    return j < 0 ? 0 : this.owners.asns[j];
  }

  /** The IPv4 ranges, as [first, last], of the given AS numbers. */
  rangesOf(asns: ReadonlySet<number>): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < this.ownerOf.length; i++) if (asns.has(this.asnAt(i))) out.push([this.first[i], this.last[i]]);
    return out;
  }

  /** Owner `j` of the table (-1: none). */
  ownerAt(j: number): Owner {
    if (j < 0) return { asn: null, as_org: null };
    const { asns, names, starts } = this.owners;
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

/** A Uint32Array that grows as it is written: one pass over the CSV, without knowing its line count first. */
class Words {
  words = new Uint32Array(1 << 16);
  length = 0;

  /** The array, with room for `n` more words at `length`. */
  room(n: number): Uint32Array {
    if (this.length + n > this.words.length) {
      const bigger = new Uint32Array(this.words.length * 2);
      bigger.set(this.words);
      this.words = bigger;
    }
    return this.words;
  }

  push(v: number): void {
    this.room(1)[this.length++] = v;
  }

  /** What was written, in shared memory. */
  shared(): Uint32Array {
    const out = sharedWords(this.length);
    out.set(this.words.subarray(0, this.length));
    return out;
  }
}

/** Gathers distinct owners while the CSV is read, each text copied once; `table()` puts them in shared memory. */
class OwnerCollector {
  private readonly byAsn = new Map<number, number>();
  private readonly asns: number[] = [];
  /** Owner j's text is names[starts[j], starts[j + 1]). */
  private readonly starts: number[] = [0];
  private names = Buffer.alloc(1 << 16);

  /** The owner's index; an AS seen before with the same text reuses its entry. */
  add(asn: number, text: Buffer, s: number, e: number): number {
    const known = this.byAsn.get(asn);
    if (known !== undefined && this.same(known, text, s, e)) return known;
    const j = this.asns.length;
    const at = this.starts[j];
    if (at + e - s > this.names.length) {
      this.names = Buffer.concat([this.names.subarray(0, at)], Math.max(2 * this.names.length, at + e - s));
    }
    const names = this.names;
    for (let i = s; i < e; i++) names[at + i - s] = text[i]; // most are a few bytes: a loop beats a native copy
    this.starts.push(at + e - s);
    this.asns.push(asn);
    if (known === undefined) this.byAsn.set(asn, j);
    return j;
  }

  private same(j: number, text: Buffer, s: number, e: number): boolean {
    const at = this.starts[j];
    if (this.starts[j + 1] - at !== e - s) return false;
    const names = this.names;
    for (let i = 0; i < e - s; i++) if (names[at + i] !== text[s + i]) return false;
    return true;
  }

  table(): OwnerTable {
    const count = this.asns.length;
    const starts = sharedWords(count + 1);
    starts.set(this.starts);
    const names = Buffer.from(new SharedArrayBuffer(this.starts[count]));
    this.names.copy(names, 0, 0, this.starts[count]);
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

/** The first comma in text[from, end), or -1. A loop, not indexOf: a native call costs more than a short line. */
function comma(text: Buffer, from: number, end: number): number {
  for (let i = from; i < end; i++) if (text[i] === 44) return i;
  return -1;
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
