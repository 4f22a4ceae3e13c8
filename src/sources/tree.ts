import { readdirSync, statSync, type Dirent } from 'node:fs';
import { basename, join, relative } from 'node:path';
import picomatch from 'picomatch';

interface Listing {
  /** The directory's identity and modification time when it was read: a change means entries came or went. */
  mark: string;
  readAt: number;
  /** Entries in name order; `dir` tells a subdirectory from a file. */
  entries: Array<{ path: string; dir: boolean }>;
}

/**
 * The files under directories, at any depth, in path order (time order in an S3 export's
 * `AWSLogs/<account>/vpcflowlogs/<region>/<yyyy>/<mm>/<dd>/` layout); hidden files and directories are skipped.
 *
 * Made to be asked again and again (`--follow` asks twice a second): a directory is listed again only when its
 * modification time has changed (an entry was added, removed or renamed in it) or its listing is older than
 * `maxAgeMs` (file systems whose times are coarse or not kept up, as some network mounts). A year of an S3 export
 * synced to disk is then a few hundred directory stats a poll, not a stat for each of its hundred thousand files.
 */
export class DirectoryTree {
  private listings = new Map<string, Listing>();
  private readonly excluded: ((path: string) => boolean) | null;

  /** `exclude`: glob patterns for files to leave out, matched below the directory given (see `exclude` in config/schema.ts). */
  constructor(exclude: readonly string[] = [], private readonly maxAgeMs = 10_000) {
    this.excluded = exclude.length > 0 ? excluder(exclude) : null;
  }

  /** The files under each of `dirs` ([] for one that is gone). Listings of directories no longer reached are dropped. */
  files(...dirs: string[]): string[] {
    const out: string[] = [];
    const reached = new Map<string, Listing>();
    const seen = new Set<string>();
    for (const dir of dirs) this.walk(dir, dir, out, reached, seen);
    this.listings = reached;
    return out;
  }

  private walk(root: string, dir: string, out: string[], reached: Map<string, Listing>, seen: Set<string>): void {
    let mark: string;
    try {
      const s = statSync(dir);
      mark = `${s.dev}:${s.ino}:${s.mtimeMs}`;
      // A directory reached twice (a link back up the tree, or given twice) is walked once.
      if (seen.has(`${s.dev}:${s.ino}`)) return;
      seen.add(`${s.dev}:${s.ino}`);
    } catch {
      return; // removed meanwhile
    }
    const now = Date.now();
    let listing = this.listings.get(dir);
    if (listing === undefined || listing.mark !== mark || now - listing.readAt > this.maxAgeMs) {
      listing = { mark, readAt: now, entries: this.kept(root, list(dir)) };
    }
    reached.set(dir, listing);
    for (const e of listing.entries) {
      if (e.dir) this.walk(root, e.path, out, reached, seen);
      else out.push(e.path);
    }
  }

  /** Entries but the files `exclude` matches: tested once a listing, not on every walk of a large tree. */
  private kept(root: string, entries: Listing['entries']): Listing['entries'] {
    const excluded = this.excluded;
    return excluded === null ? entries : entries.filter((e) => e.dir || !excluded(relative(root, e.path)));
  }
}

/** A test of paths below a directory: a pattern with a slash matches the path, one without the file name. */
function excluder(patterns: readonly string[]): (path: string) => boolean {
  const paths = patterns.filter((p) => p.includes('/'));
  const names = patterns.filter((p) => !p.includes('/'));
  const byPath = paths.length > 0 ? picomatch(paths, { dot: true }) : () => false;
  const byName = names.length > 0 ? picomatch(names, { dot: true }) : () => false;
  return (path) => byPath(path) || byName(basename(path));
}

function list(dir: string): Listing['entries'] {
  let names: Dirent[];
  try {
    names = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return names
    .filter((d) => !d.name.startsWith('.'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((d) => {
      const path = join(dir, d.name);
      const kind = typeOf(d, path);
      return kind === null ? [] : [{ path, dir: kind === 'dir' }];
    });
}

/** A directory entry's kind, or null for what is neither a file nor a directory (a FIFO, a socket, a device). */
function typeOf(d: Dirent, path: string): 'dir' | 'file' | null {
  if (d.isDirectory()) return 'dir';
  if (d.isFile()) return 'file';
  if (d.isFIFO() || d.isSocket() || d.isBlockDevice() || d.isCharacterDevice()) return null;
  // A symbolic link, or a file system that does not give types in its listings: ask the entry itself.
  try {
    const s = statSync(path);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : null;
  } catch {
    return null; // a dangling link, or removed meanwhile
  }
}
