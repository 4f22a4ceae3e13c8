import { parentPort, workerData } from 'node:worker_threads';
import { GroupBy, type Drained, type DrainedGroups } from '../aggregate/group-by.js';
import { Enricher, type SharedData } from '../enrich/enricher.js';
import { FlowView } from '../enrich/flow-view.js';
import type { RejectCode, Rejection } from '../errors.js';
import { formatOf } from '../parse/format.js';
import { FlowReader } from '../parse/reader.js';
import { NdjsonWriter } from '../sinks/ndjson.js';
import type { InputFormat } from '../sources/decode.js';
import { readInput, RunStats } from './batch.js';
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
   * `format`: how a report spreads files that cannot be split over the threads (start and end are unused).
   */
  whole?: boolean;
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

export type SegmentRunner = (task: SegmentTask, onRejections: (batch: Rejection[]) => void) =>
  SegmentResult | Promise<SegmentResult>;

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
  function job(): { consume: Consumer; finish: (r: SegmentResult) => void } {
    if (groups !== null) return { consume: (line, v) => groups.add(line, v), finish: (r) => { r.groups = groups.drain(); } };
    const writer = new NdjsonWriter(null, spare);
    return { consume: (line, v) => writer.write(line, v), finish: (r) => { r.output = writer.take(); } };
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
  /** A whole file: for a report only, as `enrich`'s output of a whole file would all wait here for its turn. */
  async function whole(task: SegmentTask, onRejections: (batch: Rejection[]) => void): Promise<SegmentResult> {
    const counts = zeroCounts();
    let batch: Rejection[] = [];
    const { consume, finish } = job();
    const reader = new FlowReader({ format: formatOf(task.format), maxLineBytes: setup.maxLineBytes },
      selector(view, setup.all, counts, consume), (r) => {
        batch.push({ where: r.where, code: r.code, detail: r.detail });
        if (batch.length >= REJECTIONS_PER_MESSAGE) {
          onRejections(batch);
          batch = [];
        }
      });
    const stats = new RunStats();
    await readInput(reader, task.path, { inputFormat: setup.inputFormat, maxDocumentBytes: setup.maxDocumentBytes }, stats);
    const result = resultOf(task, reader, reader.lines, counts, batch.map((r) => ({ line: 0, ...r })));
    result.controlMessages = stats.controlMessages;
    result.inputErrors = stats.inputErrors;
    finish(result);
    return result;
  }
  return (task, onRejections) => {
    NdjsonWriter.reuse(spare, task.blocks ?? [], Infinity); // the main thread sends no more than it lacks
    const done = (result: SegmentResult) => {
      result.spareBlocks = spare.length;
      return result;
    };
    return task.whole === true ? whole(task, onRejections).then(done) : done(segment(task));
  };
}

if (parentPort !== null && workerData?.ipgeolocatorWorker === true) {
  const port = parentPort;
  let run: SegmentRunner | null = null;
  // Tasks run one after another: a whole file's task is asynchronous, and the next must not start inside it.
  let queue = Promise.resolve();
  Enricher.adopt(workerData.shared as SharedData);
  port.on('message', (task: SegmentTask) => {
    queue = queue.then(async () => {
      try {
        run ??= makeSegmentRunner(workerData.setup as WorkerSetup);
        const result = await run(task, (batch) => port.postMessage({ seq: task.seq, rejectionsSoFar: batch }));
        const transfer = (result.output ?? []).map((b) => b.buffer as ArrayBuffer);
        if (result.groups !== undefined) transfer.push(result.groups.counts.buffer as ArrayBuffer);
        port.postMessage(result, transfer);
      } catch (err) {
        port.postMessage({ seq: task.seq, error: (err as Error).message });
      }
    });
  });
}
