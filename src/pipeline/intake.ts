import type { SecondCounter } from '../aggregate/live/counter.js';
import type { FlowView } from '../enrich/flow-view.js';
import { RejectCounts, type RejectCode, type Rejection } from '../errors.js';
import type { FlowFormat } from '../parse/format.js';
import type { FlowLine } from '../parse/line.js';
import { FlowReader } from '../parse/reader.js';
import { decodeStream, type InputFormat } from '../sources/decode.js';
import { dispatchJson } from '../sources/envelopes.js';
import type { EventSampler } from './events.js';
import { feedPiece } from './feed.js';

/** Per-source health: how much came in and how fresh it is. */
export interface SourceStats {
  name: string;
  records: number;
  rejected: number;
  /** Records with a public endpoint (the ones viewers see). */
  publicRecords: number;
  /** Newest record `end` (Unix seconds) seen from this source. */
  newestEnd: number;
  lastArrival: number;
}

export const newSourceStats = (name: string): SourceStats =>
  ({ name, records: 0, rejected: 0, publicRecords: 0, newestEnd: 0, lastArrival: 0 });

/** What one HTTP ingest request did. */
export interface IngestResult {
  accepted: number;
  rejected: number;
  controlMessages: number;
  rejections: Array<{ where: string; code: string; detail: string }>;
  /** Set when the body itself could not be decoded to its end. */
  error?: string;
  /** Every rejection of the request by reason (`rejections` holds only the first few). */
  byCode: Array<[RejectCode, number]>;
}

export interface IntakeOptions {
  format: FlowFormat;
  maxLineBytes: number;
  /** Largest JSON document a body may decode to. */
  maxDocumentBytes: number;
  clock: () => number;
}

const FIRST_REJECTIONS = 10;

/**
 * Where records enter the live path: each is located, counted into the second in progress and offered to the
 * event sampler. The serve process has one on its main thread (files, stdin, the demo, and ingest when it runs
 * no ingest threads), and each ingest thread has its own.
 */
export class Intake {
  readonly rejects = new RejectCounts();
  /** Lines read (records plus rejected lines). */
  lines = 0;
  records = 0;
  publicRecords = 0;

  constructor(readonly view: FlowView, readonly counter: SecondCounter, readonly sampler: EventSampler,
    private readonly opts: IntakeOptions) {}

  /** A reader for one source, counting into `stats`. */
  reader(name: string, stats: SourceStats, onReject?: (r: Rejection) => void): FlowReader {
    const { view, counter, sampler, opts } = this;
    const onRecord = (line: FlowLine) => {
      this.lines++;
      this.records++;
      stats.records++;
      stats.lastArrival = opts.clock();
      const e = line.format.col.end >= 0 ? line.nums[line.format.col.end] : NaN;
      if (e > stats.newestEnd) stats.newestEnd = e;
      view.read(line);
      counter.add(line, view);
      if (view.hasPublic && !line.isStatusRecord()) {
        this.publicRecords++;
        stats.publicRecords++;
        sampler.offer(line, view);
      }
    };
    const reader = new FlowReader({ format: opts.format, maxLineBytes: opts.maxLineBytes }, onRecord, (r) => {
      this.lines++;
      stats.rejected++;
      this.rejects.add(r.code);
      onReject?.(r);
    });
    reader.begin(name);
    return reader;
  }

  /** Decodes and reads one HTTP body (any shape the core decodes). */
  async ingest(name: string, stats: SourceStats, body: Buffer, format: InputFormat): Promise<IngestResult> {
    const { result, reader } = this.requestReader(name, stats);
    try {
      for await (const piece of decodeStream(once(body), name, { format, maxDocumentBytes: this.opts.maxDocumentBytes })) {
        if (feedPiece(reader, piece)) result.controlMessages++;
      }
    } catch (err) {
      result.error = (err as Error).message;
    }
    return this.finish(reader, result);
  }

  /** Reads an already parsed JSON envelope (a Lambda event): same decoding as a body, without re-serialising it. */
  ingestValue(name: string, stats: SourceStats, value: unknown): IngestResult {
    const { result, reader } = this.requestReader(name, stats);
    for (const piece of dispatchJson(value, name)) if (feedPiece(reader, piece)) result.controlMessages++;
    return this.finish(reader, result);
  }

  private finish(reader: FlowReader, result: IngestResult): IngestResult {
    reader.end();
    result.accepted = reader.records;
    result.byCode = [...reader.rejects.byCode];
    return result;
  }

  /** A reader for one request, noting its first rejections in the result. */
  private requestReader(name: string, stats: SourceStats): { result: IngestResult; reader: FlowReader } {
    const result: IngestResult = { accepted: 0, rejected: 0, controlMessages: 0, rejections: [], byCode: [] };
    const reader = this.reader(name, stats, (r) => {
      result.rejected++;
      if (result.rejections.length < FIRST_REJECTIONS) result.rejections.push({ where: r.where, code: r.code, detail: r.detail });
    });
    return { result, reader };
  }
}

async function* once(body: Buffer): AsyncGenerator<Buffer> {
  yield body;
}
