import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { V2, V5_ALPHABETICAL, V5_EGRESS, V5_FIELDS } from '../../test/samples.js';
import type { Rejection } from '../errors.js';
import { DEFAULT_FORMAT, parseFormat } from './format.js';
import type { FlowRecord } from './line.js';
import { FlowReader } from './reader.js';

function collect(opts: { maxLineBytes?: number; format?: string } = {}) {
  const records: FlowRecord[] = [];
  const rejections: Rejection[] = [];
  const reader = new FlowReader(
    { format: opts.format ? parseFormat(opts.format) : DEFAULT_FORMAT, maxLineBytes: opts.maxLineBytes },
    (line) => records.push(line.toRecord()), (r) => rejections.push(r));
  return { reader, records, rejections };
}

function readChunks(chunks: Buffer[], opts = {}) {
  const c = collect(opts);
  c.reader.begin('in.log');
  for (const b of chunks) c.reader.chunk(b);
  c.reader.end();
  return c;
}

describe('line framing', () => {
  const text = `${V2.accept}\r\n${V2.reject}\n\n${V2.nodata}\nnot a record\n${V2.ipv6}`;
  const whole = readChunks([Buffer.from(text)]);

  it('reads LF and CRLF lines, skips blank ones, keeps the last line without a newline', () => {
    assert.equal(whole.records.length, 4);
    assert.equal(whole.records[3].srcaddr, '2001:4860:4860::8888');
  });
  it('rejects a bad line with its line number and keeps the records around it', () => {
    assert.deepEqual(whole.rejections.map((r) => [r.where, r.code]), [['in.log:5', 'field_count']]);
    assert.equal(whole.reader.rejects.total, 1);
  });
  it('gives the same result wherever the chunks split the text', () => {
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut += 7) {
      for (const step of [1, 13]) {
        const parts: Buffer[] = [bytes.subarray(0, cut)];
        for (let s = cut; s < bytes.length; s += step * 50) parts.push(bytes.subarray(s, s + step * 50));
        const split = readChunks(parts);
        assert.deepEqual(split.records, whole.records, `cut at ${cut}`);
        assert.deepEqual(split.rejections, whole.rejections);
      }
    }
  });
  it('rejects an over-long line once, skips to the next line, and keeps going', () => {
    const long = 'x'.repeat(5000);
    const r = readChunks([Buffer.from(`${V2.accept}\n${long.slice(0, 2000)}`), Buffer.from(long), Buffer.from(`\n${V2.reject}\n`)],
      { maxLineBytes: 1024 });
    assert.equal(r.records.length, 2);
    assert.deepEqual(r.rejections.map((x) => [x.where, x.code]), [['in.log:2', 'line_too_long']]);
  });
});

describe('header lines', () => {
  it('switch the format for the rest of the input, in any field order', () => {
    const fields = V5_FIELDS.split(' ');
    const values = V5_EGRESS.split(' ');
    const alpha = V5_ALPHABETICAL.split(' ');
    const reordered = alpha.map((f) => values[fields.indexOf(f)]).join(' ');
    const r = readChunks([Buffer.from(`${V2.accept}\n${V5_ALPHABETICAL}\n${reordered}\n${V5_FIELDS}\n${V5_EGRESS}\n`)]);
    assert.equal(r.rejections.length, 0);
    assert.equal(r.reader.headers, 2);
    assert.equal(r.records.length, 3);
    assert.deepEqual(r.records[1], r.records[2]);
    assert.equal(r.records[1].flow_direction, 'egress');
  });
  it('reset to the configured format at the next input', () => {
    const c = collect();
    c.reader.begin('a.log');
    c.reader.chunk(Buffer.from(`${V5_FIELDS}\n`));
    c.reader.end();
    c.reader.begin('b.log');
    c.reader.chunk(Buffer.from(`${V2.accept}\n`));
    c.reader.end();
    assert.equal(c.records.length, 1);
    assert.equal(c.rejections.length, 0);
  });
  it('are told from data even when every field of the format is text', () => {
    const r = readChunks([Buffer.from('interface-id vpc-id\neni-1 vpc-2\n')], { format: '${interface-id} ${vpc-id}' });
    assert.deepEqual(r.records, [{ interface_id: 'eni-1', vpc_id: 'vpc-2' }]);
  });
  it('naming a field twice are rejected and the format stays', () => {
    const r = readChunks([Buffer.from(`version srcaddr srcaddr\n${V2.accept}\n`)]);
    assert.equal(r.rejections[0].code, 'bad_header');
    assert.equal(r.records.length, 1);
  });
});

describe('messages', () => {
  it('read each line of a self-contained text and name it by its place', () => {
    const c = collect();
    c.reader.begin('event.json');
    c.reader.message(Buffer.from(`${V2.accept}\nbad`), 'event.json:logEvents[3]');
    assert.equal(c.records.length, 1);
    assert.equal(c.rejections[0].where, 'event.json:logEvents[3] line 2');
  });
});
