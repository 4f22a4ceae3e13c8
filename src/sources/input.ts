import { createReadStream, readdirSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.js';

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
 * Inputs as files: a directory stands for every file under it, at any depth (an S3 export keeps its logs in
 * AWSLogs/<account>/vpcflowlogs/<region>/<yyyy>/<mm>/<dd>/), in path order, which is time order there; hidden
 * files and directories are skipped. A directory with no files stays as given, and fails to open with that
 * reason; anything else is kept as given, to be opened (and reported) as usual.
 */
export function expandInputs(paths: string[]): string[] {
  return paths.flatMap((p) => {
    if (p === '-' || !isDirectory(p)) return [p];
    const files = filesIn(p, true);
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

/** The files in a directory (and, with `deep`, in its subdirectories), in path order, hidden ones skipped. */
export function filesIn(dir: string, deep: boolean): string[] {
  const names = readdirSync(dir).filter((n) => !n.startsWith('.')).sort();
  return names.flatMap((name) => {
    const full = join(dir, name);
    let s;
    try {
      s = statSync(full);
    } catch {
      return []; // removed meanwhile, or a dangling link
    }
    return s.isDirectory() ? (deep ? filesIn(full, true) : []) : s.isFile() ? [full] : [];
  });
}
