import { InputError, type Rejection } from '../errors.js';
import { DEFAULT_FORMAT, parseFormat, type FlowFormat } from '../parse/format.js';
import { FlowReader, type RecordHandler } from '../parse/reader.js';
import { decodeStream, type InputFormat } from '../sources/decode.js';
import { openInput } from '../sources/input.js';

export interface BatchOptions {
  inputs: string[];
  logFormat?: string;
  inputFormat: InputFormat;
  maxLineBytes: number;
  maxDocumentBytes: number;
}

export interface BatchHooks {
  onRecord: RecordHandler;
  onReject: (r: Rejection) => void;
  /** Called after each decoded piece; may return a promise to apply backpressure (e.g. a full stdout). */
  afterPiece?: () => Promise<void> | undefined;
}

export interface BatchResult {
  reader: FlowReader;
  /** Inputs that could not be opened or decoded to their end, with the reason. */
  inputErrors: string[];
  /** CloudWatch CONTROL_MESSAGE probes skipped. */
  controlMessages: number;
}

/** The flow-log format from an option, or the AWS default. */
export function formatOption(spec: string | undefined): FlowFormat {
  return spec === undefined ? DEFAULT_FORMAT : parseFormat(spec);
}

/**
 * Reads inputs one after the other through decode and parse, handing each valid record to the hooks. An input
 * that fails half way keeps what was read before the failure and the run goes on with the next input.
 */
export async function runBatch(opts: BatchOptions, hooks: BatchHooks): Promise<BatchResult> {
  const reader = new FlowReader({ format: formatOption(opts.logFormat), maxLineBytes: opts.maxLineBytes },
    hooks.onRecord, hooks.onReject);
  const result: BatchResult = { reader, inputErrors: [], controlMessages: 0 };
  for (const input of opts.inputs) {
    reader.begin(input);
    try {
      const chunks = await openInput(input);
      for await (const piece of decodeStream(chunks, input, { format: opts.inputFormat, maxDocumentBytes: opts.maxDocumentBytes })) {
        if (piece.type === 'chunk') reader.chunk(piece.data);
        else if (piece.type === 'message') reader.message(piece.data, piece.where);
        else if (piece.type === 'reject') reader.rejectPiece(piece.rejection);
        else result.controlMessages++;
        const wait = hooks.afterPiece?.();
        if (wait !== undefined) await wait;
      }
      reader.end();
    } catch (err) {
      reader.end();
      result.inputErrors.push(err instanceof InputError ? err.message : `${input}: ${(err as Error).message}`);
    }
  }
  return result;
}
