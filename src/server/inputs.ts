import type { Logger } from 'pino';
import type { ServeConfig } from '../config/schema.js';
import type { FlowReader } from '../parse/reader.js';
import { feedPiece } from '../pipeline/feed.js';
import { decodeStream } from '../sources/decode.js';
import { DemoStream } from '../sources/demo/stream.js';
import { Follower } from '../sources/follow.js';
import { expandInputs, openInput } from '../sources/input.js';
import type { LivePipeline } from '../pipeline/live.js';

/**
 * Starts every configured source feeding the pipeline: files and stdin read once (optionally paced by record
 * time), files and directories followed, the demo stream. `stop()` ends them all and saves follow positions.
 */
export class Inputs {
  private demo: DemoStream | null = null;
  private follower: Follower | null = null;
  private stopped = false;
  /** Resolves when every read-once input is done. */
  done: Promise<void> = Promise.resolve();

  constructor(private readonly cfg: ServeConfig, private readonly pipeline: LivePipeline, private readonly log: Logger) {}

  async start(): Promise<void> {
    const { cfg } = this;
    if (cfg.demo) {
      const reader = this.pipeline.reader('demo');
      this.demo = new DemoStream(cfg.demoRate, (chunk) => reader.chunk(chunk));
      this.demo.start();
    }
    const once = cfg.follow ? cfg.inputs.filter((p) => p === '-') : expandInputs(cfg.inputs, cfg.exclude);
    const followed = cfg.follow ? cfg.inputs.filter((p) => p !== '-') : [];
    this.done = (async () => {
      for (const input of once) {
        if (this.stopped) break;
        await this.readOnce(input);
      }
    })();
    if (followed.length > 0) await this.startFollowing(followed);
  }

  private fail(input: string, message: string): void {
    this.pipeline.inputErrors.push(message);
    this.log.error({ input }, message);
  }

  private async readOnce(input: string): Promise<void> {
    const reader = this.pipeline.reader(input);
    const pace = this.pacer(input);
    try {
      for await (const piece of decodeStream(await openInput(input), input, { maxDocumentBytes: this.cfg.maxBodyBytes * 4 })) {
        if (this.stopped) break;
        feedPiece(reader, piece);
        await pace();
      }
      reader.end();
      this.log.info({ input, records: reader.records, rejected: reader.rejects.total }, 'Finished reading an input.');
    } catch (err) {
      reader.end();
      this.fail(input, `${(err as Error).message}`);
    }
  }

  /** With --speed N, waits so that record time runs N times faster than the wall clock. */
  private pacer(input: string): () => Promise<void> {
    const speed = this.cfg.speed;
    if (speed <= 0) return async () => {};
    let startWall = 0;
    let startRecord = 0;
    return async () => {
      const newest = this.pipeline.sources.get(input)?.newestEnd ?? 0;
      if (newest === 0) return;
      if (startRecord === 0) {
        startRecord = newest;
        startWall = Date.now();
        return;
      }
      const due = startWall + ((newest - startRecord) * 1000) / speed;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 5000)));
    };
  }

  private async startFollowing(paths: string[]): Promise<void> {
    const readers = new Map<string, FlowReader>();
    const readerOf = (path: string) => {
      let r = readers.get(path);
      if (r === undefined) readers.set(path, (r = this.pipeline.reader(path)));
      return r;
    };
    this.follower = new Follower(paths, {
      data: (path, chunk) => readerOf(path).chunk(chunk),
      renamed: (from, to) => {
        const r = readers.get(from);
        readers.delete(from);
        if (r !== undefined) readers.set(to, r);
      },
      end: (path) => {
        readers.get(path)?.end();
        readers.delete(path);
      },
      whole: async (path) => {
        const reader = this.pipeline.reader(path);
        for await (const piece of decodeStream(await openInput(path), path, { maxDocumentBytes: this.cfg.maxBodyBytes * 4 })) feedPiece(reader, piece);
        reader.end();
      },
      error: (path, err) => this.fail(path, `${path}: ${err.message}`),
    }, { statePath: this.cfg.stateFile, fromEnd: this.cfg.fromEnd, exclude: this.cfg.exclude });
    await this.follower.start();
  }

  stop(): void {
    this.stopped = true;
    this.demo?.stop();
    this.follower?.stop();
  }
}
