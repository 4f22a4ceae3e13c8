import { parentPort, workerData } from 'node:worker_threads';
import { GroupBy, type Drained, type DrainedGroups } from '../aggregate/group-by.js';
import { Enricher, type SharedData } from '../enrich/enricher.js';
import { FlowView } from '../enrich/flow-view.js';
import type { RejectCode, Rejection } from '../errors.js';
import { formatOf } from '../parse/format.js';
import { FlowReader } from '../parse/reader.js';
import { BLOCK, NdjsonWriter } from '../sinks/ndjson.js';
import type { InputFormat } from '../sources/decode.js';
import { readInput, RunStats } from './batch.js';
import { byteLength, OUTPUT_AHEAD, OutputCredit } from './credit.js';
import { CurrentFile, readSegment, SegmentBuffer } from './segments.js';
import { selector, zeroCounts, type Consumer, type Counts } from './select.js';

/** What a worker does with the records of its segments. */
export type Job = { kind: 'enrich' } | { kind: 'report'; by: string[] };

/** Whether a job shows AS numbers (enrich always does; a report only when grouped by one). */
export function needsOwners(job: Job): boolean {
  return job.kind === 'enrich' || job.by.some((d) => d.endsWith('_asn'));
}

export interface WorkerSetup {
  job: Job;
  geoDb: string[];
  asnDb: string[];
  cacheSize: number;
  all: boolean;
  maxLineBytes: number;
  /** How whole files are decoded (see SegmentTask.whole). */
  inputFormat: InputFormat;
  maxDocumentBytes: number;
}

export interface SegmentTask {
  seq: number;
  path: string;
  start: number;
  end: number;
  /** The format in force where the segment starts. */
  format: string[];
  /** Free output blocks from the main thread, for this thread's next output (transferred). */
  blocks?: ArrayBuffer[];
  /**
   * Read all of the file at `path` instead, decoded as any input is (gzip, CloudWatch JSON…), from its first line in
   * `format`: how files that cannot be split are spread over the threads (start and end are unused). `enrich`'s
   * output comes back in parts while the file is read (WholeFilePart), at most OUTPUT_AHEAD bytes ahead of the
   * writer (OutputGrant).
   */
  whole?: boolean;
}

/** Output of a whole file so far, sent while it is read; the writing thread answers with an OutputGrant. */
export interface WholeFilePart {
  seq: number;
  partOutput: Uint8Array[];
}

/** To a thread: `grant` bytes of its parts are written, and free output blocks to write into again (transferred). */
export interface OutputGrant {
  grant: number;
  blocks?: ArrayBuffer[];
}

export interface SegmentResult {
  seq: number;
  /** The format in force where the segment ends (differs from the start's only after a header line). */
  endFormat: string[];
  lines: number;
  records: number;
  headers: number;
  rejects: Array<[RejectCode, number]>;
  /**
   * Rejected lines, numbered from the segment's first line; a whole file's name their place in `where` (and come
   * in batches before the result too, see WholeFileRejections).
   */
  rejections: Array<{ line: number; code: RejectCode; detail: string; where?: string }>;
  /** A whole file's CloudWatch control messages, and why it could not be read to the end. */
  controlMessages?: number;
  inputErrors?: string[];
  counts: Counts;
  /** A report's counts of this segment (the thread's GroupBy drained). */
  groups?: Drained;
  /** Set on the main thread when the result arrives: the groups its thread has announced so far. */
  from?: DrainedGroups;
  output?: Uint8Array[];
  /** Free output blocks the thread still holds, so the main thread sends only what it lacks. */
  spareBlocks?: number;
  error?: string;
}

/** A whole file's rejections so far, sent ahead of its result so that a file of bad lines holds no more of them. */
export interface WholeFileRejections {
  seq: number;
  rejectionsSoFar: Rejection[];
}

const REJECTIONS_PER_MESSAGE = 1000;

/** What a task sends before its result: a whole file's rejections, and its output (for `enrich`). */
export interface TaskEvents {
  rejections(batch: Rejection[]): void;
  /** Sends output; a promise to wait on when the thread is too far ahead of the writer. */
  output(parts: Uint8Array[]): Promise<void> | undefined;
}

export type SegmentRunner = (task: SegmentTask, events: TaskEvents) => SegmentResult | Promise<SegmentResult>;

/**
 * Runs one segment (or whole file) through parse → classify → enrich → the job, with this thread's own databases
 * and caches. `spare` is the thread's pile of free output blocks.
 */
export function makeSegmentRunner(setup: WorkerSetup, spare: Buffer[] = []): SegmentRunner {
  const view = new FlowView(Enricher.open({ geoDbs: setup.geoDb, asnDbs: setup.asnDb, cacheSize: setup.cacheSize,
    owners: needsOwners(setup.job) }));
  const file = new CurrentFile();
  const buffer = new SegmentBuffer();
  // One for all the thread's segments: its groups are made once and announced once (see GroupBy.drain).
  const groups = setup.job.kind === 'report' ? new GroupBy(setup.job.by) : null;
  /** Where a task's records go, and what its result takes from there at the end. */
  function job(): { consume: Consumer; finish: (r: SegmentResult) => void; writer?: NdjsonWriter } {
    if (groups !== null) return { consume: (line, v) => groups.add(line, v), finish: (r) => { r.groups = groups.drain(); } };
    const writer = new NdjsonWriter(null, spare);
    return { consume: (line, v) => writer.write(line, v), finish: (r) => { r.output = writer.take(); }, writer };
  }
  function resultOf(task: SegmentTask, reader: FlowReader, lines: number, counts: Counts,
    rejections: SegmentResult['rejections']): SegmentResult {
    return { seq: task.seq, endFormat: [...reader.format.fields], lines, records: reader.records, headers: reader.headers,
      rejects: [...reader.rejects.byCode], rejections, counts };
  }
  function segment(task: SegmentTask): SegmentResult {
    const counts = zeroCounts();
    const rejections: SegmentResult['rejections'] = [];
    const { consume, finish } = job();
    const reader = new FlowReader({ format: formatOf(task.format), maxLineBytes: setup.maxLineBytes },
      selector(view, setup.all, counts, consume),
      (r) => rejections.push({ line: Number(r.where.slice(r.where.lastIndexOf(':') + 1)), code: r.code, detail: r.detail }));
    reader.beginIn('', formatOf(task.format));
    reader.chunk(readSegment(file.fd(task.path), task.start, task.end, buffer));
    reader.end();
    const result = resultOf(task, reader, reader.lineNumber, counts, rejections);
    finish(result);
    return result;
  }
  /** A whole file; `enrich`'s output leaves in parts of a block or more as it is made. */
  async function whole(task: SegmentTask, events: TaskEvents): Promise<SegmentResult> {
    const counts = zeroCounts();
    let batch: Rejection[] = [];
    const { consume, finish, writer } = job();
    const reader = new FlowReader({ format: formatOf(task.format), maxLineBytes: setup.maxLineBytes },
      selector(view, setup.all, counts, consume), (r) => {
        batch.push({ where: r.where, code: r.code, detail: r.detail });
        if (batch.length >= REJECTIONS_PER_MESSAGE) {
          events.rejections(batch);
          batch = [];
        }
      });
    const stats = new RunStats();
    const afterPiece = writer === undefined ? undefined
      : () => (writer.pending >= BLOCK ? events.output(writer.take()) : undefined);
    await readInput(reader, task.path, { inputFormat: setup.inputFormat, maxDocumentBytes: setup.maxDocumentBytes }, stats,
      afterPiece);
    const result = resultOf(task, reader, reader.lines, counts, batch.map((r) => ({ line: 0, ...r })));
    result.controlMessages = stats.controlMessages;
    result.inputErrors = stats.inputErrors;
    finish(result);
    return result;
  }
  return (task, events) => {
    NdjsonWriter.reuse(spare, task.blocks ?? [], Infinity); // the main thread sends no more than it lacks
    const done = (result: SegmentResult) => {
      result.spareBlocks = spare.length;
      return result;
    };
    return task.whole === true ? whole(task, events).then(done) : done(segment(task));
  };
}

/** Events of a task that go to the writing thread by `send` (a worker's port, or this thread's own emitter). */
export function taskEvents(seq: number, credit: OutputCredit,
  send: (m: WholeFileRejections | WholeFilePart, transfer?: ArrayBuffer[]) => void): TaskEvents {
  return {
    rejections: (batch) => send({ seq, rejectionsSoFar: batch }),
    output: (parts) => {
      const bytes = byteLength(parts); // before sending: a view of a buffer transferred away has no bytes
      send({ seq, partOutput: parts }, parts.map((p) => p.buffer as ArrayBuffer));
      return credit.spend(bytes);
    },
  };
}

if (parentPort !== null && workerData?.ipgeolocatorWorker === true) {
  const port = parentPort;
  const spare: Buffer[] = [];
  const credit = new OutputCredit(OUTPUT_AHEAD);
  let run: SegmentRunner | null = null;
  // Tasks run one after another: a whole file's task is asynchronous, and the next must not start inside it.
  let queue = Promise.resolve();
  Enricher.adopt(workerData.shared as SharedData);
  port.on('message', (m: SegmentTask | OutputGrant) => {
    if ('grant' in m) { // at once, not queued: the task running may be waiting for it
      NdjsonWriter.reuse(spare, m.blocks ?? [], Infinity);
      credit.grant(m.grant);
      return;
    }
    const task = m;
    queue = queue.then(async () => {
      try {
        run ??= makeSegmentRunner(workerData.setup as WorkerSetup, spare);
        const result = await run(task, taskEvents(task.seq, credit, (msg, transfer) => port.postMessage(msg, transfer)));
        const transfer = (result.output ?? []).map((b) => b.buffer as ArrayBuffer);
        if (result.groups !== undefined) transfer.push(result.groups.counts.buffer as ArrayBuffer);
        port.postMessage(result, transfer);
      } catch (err) {
        port.postMessage({ seq: task.seq, error: (err as Error).message });
      }
    });
  });
}
