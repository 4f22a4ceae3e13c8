import { parentPort, workerData } from 'node:worker_threads';
import { GroupBy, type Drained, type DrainedGroups } from '../aggregate/group-by.js';
import { Enricher, type SharedData } from '../enrich/enricher.js';
import { FlowView } from '../enrich/flow-view.js';
import type { RejectCode } from '../errors.js';
import { formatOf } from '../parse/format.js';
import { FlowReader } from '../parse/reader.js';
import { NdjsonWriter } from '../sinks/ndjson.js';
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
}

export interface SegmentResult {
  seq: number;
  /** The format in force where the segment ends (differs from the start's only after a header line). */
  endFormat: string[];
  lines: number;
  records: number;
  headers: number;
  rejects: Array<[RejectCode, number]>;
  /** Rejected lines, numbered from the segment's first line. */
  rejections: Array<{ line: number; code: RejectCode; detail: string }>;
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

/**
 * Runs one segment through parse → classify → enrich → the job, with this thread's own databases and caches.
 * `spare` is the thread's pile of free output blocks.
 */
export function makeSegmentRunner(setup: WorkerSetup, spare: Buffer[] = []) {
  const view = new FlowView(Enricher.open({ geoDbs: setup.geoDb, asnDbs: setup.asnDb, cacheSize: setup.cacheSize,
    owners: needsOwners(setup.job) }));
  const file = new CurrentFile();
  const buffer = new SegmentBuffer();
  // One for all the thread's segments: its groups are made once and announced once (see GroupBy.drain).
  const groups = setup.job.kind === 'report' ? new GroupBy(setup.job.by) : null;
  return (task: SegmentTask): SegmentResult => {
    NdjsonWriter.reuse(spare, task.blocks ?? [], Infinity); // the main thread sends no more than it lacks
    const counts = zeroCounts();
    const rejections: SegmentResult['rejections'] = [];
    let consume: Consumer;
    let finish: (r: SegmentResult) => void;
    if (groups !== null) {
      consume = (line, v) => groups.add(line, v);
      finish = (r) => { r.groups = groups.drain(); };
    } else {
      const writer = new NdjsonWriter(null, spare);
      consume = (line, v) => writer.write(line, v);
      finish = (r) => { r.output = writer.take(); };
    }
    const reader = new FlowReader({ format: formatOf(task.format), maxLineBytes: setup.maxLineBytes },
      selector(view, setup.all, counts, consume),
      (r) => rejections.push({ line: Number(r.where.slice(r.where.lastIndexOf(':') + 1)), code: r.code, detail: r.detail }));
    reader.beginIn('', formatOf(task.format));
    reader.chunk(readSegment(file.fd(task.path), task.start, task.end, buffer));
    reader.end();
    const result: SegmentResult = {
      seq: task.seq, endFormat: [...reader.format.fields], lines: reader.lineNumber, records: reader.records,
      headers: reader.headers, rejects: [...reader.rejects.byCode], rejections, counts,
    };
    finish(result);
    result.spareBlocks = spare.length;
    return result;
  };
}

if (parentPort !== null && workerData?.ipgeolocatorWorker === true) {
  const port = parentPort;
  let run: ((t: SegmentTask) => SegmentResult) | null = null;
  Enricher.adopt(workerData.shared as SharedData);
  port.on('message', (task: SegmentTask) => {
    try {
      run ??= makeSegmentRunner(workerData.setup as WorkerSetup);
      const result = run(task);
      const transfer = (result.output ?? []).map((b) => b.buffer as ArrayBuffer);
      if (result.groups !== undefined) transfer.push(result.groups.counts.buffer as ArrayBuffer);
      port.postMessage(result, transfer);
    } catch (err) {
      port.postMessage({ seq: task.seq, error: (err as Error).message });
    }
  });
}
