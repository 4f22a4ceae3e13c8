// The metadata parser and data decoder of the library `maxmind` is built on (mmdb-lib, pinned): the search tree is
// walked here, so its Reader, which walks it again from an address string, is not needed.
import decoderModule from 'mmdb-lib/lib/decoder.js';
import { parseMetadata } from 'mmdb-lib/lib/metadata.js';
import { UsageError } from '../errors.js';
import { openPaged, type PagedFile } from './data-files.js';

const Decoder = decoderModule.default;

/** The MMDB format's bound on the metadata section at the end of a file. */
const METADATA_MAX = 128 * 1024;
const CHANGED = 'it changed on disk while being read';
/** Between the search tree and the data section. */
const DATA_SEPARATOR = 16;

type AnyRecord = Record<string, unknown>;

/**
 * One MaxMind DB file. mmdb-lib reads the metadata and decodes data records; the search tree is walked here, on
 * numeric addresses, because the hot path already holds numbers and must not build address strings for every
 * record. A lookup answers with the data pointer, which identifies the record: callers cache normalised records by
 * pointer, so each record is decoded once however many addresses share it, and decode it from the pointer alone.
 *
 * The metadata and the data section are read at once; the search tree of an IPv6 database (most of the file) a page
 * at a time as walks reach it (see PagedFile), so the IPv6 tree of a VPC with few IPv6 peers stays mostly on disk.
 */
export class MmdbFile {
  readonly type: string;
  readonly ipVersion: 4 | 6;
  readonly buildEpoch: Date;
  private readonly db: Buffer;
  private readonly file: PagedFile;
  private readonly nodeCount: number;
  /** Bytes of the search tree: a data pointer p is at p - nodeCount + treeBytes in the file. */
  readonly treeBytes: number;
  private readonly decoder: InstanceType<typeof Decoder>;
  private readonly nodeBytes: number;
  private readonly recordSize: number;
  private readonly v4Root: number;
  /** The whole file is read: the tree walk skips the page checks. */
  private readonly whole: boolean;

  constructor(readonly path: string) {
    this.file = openPaged(path, 'MMDB file');
    this.db = this.file.bytes;
    let m: ReturnType<typeof parseMetadata>;
    try {
      if (!this.file.ensure(Math.max(0, this.file.size - METADATA_MAX), this.file.size)) throw new Error(CHANGED);
      m = parseMetadata(this.db);
      if (!(m.searchTreeSize + DATA_SEPARATOR <= this.file.size)) throw new Error('the search tree is larger than the file');
    } catch (err) {
      throw new UsageError(`cannot read the MMDB file ${path}: ${(err as Error).message}`);
    }
    if (![24, 28, 32].includes(m.recordSize)) throw new UsageError(`${path}: unsupported record size ${m.recordSize}`);
    this.type = m.databaseType;
    this.ipVersion = m.ipVersion === 6 ? 6 : 4;
    this.buildEpoch = m.buildEpoch;
    this.nodeCount = m.nodeCount;
    this.treeBytes = m.searchTreeSize;
    this.recordSize = m.recordSize;
    this.nodeBytes = m.recordSize / 4;
    // An IPv4 database is read whole now: any real traffic reaches most of its tree within a million records (38 of
    // 42 MiB in the bench), and reading it on demand would only make memory creep up in the first minutes.
    if (!this.file.ensure(this.ipVersion === 4 ? 0 : m.searchTreeSize, this.file.size)) {
      throw new UsageError(`cannot read the MMDB file ${path}: ${CHANGED}`);
    }
    this.whole = this.ipVersion === 4;
    this.v4Root = this.ipVersion === 4 ? 0 : this.descendZeros(96);
    this.decoder = new Decoder(this.db, m.searchTreeSize + DATA_SEPARATOR);
  }

  /** The IPv4 subtree of an IPv6 database hangs off ::/96 (IPv4 lives there, zero-padded). */
  private descendZeros(bits: number): number {
    let node = 0;
    for (let i = 0; i < bits && node < this.nodeCount; i++) node = this.child(node, 0);
    return node;
  }

  private child(node: number, bit: number): number {
    const db = this.db;
    const o = node * this.nodeBytes;
    // A node that cannot be read (the file was written over in place) leads nowhere: no record, as for an address
    // the database does not know.
    if (!this.whole && (!this.file.has(o) || !this.file.has(o + this.nodeBytes - 1)) && !this.file.ensure(o, o + this.nodeBytes)) {
      return this.nodeCount;
    }
    switch (this.recordSize) {
      case 24:
        return bit === 0 ? (db[o] << 16) | (db[o + 1] << 8) | db[o + 2]
          : (db[o + 3] << 16) | (db[o + 4] << 8) | db[o + 5];
      case 28:
        return bit === 0 ? (((db[o + 3] & 0xf0) << 20) | (db[o] << 16) | (db[o + 1] << 8) | db[o + 2]) >>> 0
          : (((db[o + 3] & 0x0f) << 24) | (db[o + 4] << 16) | (db[o + 5] << 8) | db[o + 6]) >>> 0;
      default:
        return db.readUInt32BE(bit === 0 ? o : o + 4);
    }
  }

  /** Data pointer for an IPv4 address (unsigned integer), or 0 when the database has no record for it. */
  pointerV4(ip: number): number {
    let node = this.v4Root;
    const count = this.nodeCount;
    for (let depth = 31; depth >= 0 && node < count; depth--) node = this.child(node, (ip >>> depth) & 1);
    return node > count ? node : 0;
  }

  /** Data pointer for an IPv6 address in words[o..o+3], or 0. An IPv4-only database knows no IPv6. */
  pointerV6(words: Uint32Array, o: number): number {
    if (this.ipVersion === 4) return 0;
    let node = 0;
    const count = this.nodeCount;
    for (let bit = 0; bit < 128 && node < count; bit++) {
      node = this.child(node, (words[o + (bit >>> 5)] >>> (31 - (bit & 31))) & 1);
    }
    return node > count ? node : 0;
  }

  /**
   * Decodes the record a data pointer (from `pointerV4`/`pointerV6`) leads to: the cold path, once per distinct
   * record. The data section was read whole when the file was opened.
   */
  record(pointer: number): AnyRecord | null {
    try {
      return this.decoder.decode(pointer - this.nodeCount + this.treeBytes).value as AnyRecord;
    } catch {
      return null; // a pointer past the data (a corrupt file): no record, as for an unknown address
    }
  }

  /** Decodes the record of an IPv4 address given as an integer. */
  decodeV4(ip: number): AnyRecord | null {
    const p = this.pointerV4(ip);
    return p === 0 ? null : this.record(p);
  }

  /** Decodes the record of an IPv6 address held as words. */
  decodeV6(words: Uint32Array, o: number): AnyRecord | null {
    const p = this.pointerV6(words, o);
    return p === 0 ? null : this.record(p);
  }

  /** Some record of the file (the first in tree order), to tell the layout of its records. */
  sample(): AnyRecord | null {
    const width = this.ipVersion === 4 ? 32 : 128;
    const bits = this.firstDataPath(0, 0, width);
    if (bits === null) return null;
    while (bits.length < width) bits.push(0);
    if (width === 32) return this.decodeV4(bits.reduce((ip, b) => ip * 2 + b, 0));
    const words = new Uint32Array(4);
    bits.forEach((b, i) => { words[i >>> 5] = (words[i >>> 5] | (b << (31 - (i & 31)))) >>> 0; });
    return this.decodeV6(words, 0);
  }

  private firstDataPath(node: number, depth: number, width: number): number[] | null {
    if (node > this.nodeCount) return [];
    if (node === this.nodeCount || depth >= width) return null;
    for (const bit of [0, 1]) {
      const rest = this.firstDataPath(this.child(node, bit), depth + 1, width);
      if (rest !== null) return [bit, ...rest];
    }
    return null;
  }
}
