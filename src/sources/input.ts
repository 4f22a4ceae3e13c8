import { createReadStream, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { DirectoryTree } from './tree.js';

/** Read size for files: large enough that per-chunk overhead vanishes, small enough to keep memory flat. */
const CHUNK = 1 << 20;

/** The bytes of a file, or of stdin for `-`, as a stream of chunks (never the whole file in memory). */
export async function openInput(path: string): Promise<AsyncIterable<Buffer>> {
  if (path === '-') return process.stdin;
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw new Error('a directory with no files in it');
  } catch (err) {
    throw new InputError(path, `cannot open: ${(err as Error).message}`);
  }
  return createReadStream(path, { highWaterMark: CHUNK });
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
