import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { DrainedGroups } from '../aggregate/group-by.js';
import { Enricher } from '../enrich/enricher.js';
import type { Rejection } from '../errors.js';
import type { FlowFormat } from '../parse/format.js';
import { BLOCK } from '../sinks/ndjson.js';
import { byteLength } from './credit.js';
import { LocalThread, type SegmentThread, type ThreadMessage } from './local-thread.js';
import { afterWorkerStarts, workerLimits } from './nursery.js';
import { OUTPUT_PER_INPUT_BYTE } from './plan.js';
import { planSegments, type Segment } from './segments.js';
import { needsOwners, type SegmentResult, type SegmentTask, type WorkerSetup } from './worker.js';

/**
 * Reading large plain-text files on every core. A file is cut into segments handed to this thread and to worker
 * threads, at most a few per thread at a time; results are taken in file order, so output order, line numbers
 * and the effect of header lines are as if one thread had read the file. A segment read with the wrong starting
 * format (because a header line earlier in the file changed it) is read again with the right one.
 */
export interface RunOptions {
  segmentBytes: number;
  /** The format of the file's first line onwards (the configured one, or the file's own header). */
  format: FlowFormat;
}

/**
 * Free output blocks a worker should hold when a task starts: about one segment's output, and one for the
 * part-filled last block. Each task tops the worker's pile up to this from this thread's spares, so no block is
 * dropped for want of room and the blocks in all stay what is in flight at the busiest moment.
 */
function blocksPerTask(segmentBytes: number): number {
  return Math.ceil((segmentBytes * OUTPUT_PER_INPUT_BYTE) / BLOCK) + 1;
}

const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);

/**
 * This thread and the workers, kept for every file of a command: a worker costs a V8 heap, start-up and a JIT
 * warm-up, and keeps its caches warm from one file to the next.
 */
export class SegmentPool {
  private broken = false;

  /** Free output blocks each worker said it holds after its last task. */
  private readonly held = new Map<SegmentThread, number>();
  /** Blocks each worker sent with a whole file's output and has not been given back yet (see `grant`). */
  private readonly owed = new Map<SegmentThread, number>();
  /** The report groups each thread has announced (kept across files, as the threads' own groups are). */
  private readonly announced = new Map<SegmentThread, DrainedGroups>();

  private constructor(private readonly spares: Buffer[], private readonly threads: SegmentThread[]) {
    // A worker that dies between files (no run listening) must not take the process with it.
    for (const t of threads) t.on('error', () => { this.broken = true; });
  }

  /**
   * `jobs` threads, this one included, sharing one copy of the databases. `spares` is this thread's pile of free
   * output blocks: its own segments write into it, and workers' piles are topped up from it.
   */
  static open(jobs: number, setup: WorkerSetup, spares: Buffer[] = []): SegmentPool {
    const shared = Enricher.share({ geoDbs: setup.geoDb, asnDbs: setup.asnDb, owners: needsOwners(setup.job) });
    Enricher.adopt(shared);
    return new SegmentPool(spares, [new LocalThread(setup, spares), ...Array.from({ length: Math.max(0, jobs - 1) }, () =>
      afterWorkerStarts(new Worker(WORKER_URL, { workerData: { ipgeolocatorWorker: true, setup, shared },
        resourceLimits: workerLimits() })))]);
  }

  /** False once a run failed: tasks of it may still be running, so the next file needs a new pool. */
  get usable(): boolean {
    return !this.broken;
  }

  async run(path: string, opts: RunOptions, onResult: (r: SegmentResult, firstLine: number) => Promise<void> | void): Promise<void> {
    try {
      await this.runFile(path, opts, onResult);
    } catch (err) {
      this.broken = true;
      throw err;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((w) => w.terminate()));
  }

  /**
   * Reads files whole, a file a thread at a time on every thread: files that cannot be split (gzip, JSON) or are
   * too small to be worth it. Each file starts in `format`, as it would on its own. Output and results are taken in
   * the order of `paths` whatever order the files finish in, so `enrich` writes what one thread would; a thread
   * reading a later file waits once it is OUTPUT_AHEAD bytes ahead of the writer. Rejections come in batches while a
   * file is read, each naming its file and line, in the order they come.
   */
  async runWhole(paths: string[], format: FlowFormat, on: WholeFileHandlers): Promise<void> {
    const idle = [...this.threads];
    const files: Array<WholeFile | undefined> = paths.map(() => ({ parts: [], result: null, thread: null }));
    let next = 0;
    let head = 0;
    let failure: Error | null = null;
    let settle: () => void = () => {};
    const finished = new Promise<void>((resolve) => { settle = resolve; });
    const fail = (err: Error) => {
      failure ??= err;
      this.broken = true;
      settle();
    };
    const start = () => {
      while (failure === null && idle.length > 0 && next < paths.length) {
        const seq = next++;
        const thread = (files[seq]!.thread = idle.pop()!);
        const blocks = this.repay(thread, 0);
        thread.postMessage({ seq, path: paths[seq], start: 0, end: 0, format: format.fields as string[], whole: true, blocks },
          blocks);
      }
    };
    // Takes what the file at the head has sent, in order, one pass at a time, and moves on when its result is in.
    const take = async () => {
      while (failure === null && head < paths.length) {
        const f = files[head]!;
        for (let parts = f.parts.shift(); parts !== undefined; parts = f.parts.shift()) {
          await on.output!(parts);
          this.grant(f.thread!, parts);
        }
        if (f.result === null) return;
        files[head] = undefined;
        await on.result(f.result, paths[head++]);
        this.owe(f.thread!, f.result.output?.length ?? 0); // given back with its next task or grant
      }
      settle();
    };
    let taking = Promise.resolve();
    const onMessage = (w: SegmentThread) => (m: ThreadMessage) => {
      if ('rejectionsSoFar' in m) return on.rejections(m.rejectionsSoFar);
      if ('partOutput' in m) files[m.seq]!.parts.push(m.partOutput);
      else if (m.error !== undefined) return fail(new Error(`${paths[m.seq]}: ${m.error}`));
      else {
        this.taken(w, m);
        files[m.seq]!.result = m;
        idle.push(w);
        start();
      }
      taking = taking.then(take).catch(fail);
    };
    const listeners = this.threads.map((w) => ({ w, message: onMessage(w) }));
    for (const { w, message } of listeners) {
      w.on('message', message);
      w.on('error', fail);
    }
    try {
      start();
      if (paths.length === 0) settle();
      await finished;
      await taking; // a failed run still finishes the write under way, so nothing after it interleaves
      if (failure) throw failure;
    } finally {
      for (const { w, message } of listeners) {
        w.off('message', message);
        w.off('error', fail);
      }
    }
  }

  /** Tells a thread that `parts` it sent are written, and gives a worker back as many blocks (see `repay`). */
  private grant(thread: SegmentThread, parts: Uint8Array[]): void {
    const blocks = this.repay(thread, parts.length);
    thread.postMessage({ grant: byteLength(parts), blocks }, blocks);
  }

  /**
   * Free blocks to send a worker: as many as it sent with a whole file's output (`sent`, and what it sent before that
   * could not be given back then). A block comes back to this thread's pile only once the stream is done with it,
   * often after the grant, so the rest is owed until a later grant or task. Otherwise the worker made new blocks
   * while this thread's pile filled with its old ones (60 MiB more peak memory).
   */
  private repay(thread: SegmentThread, sent: number): ArrayBuffer[] {
    if (thread instanceof LocalThread) return []; // its blocks are this thread's
    const owed = (this.owed.get(thread) ?? 0) + sent;
    const blocks = this.spares.splice(0, owed).map((b) => b.buffer as ArrayBuffer);
    this.owed.set(thread, owed - blocks.length);
    return blocks;
  }

  private owe(thread: SegmentThread, blocks: number): void {
    if (!(thread instanceof LocalThread)) this.owed.set(thread, (this.owed.get(thread) ?? 0) + blocks);
  }

  /**
   * Notes what a thread's result says of the thread: the free blocks it holds, and the report groups it announced,
   * learnt as results arrive, in each thread's order (a segment read again later may use groups announced by a
   * result that is taken after it).
   */
  private taken(w: SegmentThread, r: SegmentResult): void {
    this.held.set(w, r.spareBlocks ?? 0);
    if (r.groups !== undefined) {
      let from = this.announced.get(w);
      if (from === undefined) this.announced.set(w, (from = new DrainedGroups()));
      from.learn(r.groups.added);
      r.from = from;
    }
  }

  private async runFile(path: string, opts: RunOptions,
    onResult: (r: SegmentResult, firstLine: number) => Promise<void> | void): Promise<void> {
    const segments = planSegments(statSync(path).size, opts.segmentBytes);
    const workers = this.threads.slice(0, Math.max(1, Math.min(this.threads.length, segments.length)));
    // Two tasks a thread, so a worker has its next segment while this thread is busy with one of its own.
    const idle = [...workers, ...workers.slice(1)];
    const pending = new Map<number, SegmentResult>();
    const waiting = new Map<number, (r: SegmentResult) => void>();
    const window = workers.length * 3;
    const blocks = blocksPerTask(opts.segmentBytes);
    let failure: Error | null = null;
    const onMessage = (w: SegmentThread) => (m: ThreadMessage) => {
      if ('rejectionsSoFar' in m || 'partOutput' in m) return; // only whole files send these
      const r = m;
      idle.push(w);
      this.taken(w, r);
      const wake = waiting.get(r.seq);
      if (wake) {
        waiting.delete(r.seq);
        wake(r);
      } else pending.set(r.seq, r);
      pump();
    };
    const onError = (err: Error) => {
      failure ??= err;
      for (const wake of waiting.values()) wake({ seq: -1 } as SegmentResult);
    };
    const listeners = workers.map((w) => ({ w, message: onMessage(w) }));
    for (const { w, message } of listeners) {
      w.on('message', message);
      w.on('error', onError);
    }
    const queue: SegmentTask[] = [];
    const initial = opts.format.fields as string[];
    let next = 0;
    let taken = 0;
    const pump = (): void => {
      while (idle.length > 0 && (queue.length > 0 || (next < segments.length && next - taken < window))) {
        const task = queue.shift() ?? toTask(segments[next++]);
        const thread = idle.pop()!;
        const want = thread instanceof LocalThread ? 0 : blocks - (this.held.get(thread) ?? 0);
        const given = this.spares.splice(0, Math.max(0, want)).map((b) => b.buffer as ArrayBuffer);
        thread.postMessage({ ...task, blocks: given }, given);
      }
    };
    function toTask(s: Segment): SegmentTask {
      return { seq: s.seq, path, start: s.start, end: s.end, format: initial };
    }
    const result = (seq: number) => new Promise<SegmentResult>((resolve) => {
      const ready = pending.get(seq);
      if (ready) {
        pending.delete(seq);
        resolve(ready);
      } else waiting.set(seq, resolve);
    });
    try {
      pump();
      let format = initial;
      let firstLine = 1;
      for (let seq = 0; seq < segments.length; seq++) {
        let r = await result(seq);
        if (failure) throw failure;
        // Every segment was started in `initial`; one that follows a mid-file header must be read again.
        if (!sameFormat(initial, format)) {
          queue.unshift({ ...toTask(segments[seq]), format });
          pump();
          r = await result(seq);
          if (failure) throw failure;
        }
        if (r.error !== undefined) throw new Error(r.error);
        taken = seq + 1;
        pump();
        await onResult(r, firstLine);
        firstLine += r.lines;
        format = r.endFormat;
      }
    } finally {
      for (const { w, message } of listeners) {
        w.off('message', message);
        w.off('error', onError);
      }
    }
  }
}

/** What `runWhole` hands on, in file order but for rejections. */
export interface WholeFileHandlers {
  result(r: SegmentResult, path: string): Promise<void> | void;
  rejections(batch: Rejection[]): void;
  /** Writes output a file sent before its result (`enrich` only); resolves once the next may be written. */
  output?(parts: Uint8Array[]): Promise<void>;
}

/** A file of a runWhole: what it sent that is not taken yet, and the thread reading it. */
interface WholeFile {
  parts: Uint8Array[][];
  result: SegmentResult | null;
  thread: SegmentThread | null;
}

function sameFormat(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((f, i) => f === b[i]);
}
