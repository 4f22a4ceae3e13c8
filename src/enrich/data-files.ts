import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from '../errors.js';

/** Bytes read at a time, and the unit a PagedFile tracks (the size of a memory page here). */
const PAGE_SHIFT = 12;
const PAGE = 1 << PAGE_SHIFT;

/** How one thread hands a PagedFile to others: the memory, which pages are in it, and the open file. */
export interface SharedFile {
  bytes: SharedArrayBuffer;
  /** A byte a page, and one more at the end: set once the file was found written over (see PagedFile.ensure). */
  pages: SharedArrayBuffer;
  fd: number;
  /** Size and modification time when opened. */
  stamp: string;
}

/**
 * A database file in shared memory, read from disk a page at a time the first time a page is used. Memory is only
 * resident once written, so a large file costs what its users touch: an IPv6 city database (68 MB, 56 of them
 * search tree) serving the few IPv6 peers of a VPC touches a few MiB. The file stays open for the life of the
 * process and every thread reads through that one descriptor, so all pages come from the same file even if it is
 * replaced on disk meanwhile (as `geoipupdate` does). Threads share the memory, the page marks and the
 * descriptor; two threads reading the same page at once write the same bytes.
 */
export class PagedFile {
  readonly bytes: Buffer;
  /** 1 for each page read into `bytes`; read and written with Atomics, so a marked page's bytes are visible. */
  readonly pages: Uint8Array;
  /** 1 once the file was found written over (see `ensure`), for every thread. */
  private readonly changed: Uint8Array;

  constructor(readonly path: string, private readonly shared: SharedFile) {
    this.bytes = Buffer.from(shared.bytes);
    this.pages = new Uint8Array(shared.pages, 0, shared.pages.byteLength - 1);
    this.changed = new Uint8Array(shared.pages, shared.pages.byteLength - 1);
  }

  get size(): number {
    return this.bytes.length;
  }

  /**
   * Makes bytes [from, to) present; false when they are not, because the file was written over in place since it
   * was opened (`cp new.mmdb db.mmdb` onto a running process): its new bytes do not fit the parts already read,
   * so no page is read from it again, and the first thread to find out says so once.
   */
  ensure(from: number, to: number): boolean {
    const last = Math.min(to, this.size) - 1;
    for (let p = from >>> PAGE_SHIFT; p <= last >>> PAGE_SHIFT; p++) {
      if (Atomics.load(this.pages, p) !== 0) continue;
      let end = p + 1; // read a run of missing pages with one call
      while (end <= last >>> PAGE_SHIFT && Atomics.load(this.pages, end) === 0) end++;
      if (!this.unchanged() || !this.read(p << PAGE_SHIFT, Math.min(end << PAGE_SHIFT, this.size))) return false;
      for (let q = p; q < end; q++) Atomics.store(this.pages, q, 1);
      p = end - 1;
    }
    return true;
  }

  /** Whether the page holding byte `at` is present: the hot path's test before reading a few bytes there. */
  has(at: number): boolean {
    return Atomics.load(this.pages, at >>> PAGE_SHIFT) !== 0;
  }

  /** Whether the file is as it was when opened (a page read is rare: one fstat each costs nothing). */
  private unchanged(): boolean {
    if (Atomics.load(this.changed, 0) !== 0) return false;
    const s = fstatSync(this.shared.fd);
    if (`${s.size}:${s.mtimeMs}` === this.shared.stamp) return true;
    if (Atomics.compareExchange(this.changed, 0, 0, 1) === 0) {
      process.emitWarning(`${this.path} was written over while in use: what was not read of it yet counts as unknown `
        + 'until a restart. Replace a database by moving a new file onto its path (as geoipupdate does), not by copying '
        + 'over it.', { code: 'IPGEOLOCATOR_DATA_CHANGED' });
    }
    return false;
  }

  private read(from: number, to: number): boolean {
    for (let at = from; at < to;) {
      const n = readSync(this.shared.fd, this.bytes, at, to - at, at);
      if (n === 0) return false; // shorter than when opened: written over meanwhile
      at += n;
    }
    return true;
  }
}

/** Files opened by this process, by path: shared by its threads (see `shareData`). */
const opened = new Map<string, SharedFile>();

/** The file at `path`, opened now or taken from the thread that opened it; an unreadable file is a UsageError. */
export function openPaged(path: string, what = 'data file'): PagedFile {
  return new PagedFile(path, sharedFile(path, what));
}

function sharedFile(path: string, what: string): SharedFile {
  let shared = opened.get(path);
  if (shared === undefined) {
    try {
      shared = openShared(path);
    } catch (err) {
      throw new UsageError(`cannot read the ${what} ${path}: ${(err as Error).message}`);
    }
    opened.set(path, shared);
  }
  return shared;
}

function openShared(path: string): SharedFile {
  const fd = openSync(path, 'r');
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error('not a regular file');
    return { bytes: new SharedArrayBuffer(stat.size), pages: new SharedArrayBuffer(Math.ceil(stat.size / PAGE) + 1), fd,
      stamp: `${stat.size}:${stat.mtimeMs}` };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** Bytes of a text file read at a time by readLines. */
const LINE_CHUNK = 1 << 20;

/** Called with each line of a text, as buf[s, e) without its newline; buf is only valid during the call. */
export type OnLine = (buf: Buffer, s: number, e: number) => void;

/**
 * Each line of a text file, read a chunk at a time into one buffer: the bundled ASN tables are 24 + 9 MB of CSV
 * that a whole-file read would hold until the next full collection, all of it on the peak of every run.
 */
export function readLines(path: string, what: string, onLine: OnLine): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new UsageError(`cannot read the ${what} ${path}: ${(err as Error).message}`);
  }
  try {
    eachLine(fd, onLine);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read the ${what} ${path}: ${(err as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

function eachLine(fd: number, onLine: OnLine): void {
  let buf = Buffer.allocUnsafe(LINE_CHUNK);
  let have = 0;
  for (;;) {
    if (have === buf.length) buf = Buffer.concat([buf], buf.length * 2); // a line longer than the buffer
    const end = have + readSync(fd, buf, have, buf.length - have, null);
    const rest = completeLines(buf, end, onLine);
    if (end === have) {
      if (rest < end) onLine(buf, rest, end);
      return;
    }
    buf.copy(buf, 0, rest, end);
    have = end - rest;
  }
}

/** Each line of a text in memory (see readLines). */
export function textLines(text: Buffer, onLine: OnLine): void {
  const rest = completeLines(text, text.length, onLine);
  if (rest < text.length) onLine(text, rest, text.length);
}

/** Calls onLine for each line that a newline ends in buf[0, end); returns where the unfinished rest starts. */
function completeLines(buf: Buffer, end: number, onLine: OnLine): number {
  let s = 0;
  for (let e = buf.indexOf(10); e >= 0 && e < end; e = buf.indexOf(10, s)) {
    onLine(buf, s, e);
    s = e + 1;
  }
  return s;
}

/** Opens files now (where they exist) for handing to worker threads. */
export function shareData(paths: string[]): Record<string, SharedFile> {
  const out: Record<string, SharedFile> = {};
  for (const p of paths) {
    try {
      out[p] = sharedFile(p, 'data file');
    } catch {
      // Left for the reader to report with its own message when it needs the file.
    }
  }
  return out;
}

/** Takes files another thread opened. */
export function adoptData(files: Record<string, SharedFile>): void {
  for (const [p, file] of Object.entries(files)) opened.set(p, file);
}
