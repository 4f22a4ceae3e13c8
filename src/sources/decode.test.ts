import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { cloudWatchData, firehoseBody, firehoseFromCloudWatch, lambdaEvent } from '../../test/aws-payloads.js';
import { V2 } from '../../test/samples.js';
import { InputError } from '../errors.js';
import { decodeStream, type DecodeOptions, type Piece } from './decode.js';

async function* chunked(data: Buffer, size = 7): AsyncGenerator<Buffer> {
  for (let s = 0; s < data.length; s += size) yield data.subarray(s, s + size);
}

/** Decodes and flattens to lines (as text) and the other pieces, so tests can compare what came out. */
async function decode(data: Buffer | string, opts: DecodeOptions & { size?: number } = {}) {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const pieces: Piece[] = [];
  let error: Error | null = null;
  try {
    for await (const p of decodeStream(chunked(bytes, opts.size), 'in', opts)) pieces.push(p);
  } catch (err) {
    error = err as Error;
  }
  const text = Buffer.concat(pieces.filter((p) => p.type === 'chunk').map((p) => (p as { data: Buffer }).data)).toString();
  const messages = pieces.filter((p) => p.type === 'message').map((p) => [(p as { where: string }).where, p.data.toString()]);
  const rejects = pieces.filter((p) => p.type === 'reject').map((p) => p.type === 'reject' && [p.rejection.where, p.rejection.code]);
  const controls = pieces.filter((p) => p.type === 'control').length;
  return { text, messages, rejects, controls, error };
}

const LINES = [V2.accept, V2.reject, V2.nodata];
const TEXT = `${LINES.join('\n')}\n`;

describe('plain text and gzip', () => {
  it('passes text through untouched', async () => assert.equal((await decode(TEXT)).text, TEXT));
  it('gunzips, also multi-member files, also in tiny chunks', async () => {
    const twoMembers = Buffer.concat([gzipSync(`${LINES[0]}\n`), gzipSync(`${LINES.slice(1).join('\n')}\n`)]);
    assert.equal((await decode(twoMembers, { size: 3 })).text, TEXT);
  });
  it('reports a truncated gzip as an input error and keeps what came before', async () => {
    const big = Buffer.from(Array.from({ length: 20000 }, (_, i) => `${V2.accept} ${i}`).join('\n'));
    const gz = gzipSync(big);
    const r = await decode(gz.subarray(0, Math.floor(gz.length * 0.6)), { size: 4096 });
    assert.ok(r.error instanceof InputError);
    assert.match(r.error.message, /^in: the gzip data is corrupt or truncated/);
    assert.ok(r.text.length > big.length / 3, `kept ${r.text.length} bytes`);
    assert.ok(big.toString().startsWith(r.text));
  });
  it('forces a kind with --input-format', async () => {
    assert.equal((await decode('{"message":"x"}\n', { format: 'text' })).text, '{"message":"x"}\n');
  });
});

describe('CloudWatch Logs', () => {
  it('reads a subscription event exactly as Lambda receives it', async () => {
    const r = await decode(JSON.stringify(lambdaEvent(LINES)));
    assert.deepEqual(r.messages, LINES.map((l, i) => [`in:awslogs:logEvents[${i}]`, l]));
  });
  it('reads the decoded subscription JSON, pretty-printed too', async () => {
    const r = await decode(JSON.stringify(cloudWatchData(LINES), null, 2), { size: 5 });
    assert.deepEqual(r.messages.map((m) => m[1]), LINES);
  });
  it('skips CONTROL_MESSAGE probes quietly', async () => {
    const r = await decode(JSON.stringify(lambdaEvent([], { control: true })));
    assert.deepEqual([r.messages.length, r.rejects.length, r.controls], [0, 0, 1]);
  });
  it('rejects a corrupt payload with a reason and no crash', async () => {
    const event = lambdaEvent(LINES);
    const bad = { awslogs: { data: `${event.awslogs.data.slice(0, 40)}!!` } };
    assert.deepEqual((await decode(JSON.stringify(bad))).rejects, [['in:awslogs', 'bad_base64']]);
    const truncated = { awslogs: { data: Buffer.from(event.awslogs.data, 'base64').subarray(0, 30).toString('base64') } };
    assert.deepEqual((await decode(JSON.stringify(truncated))).rejects, [['in:awslogs', 'bad_gzip']]);
  });
  it('reads JSON lines of events, rejecting only the bad line', async () => {
    const lines = [JSON.stringify(lambdaEvent([LINES[0]])), '{not json', JSON.stringify(cloudWatchData([LINES[1]]))];
    const r = await decode(`${lines.join('\n')}\n`);
    assert.deepEqual(r.messages.map((m) => m[1]), [LINES[0], LINES[1]]);
    assert.deepEqual(r.rejects, [['in:2', 'bad_json']]);
  });
});

describe('Amazon Data Firehose HTTP-endpoint bodies', () => {
  it('reads records that are gzip\'d CloudWatch JSON', async () => {
    const r = await decode(JSON.stringify(firehoseFromCloudWatch([[LINES[0]], LINES.slice(1)])));
    assert.deepEqual(r.messages, [
      ['in:records[0]:logEvents[0]', LINES[0]], ['in:records[1]:logEvents[0]', LINES[1]], ['in:records[1]:logEvents[1]', LINES[2]],
    ]);
  });
  it('reads records that are plain lines or {"message"} JSON (flow logs → Firehose)', async () => {
    const body = firehoseBody([Buffer.from(`${LINES[0]}\n`), Buffer.from(JSON.stringify({ message: LINES[1] })), Buffer.from('')]);
    const r = await decode(JSON.stringify(body));
    assert.deepEqual(r.messages.map((m) => m[1].trim()), [LINES[0], LINES[1]]);
  });
  it('rejects one bad record and keeps the others', async () => {
    const body = firehoseBody([Buffer.from(LINES[0]), Buffer.from(LINES[1])]);
    (body.records[0] as { data: string }).data = '@@@';
    const r = await decode(JSON.stringify(body));
    assert.deepEqual(r.rejects, [['in:records[0]', 'bad_base64']]);
    assert.deepEqual(r.messages.map((m) => m[1]), [LINES[1]]);
  });
  it('reads a gzip\'d body (Content-Encoding: gzip)', async () => {
    const r = await decode(gzipSync(JSON.stringify(firehoseFromCloudWatch([LINES]))));
    assert.equal(r.messages.length, 3);
  });
});

describe('NDJSON of {"message": …}', () => {
  it('reads one record per line', async () => {
    const r = await decode(LINES.map((message) => JSON.stringify({ message })).join('\n'), { size: 11 });
    assert.deepEqual(r.messages, LINES.map((l, i) => [`in:${i + 1}`, l]));
  });
  it('calls an unknown envelope by its name', async () => {
    assert.deepEqual((await decode('{"foo": 1}\n')).rejects, [['in:1', 'bad_json']]);
  });
  it('reports an unterminated document as an input error', async () => {
    const r = await decode('{\n"records": [\n');
    assert.ok(r.error instanceof InputError);
  });
  it('refuses a document over the size limit', async () => {
    const r = await decode(JSON.stringify(cloudWatchData(Array(200).fill(V2.accept)), null, 1), { maxDocumentBytes: 4096 });
    assert.match(String(r.error?.message), /larger than 4096 bytes/);
  });
});

describe('no input crashes or hangs a decoder', () => {
  const seeds = [TEXT, JSON.stringify(lambdaEvent(LINES)), JSON.stringify(firehoseFromCloudWatch([LINES])),
    JSON.stringify(cloudWatchData(LINES), null, 1)].map((s) => Buffer.from(s));
  seeds.push(gzipSync(TEXT));
  it('survives random bytes and mutated real payloads', async () => {
    const mutated = fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.option(fc.nat()))
      .map(([seed, flips, cut]) => {
        const b = Buffer.from(seed);
        for (const [at, v] of flips) b[at % b.length] = v;
        return cut === null ? b : b.subarray(0, cut % (b.length + 1));
      });
    await fc.assert(fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), mutated),
      fc.integer({ min: 1, max: 64 }), async (bytes, size) => {
        const r = await decode(bytes, { size });
        if (r.error !== null) assert.ok(r.error instanceof InputError, String(r.error));
      }), { numRuns: 1500 });
  });
});
