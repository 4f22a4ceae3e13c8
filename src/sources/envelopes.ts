import { gunzipSync } from 'node:zlib';
import type { Piece } from './decode.js';

/**
 * The JSON envelopes AWS wraps flow-log records in (flow-logs.md §2a, §2c), told apart by their keys:
 * - Lambda subscription event: `{"awslogs": {"data": base64(gzip(CloudWatch JSON))}}`;
 * - CloudWatch Logs subscription JSON: `{"messageType", "logGroup", "logStream", "logEvents": [{id, timestamp,
 *   message}]}`; CONTROL_MESSAGE is a reachability probe with no records;
 * - Amazon Data Firehose HTTP-endpoint body: `{"requestId", "timestamp", "records": [{"data": base64}]}`, each
 *   record either gzip'd CloudWatch JSON (CloudWatch → Firehose) or flow-log text (flow logs → Firehose, possibly
 *   as `{"message": "…"}` JSON);
 * - a JSON line `{"message": "<record>"}`.
 */
export function* dispatchJson(value: unknown, where: string): Generator<Piece> {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* dispatchJson(value[i], `${where}[${i}]`);
    return;
  }
  if (value === null || typeof value !== 'object') {
    yield reject(where, 'bad_json', 'expected a JSON object (a CloudWatch, Firehose or {"message": …} envelope)');
    return;
  }
  const o = value as Record<string, unknown>;
  if (isObject(o.awslogs)) yield* lambdaEvent(o.awslogs, `${where}:awslogs`);
  else if (Array.isArray(o.logEvents)) yield* cloudWatch(o, where);
  else if (Array.isArray(o.records)) yield* firehose(o.records, where);
  else if (typeof o.message === 'string') yield { type: 'message', data: Buffer.from(o.message, 'utf8'), where };
  else yield reject(where, 'bad_json', 'not a known envelope: expected "awslogs", "logEvents", "records" or "message"');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function reject(where: string, code: 'bad_json' | 'bad_base64' | 'bad_gzip', detail: string): Piece {
  return { type: 'reject', rejection: { where, code, detail } };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 (Node's decoder silently skips bad characters, which would hide a corrupt payload). */
export function decodeBase64(text: string): Buffer | null {
  const clean = text.replace(/[\r\n]/g, '');
  if (clean.length % 4 !== 0 || !BASE64.test(clean)) return null;
  return Buffer.from(clean, 'base64');
}

function* lambdaEvent(awslogs: Record<string, unknown>, where: string): Generator<Piece> {
  if (typeof awslogs.data !== 'string') {
    yield reject(where, 'bad_json', '"awslogs.data" must be a base64 string');
    return;
  }
  const raw = decodeBase64(awslogs.data);
  if (raw === null) {
    yield reject(where, 'bad_base64', '"awslogs.data" is not valid base64');
    return;
  }
  yield* gzippedJson(raw, where);
}

function* gzippedJson(raw: Buffer, where: string): Generator<Piece> {
  let text: string;
  try {
    text = gunzipSync(raw).toString('utf8');
  } catch (err) {
    yield reject(where, 'bad_gzip', `the payload is not complete gzip data (${(err as Error).message})`);
    return;
  }
  yield* jsonText(text, where);
}

/** JSON text holding one value, or several on separate lines (what Firehose may concatenate). */
function* jsonText(text: string, where: string): Generator<Piece> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    if (lines.length < 2) {
      yield reject(where, 'bad_json', 'the payload is not valid JSON');
      return;
    }
    for (let i = 0; i < lines.length; i++) yield* jsonText(lines[i], `${where} line ${i + 1}`);
    return;
  }
  yield* dispatchJson(value, where);
}

function* cloudWatch(o: Record<string, unknown>, where: string): Generator<Piece> {
  if (o.messageType === 'CONTROL_MESSAGE') {
    yield { type: 'control', where };
    return;
  }
  const events = o.logEvents as unknown[];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const at = `${where}:logEvents[${i}]`;
    if (isObject(e) && typeof e.message === 'string') yield { type: 'message', data: Buffer.from(e.message, 'utf8'), where: at };
    else yield reject(at, 'bad_json', 'a log event must have a string "message"');
  }
}

function* firehose(records: unknown[], where: string): Generator<Piece> {
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const at = `${where}:records[${i}]`;
    if (!isObject(r) || typeof r.data !== 'string') {
      yield reject(at, 'bad_json', 'a Firehose record must have a base64 string "data"');
      continue;
    }
    const raw = decodeBase64(r.data);
    if (raw === null) {
      yield reject(at, 'bad_base64', '"data" is not valid base64');
      continue;
    }
    yield* firehoseRecord(raw, at);
  }
}

/** A Firehose record's bytes: gzip'd CloudWatch JSON, JSON lines, or flow-log text (detected by content). */
function* firehoseRecord(raw: Buffer, where: string): Generator<Piece> {
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    let inner: Buffer;
    try {
      inner = gunzipSync(raw);
    } catch (err) {
      yield reject(where, 'bad_gzip', `the record is not complete gzip data (${(err as Error).message})`);
      return;
    }
    yield* firehoseRecord(inner, where);
    return;
  }
  const text = raw.toString('utf8');
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) yield* jsonText(text, where);
  else if (trimmed !== '') yield { type: 'message', data: raw, where };
}
