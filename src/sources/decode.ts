import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError, type Rejection } from '../errors.js';
import { dispatchJson } from './envelopes.js';

/**
 * What an input turns into once its transport layers are peeled off:
 * - `chunk`: a piece of one continuous text stream (a file, stdin, a gzip member); lines may span chunks;
 * - `message`: one self-contained text (a CloudWatch log event, a Firehose record), located by `where`;
 * - `reject`: a part of the input that could not be decoded; the parts around it are kept;
 * - `control`: a CloudWatch CONTROL_MESSAGE health probe, skipped quietly but counted.
 */
export type Piece =
  | { type: 'chunk'; data: Buffer }
  | { type: 'message'; data: Buffer; where: string }
  | { type: 'reject'; rejection: Rejection }
  | { type: 'control'; where: string };

/** How to read an input: by content (`auto`), or forced. The JSON shapes are told apart by their keys. */
export const INPUT_FORMATS = ['auto', 'text', 'gzip', 'json', 'cloudwatch', 'firehose', 'ndjson'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

export interface DecodeOptions {
  format?: InputFormat;
  /** Largest single JSON document (a Lambda event, a Firehose body) held in memory. */
  maxDocumentBytes?: number;
}

const DEFAULT_MAX_DOCUMENT = 256 * 1024 * 1024;

export function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

function firstNonSpace(b: Uint8Array): number {
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0xef && c !== 0xbb && c !== 0xbf) return c;
  }
  return -1;
}

/** Peels transport layers (gzip, JSON envelopes, base64) off a byte stream, without loading text inputs whole. */
export async function* decodeStream(
  chunks: AsyncIterable<Buffer>, name: string, opts: DecodeOptions = {},
): AsyncGenerator<Piece> {
  const format = opts.format ?? 'auto';
  const it = chunks[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let first: Buffer | undefined;
  // Look at the first non-empty chunk to tell gzip, JSON and text apart.
  while (first === undefined) {
    const r = await it.next();
    if (r.done) return;
    if (r.value.length > 0) first = r.value;
  }
  head.push(first);
  const rest = replay(head, it);
  if (format === 'gzip' || (format === 'auto' && isGzip(first))) {
    yield* decodeStream(gunzipStream(rest, name), name, { ...opts, format: 'auto' });
    return;
  }
  const c = firstNonSpace(first);
  if (format === 'text' || (format === 'auto' && c !== 0x7b && c !== 0x5b)) {
    for await (const data of rest) yield { type: 'chunk', data };
    return;
  }
  yield* decodeJsonStream(rest, name, opts.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT);
}

async function* replay(head: Buffer[], it: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield* head;
  for (;;) {
    const r = await it.next();
    if (r.done) return;
    yield r.value;
  }
}

async function* gunzipStream(chunks: AsyncIterable<Buffer>, name: string): AsyncGenerator<Buffer> {
  // Node's gunzip reads concatenated (multi-member) gzip files to the end, as `zcat` does.
  const gunzip = Readable.from(chunks).pipe(createGunzip());
  try {
    for await (const data of gunzip) yield data as Buffer;
  } catch (err) {
    throw new InputError(name, `the gzip data is corrupt or truncated (${(err as Error).message}); records before that point were kept`);
  }
}

/**
 * JSON input: either JSON lines (each line one envelope, when the first line is a complete JSON value) or one
 * JSON document (a Lambda event or Firehose body, possibly pretty-printed), held whole up to a limit.
 */
async function* decodeJsonStream(chunks: AsyncIterable<Buffer>, name: string, maxBytes: number): AsyncGenerator<Piece> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let lineNo = 0;
  let mode: 'lines' | 'document' | null = null;
  for await (const chunk of chunks) {
    pendingBytes += chunk.length;
    if (pendingBytes > maxBytes) throw new InputError(name, `a JSON document or line is larger than ${maxBytes} bytes`);
    if (mode === 'document') {
      pending.push(chunk);
      continue;
    }
    let s = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, s)) {
      const line = pending.length === 0 ? chunk.subarray(s, nl) : Buffer.concat([...pending, chunk.subarray(s, nl)]);
      lineNo++;
      if (mode === null) {
        mode = parses(line) ? 'lines' : 'document';
        if (mode === 'document') break;
      }
      pending = [];
      pendingBytes = 0;
      s = nl + 1;
      yield* jsonLine(line, `${name}:${lineNo}`);
    }
    if (s < chunk.length || mode === 'document') pending.push(s === 0 ? chunk : chunk.subarray(s));
    pendingBytes = pending.reduce((n, b) => n + b.length, 0);
  }
  const tail = Buffer.concat(pending);
  if (mode === 'lines') {
    yield* jsonLine(tail, `${name}:${lineNo + 1}`);
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(tail.toString('utf8'));
  } catch (err) {
    throw new InputError(name, `invalid JSON (${(err as Error).message})`);
  }
  yield* dispatchJson(value, name);
}

function parses(line: Buffer): boolean {
  if (firstNonSpace(line) === -1) return false;
  try {
    JSON.parse(line.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

function* jsonLine(line: Buffer, where: string): Generator<Piece> {
  if (firstNonSpace(line) === -1) return;
  let value: unknown;
  try {
    value = JSON.parse(line.toString('utf8'));
  } catch (err) {
    yield { type: 'reject', rejection: { where, code: 'bad_json', detail: (err as Error).message } };
    return;
  }
  yield* dispatchJson(value, where);
}
