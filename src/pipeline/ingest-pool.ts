import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { Enricher, type SharedData } from '../enrich/enricher.js';
import type { InputFormat } from '../sources/decode.js';
import type { Sample } from './events.js';
import type { IngestReply, IngestRequest, IngestSetup, SecondData } from './ingest-worker.js';
import type { IngestResult, SourceStats } from './intake.js';

// Under the test runner (tsx) this module is TypeScript, but tsx cannot load a worker thread's modules on
// Node.js 20: the thread runs the built file (`npm test` builds first; the messages are plain data either way).
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? '../../dist/pipeline/ingest-worker.js' : './ingest-worker.js', import.meta.url);

/**
 * Ingest threads when none are asked for: one per core, at most 4 (on two cores, two threads beside the main one
 * measured faster than one: docs/BENCHMARKS.md), and none on a single core, where threads only add hand-offs.
 */
export function defaultIngestThreads(): number {
  const cores = availableParallelism();
  return cores < 2 ? 0 : Math.min(4, cores);
}

interface Pending {
  resolve(reply: IngestReply): void;
  reject(err: Error): void;
}

/** One ingest thread and the requests it has not answered yet. */
class Thread {
  readonly pending = new Map<number, Pending>();
  /** Ingest bodies it holds (the pool gives a new body to the least busy thread). */
  bodies = 0;
  /** Set once it has loaded its data: only a thread that started is replaced when it dies. */
  started = false;
  readonly ready: Promise<void>;

  constructor(readonly worker: Worker) {
    this.ready = new Promise((resolve, reject) => {
      worker.once('message', () => {
        this.started = true;
        resolve();
      });
      worker.once('error', reject);
    });
  }
}

/**
 * Threads that take HTTP ingest off the main thread, which keeps serving requests, viewers and the windows. Each
 * thread decodes, parses, locates and counts its bodies into its own second (sharing the databases' memory);
 * every tick the main thread gathers their seconds into its windows, and every 50 ms their sampled events into
 * one uniform sample. A thread that dies fails the requests it held (the sender may retry) and is replaced.
 */
export class IngestPool {
  private readonly threads: Thread[] = [];
  private nextId = 0;
  private closing = false;

  private constructor(private readonly setup: IngestSetup, private readonly shared: SharedData,
    private readonly log: Logger) {}

  static async start(setup: IngestSetup, threads: number, log: Logger): Promise<IngestPool> {
    const shared = Enricher.share({ geoDbs: setup.geoDb, asnDbs: setup.asnDb });
    const pool = new IngestPool(setup, shared, log);
    for (let i = 0; i < threads; i++) pool.threads.push(pool.spawn());
    await Promise.all(pool.threads.map((t) => t.ready));
    return pool;
  }

  get size(): number {
    return this.threads.length;
  }

  private spawn(): Thread {
    const worker = new Worker(WORKER_URL, { workerData: { ipgeolocatorIngest: true, setup: this.setup, shared: this.shared } });
    const thread = new Thread(worker);
    thread.ready.then(() => {
      worker.on('message', (reply: IngestReply) => {
        if (reply.type === 'warning') {
          this.log.warn({ code: reply.code, thread: worker.threadId }, reply.message);
          return;
        }
        const p = thread.pending.get(reply.id);
        if (p === undefined) return;
        thread.pending.delete(reply.id);
        if (reply.type === 'error') p.reject(new Error(reply.error));
        else p.resolve(reply);
      });
    }, () => {});
    worker.on('error', (err) => this.log.error({ err }, 'An ingest thread failed.'));
    worker.on('exit', (code) => this.replace(thread, code));
    return thread;
  }

  /** Fails what a dead thread held and starts another in its place. */
  private replace(thread: Thread, code: number): void {
    const i = this.threads.indexOf(thread);
    if (i < 0) return;
    const err = new Error(`an ingest thread stopped (exit code ${code}) before answering; send the data again`);
    for (const p of thread.pending.values()) p.reject(err);
    thread.pending.clear();
    if (this.closing) return;
    if (!thread.started) {
      this.threads.splice(i, 1);
      return;
    }
    this.log.error({ code }, 'An ingest thread stopped; starting another.');
    this.threads[i] = this.spawn();
  }

  private ask(thread: Thread, m: IngestRequest, transfer: ArrayBuffer[] = []): Promise<IngestReply> {
    return new Promise((resolve, reject) => {
      thread.pending.set(m.id, { resolve, reject });
      thread.worker.postMessage(m, transfer);
    });
  }

  /**
   * Reads one body on the least busy thread. With `handOver` (the caller is done with `body`) a body that is all
   * of its memory moves to the thread (body is then empty); otherwise, or when it is a slice of memory Node.js
   * reuses, the thread gets a copy.
   */
  async ingest(name: string, body: Buffer, format: InputFormat, handOver = false): Promise<{ result: IngestResult; source: SourceStats }> {
    if (this.threads.length === 0) throw new Error('no ingest thread is running');
    const thread = this.threads.reduce((a, b) => (b.bodies < a.bodies ? b : a));
    const mem = body.buffer;
    const whole = handOver && mem instanceof ArrayBuffer && body.byteOffset === 0 && body.byteLength === mem.byteLength;
    const given = whole ? new Uint8Array(mem) : new Uint8Array(body);
    thread.bodies++;
    try {
      const reply = await this.ask(thread, { type: 'ingest', id: ++this.nextId, name, body: given, format }, [given.buffer]);
      if (reply.type !== 'ingest') throw new Error(`unexpected ${reply.type} reply`);
      return reply;
    } finally {
      thread.bodies--;
    }
  }

  /** Each thread's sampled events since the last call. */
  async takeEvents(): Promise<Sample[]> {
    const replies = await this.askAll('events');
    return replies.flatMap((r) => (r.type === 'events' ? [r.sample] : []));
  }

  /** Each thread's counted second, which each then starts afresh. */
  async takeSeconds(): Promise<SecondData[]> {
    const replies = await this.askAll('second');
    return replies.flatMap((r) => (r.type === 'second' ? [r.second] : []));
  }

  /** Asks every thread; a thread that fails to answer is left out (its requests fail on their own). */
  private async askAll(type: 'events' | 'second'): Promise<IngestReply[]> {
    const settled = await Promise.allSettled(this.threads.map((t) => this.ask(t, { type, id: ++this.nextId })));
    return settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
