import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { V2 } from '../../test/samples.js';
import { Enricher } from '../enrich/enricher.js';
import { FlowView } from '../enrich/flow-view.js';
import { DEFAULT_FORMAT, parseFormat, type FlowFormat } from '../parse/format.js';
import { FlowLine } from '../parse/line.js';
import { FlowReader } from '../parse/reader.js';
import { FlowLogGenerator } from '../sources/demo/generator.js';
import { DIRECTION_NAMES } from '../classify/endpoints.js';
import { NdjsonWriter } from './ndjson.js';

const view = new FlowView(Enricher.open());

/** Writes lines and reads the output back with JSON.parse: the independent check of what we wrote. */
function roundTrip(lines: string[], format: FlowFormat = DEFAULT_FORMAT) {
  const writer = new NdjsonWriter(null);
  const expected = lines.map((text) => {
    const line = new FlowLine(format);
    const bytes = Buffer.from(text);
    assert.equal(line.parse(bytes, 0, bytes.length), null, text);
    view.read(line);
    writer.write(line, view);
    return { ...line.toRecord(), src: view.src?.geo ?? null, dst: view.dst?.geo ?? null };
  });
  const out = Buffer.concat(writer.take()).toString('utf8');
  assert.ok(out.endsWith('\n'));
  const parsed = out.trimEnd().split('\n').map((l) => JSON.parse(l));
  return { expected, parsed };
}

describe('NDJSON output', () => {
  it('writes what toRecord() and the locations say, as valid JSON', () => {
    const { expected, parsed } = roundTrip([V2.accept, V2.reject, V2.nodata, V2.ipv6]);
    parsed.forEach((o, i) => {
      const { src, dst, ...record } = expected[i];
      const { direction, src_geo, dst_geo, ...fields } = o;
      assert.deepEqual(fields, record);
      assert.deepEqual(src_geo, src);
      assert.deepEqual(dst_geo, dst);
      assert.ok(direction === null || typeof direction === 'string');
    });
  });
  it('escapes text that needs it and keeps UTF-8 intact', () => {
    const format = parseFormat('${interface-id} ${instance-tag} ${srcaddr} ${packets}');
    const { parsed } = roundTrip(['eni-1 "quoted"\\back\\slash-é-日本 8.8.8.8 12', 'eni-2 plain 8.8.4.4 0012'], format);
    assert.equal(parsed[0].instance_tag, '"quoted"\\back\\slash-é-日本');
    assert.equal(parsed[0].packets, 12);
    assert.equal(parsed[1].packets, 12, 'leading zeros are not valid JSON numbers: rewritten');
  });
  it('writes rescaled millisecond times as seconds', () => {
    const { parsed } = roundTrip([V2.accept.replace('1418530010 1418530070', '1418530010999 1418530070001')]);
    assert.equal(parsed[0].start, 1418530010);
    assert.equal(parsed[0].end, 1418530070);
  });
  it('copies fields straight from a shared input buffer, across output blocks, exactly', () => {
    // As the reader feeds it: many lines in one buffer, so fields are copied four bytes at a time and the output
    // crosses its 1 MiB blocks.
    const gen = new FlowLogGenerator({ seed: 21 });
    const text = Buffer.from(`${Array.from({ length: 6000 }, () => gen.line()).join('\n')}\n`);
    const writer = new NdjsonWriter(null);
    const expected: unknown[] = [];
    const reader = new FlowReader({ format: DEFAULT_FORMAT }, (line) => {
      view.read(line);
      writer.write(line, view);
      expected.push({ ...line.toRecord(), direction: DIRECTION_NAMES[view.endpoints.direction], src_geo: view.src?.geo ?? null, dst_geo: view.dst?.geo ?? null });
    }, (r) => assert.fail(r.detail));
    reader.begin('t');
    reader.chunk(text);
    reader.end();
    const parts = writer.take();
    assert.ok(parts.length > 1, 'the output spans more than one block');
    assert.deepEqual(Buffer.concat(parts).toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l)), expected);
  });
  it('reuses an output block only after the stream is done with it', async () => {
    // A slow stream that holds each chunk until it calls back, and reads it only then: a block written into
    // again too early would show here as corrupted lines.
    const got: Buffer[] = [];
    const slow = new Writable({
      highWaterMark: 64 << 20,
      write(chunk: Buffer, _enc, cb) {
        setTimeout(() => {
          got.push(Buffer.from(chunk));
          cb();
        }, 2);
      },
    });
    const gen = new FlowLogGenerator({ seed: 22 });
    const writer = new NdjsonWriter(slow);
    const want: Buffer[] = [];
    const line = new FlowLine(DEFAULT_FORMAT);
    for (let round = 0; round < 12; round++) {
      const copy = new NdjsonWriter(null);
      for (let i = 0; i < 3000; i++) {
        const text = Buffer.from(gen.line());
        assert.equal(line.parse(text, 0, text.length), null);
        view.read(line);
        writer.write(line, view);
        copy.write(line, view);
      }
      want.push(...copy.take());
      await writer.flush();
    }
    await new Promise<void>((resolve) => slow.end(resolve));
    assert.ok(want.length >= 12);
    assert.equal(Buffer.concat(got).toString('utf8'), Buffer.concat(want).toString('utf8'));
  });
  it('writes each answer\'s JSON right while its blocks fill and turn over many times', () => {
    // Enough distinct peers that the answers' JSON blocks (2 MiB each, about 9,000 answers) are switched again and
    // again: answers are copied from the previous block and made again once they fell out of both.
    let seed = 9;
    const address = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return [seed >>> 24, (seed >>> 16) & 255, (seed >>> 8) & 255, seed & 255].join('.');
    };
    // A peer anywhere in the address space on every line, now and then one of a few busy ones again.
    const busy = Array.from({ length: 50 }, address);
    const lines = Array.from({ length: 200_000 }, (_, i) =>
      `2 123456789010 eni-1 ${i % 3 === 0 ? busy[i % 50] : address()} 10.0.0.5 443 40000 6 3 180 1418530010 1418530070 ACCEPT OK`);
    const writer = new NdjsonWriter(null);
    const expected: unknown[] = [];
    let newest = 0;
    const parts: Buffer[] = [];
    const reader = new FlowReader({ format: DEFAULT_FORMAT }, (line) => {
      view.read(line);
      writer.write(line, view);
      newest = Math.max(newest, view.src?.jsonGeneration ?? 0, view.dst?.jsonGeneration ?? 0);
      expected.push([view.src?.geo ?? null, view.dst?.geo ?? null]);
      if (writer.pending > 1 << 22) parts.push(...writer.take());
    }, (r) => assert.fail(r.detail));
    reader.begin('t');
    reader.chunk(Buffer.from(`${lines.join('\n')}\n`));
    reader.end();
    parts.push(...writer.take());
    assert.ok(newest >= 3, `the blocks turned over ${newest} times`);
    const got = Buffer.concat(parts).toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l))
      .map((o) => [o.src_geo, o.dst_geo]);
    assert.deepEqual(got, expected);
  });
  it('handles records larger than its buffer block', () => {
    const format = parseFormat('${srcaddr} ${instance-tag}');
    const big = 'x'.repeat(1_500_000);
    const { parsed } = roundTrip([`8.8.8.8 ${big}`, `1.1.1.1 "${big}`], format);
    assert.equal(parsed[0].instance_tag.length, big.length);
    assert.equal(parsed[1].instance_tag.length, big.length + 1);
  });
});
