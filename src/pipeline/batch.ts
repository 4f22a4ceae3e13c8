import { InputError, RejectCounts } from '../errors.js';
import { DEFAULT_FORMAT, parseFormat, type FlowFormat } from '../parse/format.js';
import type { FlowReader } from '../parse/reader.js';
import { decodeStream, type InputFormat } from '../sources/decode.js';
import { openInput } from '../sources/input.js';
import { feedPiece } from './feed.js';
import { addCounts, zeroCounts, type Counts } from './select.js';

export interface BatchOptions {
  inputFormat: InputFormat;
  maxDocumentBytes: number;
}

/** Totals of a run over all its inputs, however they were read. */
export class RunStats {
  lines = 0;
  records = 0;
  headers = 0;
  controlMessages = 0;
  /** Threads that read records: more than one once a file was split or files were spread over threads. */
  threads = 1;
  readonly rejects = new RejectCounts();
  readonly inputErrors: string[] = [];
  readonly counts: Counts = zeroCounts();

  /** Adds what a reader counted since it was created (call once per reader). */
  addReader(reader: FlowReader, counts: Counts): void {
    this.lines += reader.lines;
    this.records += reader.records;
    this.headers += reader.headers;
    this.rejects.merge(reader.rejects);
    addCounts(this.counts, counts);
  }
}

/** The flow-log format from an option, or the AWS default. */
export function formatOption(spec: string | undefined): FlowFormat {
  return spec === undefined ? DEFAULT_FORMAT : parseFormat(spec);
}

/**
 * Reads one input through decode and parse on this thread, handing each valid record to the reader's handler. An
 * input that fails half way keeps what was read before the failure; the failure is recorded, not thrown.
 */
export async function readInput(reader: FlowReader, input: string, opts: BatchOptions, stats: RunStats,
  afterPiece?: () => Promise<void> | undefined): Promise<void> {
  reader.begin(input);
  try {
    const chunks = await openInput(input, { blocking: true });
    for await (const piece of decodeStream(chunks, input, { format: opts.inputFormat, maxDocumentBytes: opts.maxDocumentBytes })) {
      if (feedPiece(reader, piece)) stats.controlMessages++;
      const wait = afterPiece?.();
      if (wait !== undefined) await wait;
    }
    reader.end();
  } catch (err) {
    reader.end();
    stats.inputErrors.push(err instanceof InputError ? err.message : `${input}: ${(err as Error).message}`);
  }
}

