import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { InputError } from '../errors.js';
import { DirectoryTree } from './tree.js';

/**
 * Read size for files. Small on purpose: a chunk lives while its records are parsed, and one that lives through two
 * young-generation collections is moved to the old generation, where its memory waits for a full collection. With
 * 1 MiB chunks that was 10–20 MiB of dead chunks at any time; with 64 KiB ones it is next to nothing, at no
 * measurable cost in speed (bench: report on 10M records, 1 thread, 196 → 180 MiB).
 */
const CHUNK = 64 << 10;

export interface OpenOptions {
  /**
   * Read a regular file with blocking reads on this thread. For a batch command, whose thread has nothing else to
   * do meanwhile: a stream's reads go through the thread pool and back through the event loop, a hop per chunk
   * that cost about 5 % of a one-thread report (idle time and system time in a profile). serve must not block
   * its event loop, so it keeps the stream.
   */
  blocking?: boolean;
}

/** The bytes of a file, or of stdin for `-`, as a stream of chunks (never the whole file in memory). */
export async function openInput(path: string, opts: OpenOptions = {}): Promise<AsyncIterable<Buffer>> {
  if (path === '-') return process.stdin;
  let file = false;
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw new Error('a directory with no files in it');
    file = s.isFile();
  } catch (err) {
    throw new InputError(path, `cannot open: ${(err as Error).message}`);
  }
  if (opts.blocking === true && file) return fileChunks(path);
  return createReadStream(path, { highWaterMark: CHUNK });
}

function openFile(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (err) {
    throw new InputError(path, `cannot open: ${(err as Error).message}`);
  }
}

/**
 * A file's chunks by blocking reads; the descriptor is closed however the reading ends. After each chunk it lets
 * the event loop turn (a few microseconds, against a millisecond to parse the chunk): a loop of blocking reads and
 * promises is one long run of microtasks, which starves `process.nextTick`, where a stream calls back once a write
 * is done. `enrich` takes its output blocks back in such a callback: without the turns none came back, and 10M
 * records held 4.6 GiB of written output (a turn every 16 chunks still held about 7 MiB more than every chunk).
 */
async function* fileChunks(path: string): AsyncGenerator<Buffer> {
  const fd = openFile(path);
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const n = readSync(fd, chunk, 0, CHUNK, null);
      if (n === 0) return;
      yield n < CHUNK ? chunk.subarray(0, n) : chunk;
      await nextTurn();
    }
  } finally {
    closeSync(fd);
  }
}

/** The first `bytes` of a file (fewer if it is shorter): what content sniffing reads. Throws if it cannot be read. */
export function fileHead(path: string, bytes: number): Buffer {
  const head = Buffer.alloc(bytes);
  const fd = openSync(path, 'r');
  try {
    return head.subarray(0, readSync(fd, head, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * Inputs as files: a directory stands for every file under it (see DirectoryTree), but those `exclude` matches; a
 * file named as an input is always read. A directory with no files stays
 * as given, and fails to open with that reason; anything else is kept as given, to be opened (and reported) as
 * usual.
 */
export function expandInputs(paths: string[], exclude: readonly string[] = []): string[] {
  const tree = new DirectoryTree(exclude);
  return paths.flatMap((p) => {
    if (p === '-' || !isDirectory(p)) return [p];
    const files = tree.files(p);
    return files.length > 0 ? files : [p];
  });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
