import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { KNOWN_FIELDS } from '../parse/fields.js';
import { formatOf, looksLikeHeader, type FlowFormat } from '../parse/format.js';
import { isGzip } from '../sources/decode.js';
import { fileHead } from '../sources/input.js';
import { OUTPUT_AHEAD } from './credit.js';
import type { Job } from './worker.js';

/**
 * Where the batch commands read each input: split over every thread (large plain text), whole on a thread among
 * several such files, or on this thread (stdin, a lone gzip file…). Decided once per input, before reading.
 */

/** Bytes of NDJSON `enrich` writes per byte of input, about (v2 records, most with one located endpoint). */
export const OUTPUT_PER_INPUT_BYTE = 4.5;
/** How much flow logs compress with gzip, about: what a gzip file is taken to hold. */
export const GZIP_RATIO = 5;

/** Threads to use, this one included: the option, or one per core; 1 means read on this thread alone. */
export function jobCount(option: number): number {
  return option > 0 ? option : availableParallelism();
}

/** What the batch commands need to know of an input before reading it (see `inspectFile`). */
export interface FileInfo {
  /** Bytes on disk; -1 for anything but a readable regular file (stdin, a pipe…: read where it is). */
  size: number;
  gzip: boolean;
  /**
   * The format its first line sets up when the file can be split: plain text (gzip and JSON must be read from the
   * start), large enough to be worth threads; null otherwise.
   */
  split: FlowFormat | null;
}

const NOT_A_FILE: FileInfo = { size: -1, gzip: false, split: null };

/**
 * Looks at a file once: its size, and its first bytes: 64 KiB when it is large enough to split, else two (whether it
 * is gzip, for `spreadable`).
 */
export function inspectFile(path: string, configured: FlowFormat, minBytes: number): FileInfo {
  let head: Buffer;
  let size: number;
  try {
    const s = statSync(path);
    if (!s.isFile()) return NOT_A_FILE;
    size = s.size;
    head = fileHead(path, Math.min(size, size >= minBytes ? 64 * 1024 : 2));
  } catch {
    return NOT_A_FILE; // read where it is, which says why it cannot be
  }
  const gzip = isGzip(head);
  if (size < minBytes || gzip) return { size, gzip, split: null };
  const first = head.findIndex((c) => c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09);
  if (head[first] === 0x7b || head[first] === 0x5b) return { size, gzip, split: null };
  const nl = head.indexOf(10);
  const tokens = head.toString('latin1', 0, nl < 0 ? head.length : nl).trim().split(/[ \t]+/);
  if (KNOWN_FIELDS.has(tokens[0]) && looksLikeHeader(tokens)) {
    try {
      return { size, gzip, split: formatOf(tokens) };
    } catch {
      return { size, gzip, split: null }; // a broken header: the sequential reader reports it properly
    }
  }
  return { size, gzip, split: configured };
}

/**
 * Which of the files that cannot be split to spread over the threads, a whole file a task: an S3 export is
 * thousands of .log.gz. None unless there are several, together as large as a file worth splitting: two small files
 * do not pay for starting threads. For `enrich`, only files whose output is at most a few times what a thread may
 * send ahead of the writer (OUTPUT_AHEAD): a thread reading the next file stops that far ahead of the file being
 * written, so with larger files the threads mostly take turns, for more memory and no gain (measured on two cores:
 * 4 gzip files of 1M records ran 8 % slower on two threads than on one; in the bench, 400 of 25k ran 15 % faster).
 */
export function spreadable(inputs: Array<{ input: string; file: FileInfo | null }>, minBytes: number,
  job: Job): Set<string> {
  const plain = (f: FileInfo) => (f.gzip ? GZIP_RATIO : 1) * f.size;
  const files = inputs.filter(({ file }) => file !== null && file.size >= 0
    && (job.kind === 'report' || plain(file) * OUTPUT_PER_INPUT_BYTE <= 4 * OUTPUT_AHEAD));
  const bytes = files.reduce((n, { file }) => n + plain(file!), 0);
  return new Set(files.length > 1 && bytes >= minBytes ? files.map((p) => p.input) : []);
}
