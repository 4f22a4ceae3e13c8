import { closeSync, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { isGzip } from './decode.js';
import { loadState, SavedPositions, saveState, type FollowState } from './follow-state.js';
import { DirectoryTree } from './tree.js';


export interface FollowHandlers {
  /** New bytes of a growing text file. */
  data(path: string, chunk: Buffer): void;
  /** A file is finished (rotated away or removed): flush its last partial line. */
  end(path: string): void;
  /** A followed file now lives at another path (rotated within a followed directory): same file, same reader. */
  renamed(from: string, to: string): void;
  /** A whole file that cannot be tailed (gzip): read it once, by the caller's decoder. */
  whole(path: string): Promise<void>;
  error(path: string, err: Error): void;
}

interface Tracked {
  path: string;
  /** Open while the file is read, -1 once it has been idle a while (see closeIdle). */
  fd: number;
  dev: number;
  ino: number;
  /** Bytes read so far. */
  offset: number;
  /** Offset just after the last complete line handed over: what the state file records. */
  committed: number;
  done: boolean;
  /** When bytes last came (ms). */
  lastRead: number;
}

const CHUNK = 1 << 20;
/** A file that has not grown for this long gives its descriptor back until it grows again. */
const IDLE_CLOSE_MS = 30_000;
/** Descriptors held at most: past it, a file read to its end gives its descriptor back at once. */
const MAX_OPEN = 256;
/** How long a new gzip file must keep its size and time before it is read (once, whole). */
const SETTLE_MS = 2000;
/**
 * Temporary names of downloads still under way, which their tools rename when complete: the AWS CLI
 * (`aws s3 sync`/`cp`: `NAME.gz.` + 8 random hex digits), rclone (`.partial`), gsutil (`_.gstmp`), browsers (`.part`,
 * `.crdownload`); rsync's are hidden, so never listed. Such a file is never read under its temporary name (a
 * stalled download would look finished).
 */
const DOWNLOADING = /\.gz\.[0-9a-f]{8}$|\.(partial|part|crdownload)$|_\.gstmp$/i;

/**
 * Follows files and directories like `tail -F`: reads what is appended, notices rotation (a new file at the path)
 * and truncation, picks up new files anywhere under a directory (an S3 export synced to disk grows a directory a
 * day), and remembers for each file how far whole lines were read. A gzip file (how S3 delivers) cannot be
 * tailed: it is read once, whole, after it has stopped changing, and is not looked at again.
 * Polling, not fs.watch: it behaves the same on every filesystem, network mounts included. Only files that grew
 * lately hold a descriptor: a directory of thousands of finished files must not run the process out of them. The
 * cost: lines appended to an idle file in the moment it is rotated out of sight are not read.
 */
export class Follower {
  private readonly files = new Map<string, Tracked>();
  /** Tracked files holding a descriptor. */
  private opened = 0;
  private timer: NodeJS.Timeout | null = null;
  private saving: NodeJS.Timeout | null = null;
  /** Positions saved by an earlier run, used when a file is first seen in the first poll (see `resumeFrom`). */
  private saved: SavedPositions;
  /** Whether positions changed since they were last saved. */
  private dirty = false;
  private polling = false;
  private readonly tree: DirectoryTree;
  /**
   * With `fromEnd` on a first start: the files of the first poll and their sizes then, which is where they are
   * read from (a gzip file there then is not read at all). Null when everything is read from its start.
   */
  private existing: Map<string, number> | null;
  private polled = false;
  /** New gzip files not taken yet (see `settled`): what they looked like when first seen so, and since when. */
  private readonly settling = new Map<string, { mark: string; since: number }>();

  constructor(private readonly paths: string[], private readonly handlers: FollowHandlers,
    private readonly opts: { pollMs?: number; statePath?: string; idleCloseMs?: number; maxOpen?: number;
      settleMs?: number; fromEnd?: boolean; exclude?: readonly string[] } = {}) {
    this.tree = new DirectoryTree(opts.exclude);
    this.saved = new SavedPositions(opts.statePath ? loadState(opts.statePath) : {});
    this.existing = opts.fromEnd && this.saved.empty ? new Map() : null;
  }

  async start(): Promise<void> {
    await this.poll();
    // Saved positions are for the files there at start; a file that appears later is new, even if it has the inode
    // of one that was removed meanwhile.
    this.saved = new SavedPositions({});
    this.timer = setInterval(() => void this.poll(), this.opts.pollMs ?? 500);
    if (this.opts.statePath) this.saving = setInterval(() => this.save(), 2000);
  }

  /** One pass: discover files, read what is new. Safe to call by hand (tests do). */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const found = new Map<string, Stats>();
      const present = new Set<string>();
      for (const path of this.discover()) {
        present.add(path);
        if (this.files.get(path)?.done) continue; // read whole: nothing more can come of it
        try {
          found.set(path, statSync(path));
        } catch {
          // removed meanwhile
        }
      }
      if (!this.polled && this.existing !== null) for (const [path, s] of found) this.existing.set(path, s.size);
      this.polled = true;
      this.followMoves(found, present);
      for (const path of this.settling.keys()) if (!found.has(path)) this.settling.delete(path);
      for (const [path, s] of found) await this.visit(path, s);
      this.closeIdle();
    } finally {
      this.polling = false;
    }
  }

  /**
   * A tracked file whose path now names another file was rotated: if it is still in sight under a new name (a
   * followed directory), keep reading it there; otherwise read what is left through the open descriptor and let
   * it go. Either way no line is read twice and none is lost. A gzip file read whole and moved (into an archive
   * directory, say) is the same file under its new name, not a new one to read again.
   */
  private followMoves(found: Map<string, Stats>, present: Set<string>): void {
    const byIdentity = new Map<string, string>();
    for (const [path, s] of found) byIdentity.set(`${s.dev}:${s.ino}`, path);
    for (const t of [...this.files.values()]) {
      if (t.done && present.has(t.path)) continue;
      const s = found.get(t.path);
      if (s !== undefined && s.ino === t.ino && s.dev === t.dev) continue;
      const moved = byIdentity.get(`${t.dev}:${t.ino}`);
      this.files.delete(t.path);
      if (moved !== undefined && !this.files.has(moved)) {
        if (!t.done) this.handlers.renamed(t.path, moved);
        t.path = moved;
        this.files.set(moved, t);
        this.dirty = true;
      } else if (t.done) {
        this.forget(t);
      } else {
        this.files.set(t.path, t);
        this.drain(t);
        this.finish(t);
      }
    }
  }

  /** The files given, then those under the directories given (at any depth, see DirectoryTree). */
  private discover(): string[] {
    const out: string[] = [];
    const dirs: string[] = [];
    for (const p of this.paths) {
      let s: Stats;
      try {
        s = statSync(p);
      } catch {
        continue; // not there yet: followed when it appears
      }
      if (s.isDirectory()) dirs.push(p);
      else out.push(p);
    }
    return [...out, ...this.tree.files(...dirs)];
  }

  private async visit(path: string, s: Stats): Promise<void> {
    let t = this.files.get(path);
    if (t === undefined) {
      // Not before it has the two bytes that tell gzip from text (a file created empty and then written, as a
      // download is, would otherwise be tailed as text), nor while a tool is still downloading it (DOWNLOADING).
      if (s.size < 2 || DOWNLOADING.test(path) || this.stillSettling(path, s)) return;
      const opened = await this.open(path);
      if (opened === null) return;
      t = opened;
    }
    if (t.done) return;
    if (s.size < t.offset) {
      // Truncated in place (copytruncate): start again from the beginning.
      t.offset = 0;
      t.committed = 0;
    }
    if (s.size > t.offset) this.drain(t);
    if (this.opened > (this.opts.maxOpen ?? MAX_OPEN)) this.closeFd(t);
  }

  private closeIdle(): void {
    const before = Date.now() - (this.opts.idleCloseMs ?? IDLE_CLOSE_MS);
    for (const t of this.files.values()) if (t.fd >= 0 && (t.done || t.lastRead <= before)) this.closeFd(t);
  }

  /**
   * Whether a new gzip file has kept its size and time for `settleMs`. It is read once, whole, so one still being
   * written or downloaded must not be read half.
   */
  private settled(path: string, s: Stats): boolean {
    const seen = this.settling.get(path);
    const mark = settleMark(s);
    if (seen === undefined || seen.mark !== mark) this.settling.set(path, { mark, since: Date.now() });
    else if (!this.stillSettling(path, s)) {
      this.settling.delete(path);
      return true;
    }
    return false;
  }

  /** A gzip file known to be settling, unchanged but not for long enough yet: not opened again to be told so. */
  private stillSettling(path: string, s: Stats): boolean {
    const seen = this.settling.get(path);
    return seen !== undefined && seen.mark === settleMark(s) && Date.now() - seen.since < (this.opts.settleMs ?? SETTLE_MS);
  }

  private async open(path: string): Promise<Tracked | null> {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      this.handlers.error(path, err as Error);
      return null;
    }
    const s = fstatSync(fd);
    const head = Buffer.alloc(2);
    readSync(fd, head, 0, 2, 0);
    const gzip = isGzip(head);
    const saved = this.startOf(path, fd, s, gzip);
    // A gzip file read whole by an earlier run (or skipped by fromEnd) needs no settling: it is done.
    if (gzip && saved < s.size && !this.settled(path, s)) {
      closeSync(fd);
      return null;
    }
    this.opened++;
    this.dirty = true;
    const t: Tracked = { path, fd, dev: s.dev, ino: s.ino, offset: saved, committed: saved, done: false, lastRead: Date.now() };
    this.files.set(path, t);
    if (gzip) {
      // gzip cannot be tailed: read once, whole; remembered as done.
      t.done = true;
      if (saved < s.size) {
        try {
          await this.handlers.whole(path);
        } catch (err) {
          this.handlers.error(path, err as Error);
        }
      }
      t.offset = t.committed = s.size;
      this.closeFd(t); // at once: a first poll of a large export must not hold a descriptor per file
    }
    return t;
  }

  /**
   * Where to start reading a file: its saved position, or with `fromEnd` for a file there at a first start, the
   * end it had then (after its last whole line, so a line being written is read whole).
   */
  private startOf(path: string, fd: number, s: Stats, gzip: boolean): number {
    const then = this.existing?.get(path);
    if (then === undefined) return this.saved.resumeFrom(path, s);
    this.existing!.delete(path);
    if (gzip) return s.size;
    const from = Math.min(then, s.size);
    const back = Buffer.alloc(Math.min(from, 64 * 1024));
    const n = readSync(fd, back, 0, back.length, from - back.length);
    const newline = back.subarray(0, n).lastIndexOf(10);
    if (newline >= 0) return from - back.length + newline + 1;
    return back.length === from ? 0 : from; // a first line still being written is read whole
  }

  /** Reads from the descriptor (opened again if it was given back) to its current end. */
  private drain(t: Tracked): void {
    if (t.done || !this.reopen(t)) return;
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      let n: number;
      try {
        n = readSync(t.fd, buf, 0, CHUNK, t.offset);
      } catch (err) {
        this.handlers.error(t.path, err as Error);
        return;
      }
      if (n === 0) return;
      t.lastRead = Date.now();
      const chunk = Buffer.from(buf.subarray(0, n));
      const lastNewline = chunk.lastIndexOf(10);
      if (lastNewline >= 0) t.committed = t.offset + lastNewline + 1;
      this.dirty = true;
      t.offset += n;
      this.handlers.data(t.path, chunk);
    }
  }

  private finish(t: Tracked): void {
    this.handlers.end(t.path);
    this.forget(t);
  }

  /** Stops tracking a file that is gone; its position goes out of the state file at the next save. */
  private forget(t: Tracked): void {
    this.closeFd(t);
    this.files.delete(t.path);
    this.dirty = true;
  }

  /**
   * Writes the read positions of the files followed now, when they changed (atomically: a crash mid-write never
   * leaves a torn file). Files removed from the directories drop out of it, so it stays the size of what is there.
   */
  save(): void {
    if (!this.opts.statePath || !this.dirty) return;
    const state: FollowState = {};
    for (const t of this.files.values()) state[t.path] = { dev: t.dev, ino: t.ino, offset: t.committed };
    saveState(this.opts.statePath, state);
    this.dirty = false;
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    if (this.saving !== null) clearInterval(this.saving);
    this.save();
    for (const t of this.files.values()) this.closeFd(t);
    this.files.clear();
  }

  private closeFd(t: Tracked): void {
    if (t.fd < 0) return;
    try {
      closeSync(t.fd);
    } catch {
      // already closed
    }
    t.fd = -1;
    this.opened--;
  }

  /** Opens a file that gave its descriptor back, if its path still names the same file (else it was rotated away). */
  private reopen(t: Tracked): boolean {
    if (t.fd >= 0) return true;
    let fd: number;
    try {
      fd = openSync(t.path, 'r');
    } catch {
      return false;
    }
    const s = fstatSync(fd);
    if (s.dev !== t.dev || s.ino !== t.ino) {
      closeSync(fd);
      return false;
    }
    t.fd = fd;
    this.opened++;
    return true;
  }
}

function settleMark(s: Stats): string {
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`;
}
