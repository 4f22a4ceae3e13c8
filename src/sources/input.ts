import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { InputError } from '../errors.js';

/** Read size for files: large enough that per-chunk overhead vanishes, small enough to keep memory flat. */
const CHUNK = 1 << 20;

/** The bytes of a file, or of stdin for `-`, as a stream of chunks (never the whole file in memory). */
export async function openInput(path: string): Promise<AsyncIterable<Buffer>> {
  if (path === '-') return process.stdin;
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw new Error('it is a directory');
  } catch (err) {
    throw new InputError(path, `cannot open: ${(err as Error).message}`);
  }
  return createReadStream(path, { highWaterMark: CHUNK });
}
