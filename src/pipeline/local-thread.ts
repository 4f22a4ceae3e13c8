import { EventEmitter } from 'node:events';
import { OUTPUT_AHEAD, OutputCredit } from './credit.js';
import { makeSegmentRunner, taskEvents, type OutputGrant, type SegmentResult, type SegmentRunner, type SegmentTask,
  type WholeFilePart, type WholeFileRejections, type WorkerSetup } from './worker.js';

/** What a thread sends back: a task's result, a whole file's rejections so far, or its output so far. */
export type ThreadMessage = SegmentResult | WholeFileRejections | WholeFilePart;

/** A thread that segments can be sent to: a worker, or this thread (LocalThread). */
export interface SegmentThread {
  postMessage(message: SegmentTask | OutputGrant, transfer?: ArrayBuffer[]): void;
  on(event: 'message', f: (m: ThreadMessage) => void): unknown;
  on(event: 'error', f: (err: Error) => void): unknown;
  off(event: 'message', f: (m: ThreadMessage) => void): unknown;
  off(event: 'error', f: (err: Error) => void): unknown;
  terminate(): Promise<number> | Promise<void>;
}

/**
 * This thread as one of the threads: it would otherwise only merge and write results, and a worker costs a V8
 * heap of its own (about 90 MiB resident with its caches). A task runs on a later turn of the event loop, so results and
 * messages from the workers are taken between segments.
 */
export class LocalThread extends EventEmitter implements SegmentThread {
  private run: SegmentRunner | null = null;
  /** Tasks run one after another, as on a worker (a whole file's task is asynchronous). */
  private queue = Promise.resolve();
  private readonly credit = new OutputCredit(OUTPUT_AHEAD);

  constructor(private readonly setup: WorkerSetup, private readonly spares: Buffer[]) {
    super();
  }

  postMessage(message: SegmentTask | OutputGrant): void {
    if ('grant' in message) return this.credit.grant(message.grant);
    const task = message;
    const next = () => new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      let result: SegmentResult;
      try {
        this.run ??= makeSegmentRunner(this.setup, this.spares);
        result = await this.run(task, taskEvents(task.seq, this.credit, (m) => this.emit('message', m)));
      } catch (err) {
        result = { seq: task.seq, error: (err as Error).message } as SegmentResult;
      }
      this.emit('message', result);
    });
    this.queue = this.queue.then(next);
  }

  async terminate(): Promise<void> {}
}
