import { openSync, readSync, readFileSync, closeSync, fstatSync } from 'node:fs';
import { UsageError } from '../errors.js';

/**
 * Database files, read once per process and shared by its threads. A file read into a SharedArrayBuffer by the
 * main thread is handed to worker threads, which use it in place: two workers do not cost two copies of a 70 MB
 * database.
 */
const shared = new Map<string, SharedArrayBuffer>();

/**
 * The bytes of a data file: the shared copy when there is one, else read now. `keep: false` is for files read
 * once into another form (the ASN tables): unless already shared, they are not kept.
 */
export function readData(path: string, what = 'data file', keep = true): Buffer {
  const sab = shared.get(path);
  if (sab !== undefined) return Buffer.from(sab);
  try {
    return keep ? Buffer.from(readIntoShared(path)) : readFileSync(path);
  } catch (err) {
    throw new UsageError(`cannot read the ${what} ${path}: ${(err as Error).message}`);
  }
}

function readIntoShared(path: string): SharedArrayBuffer {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const sab = new SharedArrayBuffer(size);
    const view = Buffer.from(sab);
    for (let done = 0; done < size;) {
      const n = readSync(fd, view, done, size - done, done);
      if (n === 0) throw new Error('file shrank while being read');
      done += n;
    }
    shared.set(path, sab);
    return sab;
  } finally {
    closeSync(fd);
  }
}

/** Reads files now (where they exist) and returns them for handing to worker threads. */
export function shareData(paths: string[]): Record<string, SharedArrayBuffer> {
  const out: Record<string, SharedArrayBuffer> = {};
  for (const p of paths) {
    try {
      out[p] = shared.get(p) ?? readIntoShared(p);
    } catch {
      // Left for the reader to report with its own message when it needs the file.
    }
  }
  return out;
}

/** Takes files another thread shared. */
export function adoptData(files: Record<string, SharedArrayBuffer>): void {
  for (const [p, sab] of Object.entries(files)) shared.set(p, sab);
}
