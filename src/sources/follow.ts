import { closeSync, fstatSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { isGzip } from './decode.js';
import { filesIn } from './input.js';

/** Read positions by path, with the file identity they belong to, so a restart resumes where it stopped. */
export type FollowState = Record<string, { dev: number; ino: number; offset: number }>;

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
 * The AWS CLI (`aws s3 sync`/`cp`) downloads into `NAME.gz.` + 8 random hex digits and renames when complete;
 * such a file is never read under its temporary name (a stalled download would look finished).
 */
const DOWNLOADING = /\.gz\.[0-9a-f]{8}$/i;

/**
 * Follows files and directories like `tail -F`: reads what is appended, notices rotation (a new file at the path)
 * and truncation, picks up new files in a directory, and remembers for each file how far whole lines were read.
 * A gzip file (how S3 delivers) cannot be tailed: it is read once, whole, after it has stopped changing.
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
  private readonly state: FollowState;
  private polling = false;
  /** New gzip files not taken yet (see `settled`): what they looked like when first seen so, and since when. */
  private readonly settling = new Map<string, { mark: string; since: number }>();

  constructor(private readonly paths: string[], private readonly handlers: FollowHandlers,
    private readonly opts: { pollMs?: number; statePath?: string; idleCloseMs?: number; maxOpen?: number;
      settleMs?: number; } = {}) {
    this.state = opts.statePath ? loadState(opts.statePath) : {};
  }

  async start(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.opts.pollMs ?? 500);
    if (this.opts.statePath) this.saving = setInterval(() => this.save(), 2000);
  }

  /** One pass: discover files, read what is new. Safe to call by hand (tests do). */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const found = new Map<string, Stats>();
      for (const path of this.discover()) {
        try {
          found.set(path, statSync(path));
        } catch {
          // removed meanwhile
        }
      }
      this.followMoves(found);
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
   * it go. Either way no line is read twice and none is lost.
   */
  private followMoves(found: Map<string, Stats>): void {
    const byIdentity = new Map<string, string>();
    for (const [path, s] of found) byIdentity.set(`${s.dev}:${s.ino}`, path);
    for (const t of [...this.files.values()]) {
      const s = found.get(t.path);
      if (s !== undefined && s.ino === t.ino && s.dev === t.dev) continue;
      const moved = byIdentity.get(`${t.dev}:${t.ino}`);
      this.files.delete(t.path);
      if (moved !== undefined && !this.files.has(moved)) {
        this.handlers.renamed(t.path, moved);
        t.path = moved;
        this.files.set(moved, t);
      } else {
        this.files.set(t.path, t);
        this.drain(t);
        this.finish(t);
      }
    }
  }

  private discover(): string[] {
    const out: string[] = [];
    for (const p of this.paths) {
      let s: Stats;
      try {
        s = statSync(p);
      } catch {
        continue; // not there yet: followed when it appears
      }
      if (s.isDirectory()) out.push(...filesIn(p, false));
      else out.push(p);
    }
    return out;
  }

  private async visit(path: string, s: Stats): Promise<void> {
    let t = this.files.get(path);
    if (t === undefined) {
      // Not before it has the two bytes that tell gzip from text (a file created empty and then written, as a
      // download is, would otherwise be tailed as text), nor while the AWS CLI is still downloading it.
      if (s.size < 2 || DOWNLOADING.test(path)) return;
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
    const mark = `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`;
    const seen = this.settling.get(path);
    if (seen === undefined || seen.mark !== mark) {
      this.settling.set(path, { mark, since: Date.now() });
      return false;
    }
    if (Date.now() - seen.since < (this.opts.settleMs ?? SETTLE_MS)) return false;
    this.settling.delete(path);
    return true;
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
    if (isGzip(head) && !this.settled(path, s)) {
      closeSync(fd);
      return null;
    }
    this.opened++;
    const saved = this.resumeFrom(path, s);
    const t: Tracked = { path, fd, dev: s.dev, ino: s.ino, offset: saved, committed: saved, done: false, lastRead: Date.now() };
    this.files.set(path, t);
    if (isGzip(head)) {
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
    }
    return t;
  }

  /** Where to start a file: its saved position if it is the same file (found by path, or by identity after a rotation). */
  private resumeFrom(path: string, s: Stats): number {
    const byPath = this.state[path];
    const entry = byPath !== undefined && byPath.ino === s.ino && byPath.dev === s.dev ? byPath
      : Object.values(this.state).find((e) => e.ino === s.ino && e.dev === s.dev);
    return entry !== undefined && entry.offset <= s.size ? entry.offset : 0;
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
      t.offset += n;
      this.handlers.data(t.path, chunk);
    }
  }

  private finish(t: Tracked): void {
    this.handlers.end(t.path);
    this.closeFd(t);
    this.files.delete(t.path);
    const key = Object.keys(this.state).find((k) => this.state[k].ino === t.ino && this.state[k].dev === t.dev);
    if (key !== undefined) delete this.state[key];
  }

  /** Writes the read positions (atomically: a crash mid-write never leaves a torn file). */
  save(): void {
    if (!this.opts.statePath) return;
    for (const t of this.files.values()) this.state[t.path] = { dev: t.dev, ino: t.ino, offset: t.committed };
    const tmp = `${this.opts.statePath}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state));
    renameSync(tmp, this.opts.statePath);
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

function loadState(path: string): FollowState {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as FollowState;
    return parsed !== null && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}
