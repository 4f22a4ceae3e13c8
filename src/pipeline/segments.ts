import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Splitting a plain-text file into byte ranges that threads can read on their own. A segment [start, end) owns
 * the lines that begin inside it: its reader skips the tail of a line begun before `start` and finishes its own
 * last line past `end`, so every line is read exactly once whatever the cut points.
 */
export interface Segment {
  readonly seq: number;
  readonly start: number;
  readonly end: number;
}

export function planSegments(size: number, segmentBytes: number): Segment[] {
  const out: Segment[] = [];
  for (let start = 0, seq = 0; start < size; start += segmentBytes, seq++) {
    out.push({ seq, start, end: Math.min(size, start + segmentBytes) });
  }
  return out;
}

const STEP = 64 * 1024;

/**
 * One buffer that a thread reads all its segments into. A new buffer per segment (several MiB each) lies about
 * until the collector runs, and with a few segments in flight per thread that was tens of MiB of resident memory.
 */
export class SegmentBuffer {
  private buf = Buffer.alloc(0);

  /** `n` bytes, valid until the next call. */
  take(n: number): Buffer {
    if (this.buf.length < n) this.buf = Buffer.allocUnsafe(n);
    return this.buf.subarray(0, n);
  }
}

/** Reads the lines a segment owns (with their newlines), into `into`: the result is valid until its next use. */
export function readSegment(fd: number, start: number, end: number, into = new SegmentBuffer()): Buffer {
  const from = start === 0 ? 0 : afterNewline(fd, start - 1, end);
  if (from >= end) return Buffer.alloc(0);
  // The segment's last line runs on past `end` unless a newline ends it right there.
  const last = Buffer.allocUnsafe(1);
  const tail = readSync(fd, last, 0, 1, end - 1) === 1 && last[0] !== 10 ? untilNewline(fd, end) : Buffer.alloc(0);
  const body = into.take(end - from + tail.length);
  const n = readFully(fd, body.subarray(0, end - from), from);
  if (n < end - from) return body.subarray(0, n); // the file shrank while being read
  tail.copy(body, n);
  return body;
}

/** Offset just after the first newline at or after `pos`, or `limit` when none comes before it. */
function afterNewline(fd: number, pos: number, limit: number): number {
  const buf = Buffer.allocUnsafe(STEP);
  for (let at = pos; at < limit; at += STEP) {
    const n = readSync(fd, buf, 0, STEP, at);
    if (n === 0) return limit;
    const i = buf.subarray(0, n).indexOf(10);
    if (i >= 0) return at + i + 1;
  }
  return limit;
}

/** The bytes from `pos` through the next newline (or the end of the file). */
function untilNewline(fd: number, pos: number): Buffer {
  const parts: Buffer[] = [];
  for (let at = pos; ;) {
    const buf = Buffer.allocUnsafe(STEP);
    const n = readSync(fd, buf, 0, STEP, at);
    if (n === 0) break;
    const i = buf.subarray(0, n).indexOf(10);
    if (i >= 0) {
      parts.push(buf.subarray(0, i + 1));
      break;
    }
    parts.push(buf.subarray(0, n));
    at += n;
  }
  return Buffer.concat(parts);
}

function readFully(fd: number, buf: Buffer, pos: number): number {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, pos + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/**
 * The file a thread is reading segments of, opened once for all of them. Files are read one after another, so
 * opening the next closes the last: a command over thousands of files holds one descriptor a thread, not one a
 * file (the default limit is often 1024).
 */
export class CurrentFile {
  private path: string | null = null;
  private current = -1;

  fd(path: string): number {
    if (path !== this.path) {
      this.close();
      this.current = openSync(path, 'r');
      this.path = path;
    }
    return this.current;
  }

  close(): void {
    if (this.path !== null) closeSync(this.current);
    this.path = null;
  }
}
