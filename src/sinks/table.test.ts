import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { tableText, writeText, type Cell, type TableFormat } from './table.js';

const columns = ['city', 'dst_port', 'records'];
const rows: Cell[][] = [['Portland, Oregon', 22, 3], [null, null, 1], ['say "hi"\tthere\nnow', 443, 2]];
const renderTable = (c: string[], r: Cell[][], f: TableFormat) => [...tableText(c, r, f)].join('');

describe('report tables', () => {
  it('TSV: absent as "-", no tab or newline inside a cell', () => {
    assert.equal(renderTable(columns, rows, 'tsv'),
      'city\tdst_port\trecords\nPortland, Oregon\t22\t3\n-\t-\t1\nsay "hi" there now\t443\t2\n');
  });

  it('CSV: RFC 4180 quoting, absent as empty', () => {
    assert.equal(renderTable(columns, rows, 'csv'),
      'city,dst_port,records\n"Portland, Oregon",22,3\n,,1\n"say ""hi""\tthere\nnow",443,2\n');
  });

  it('JSON: the same array JSON.stringify makes, with or without rows', () => {
    const objects = rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])));
    assert.equal(renderTable(columns, rows, 'json'), `${JSON.stringify(objects, null, 2)}\n`);
    assert.equal(renderTable(columns, [], 'json'), `${JSON.stringify([], null, 2)}\n`);
  });

  it('is made a row at a time and written in pieces, waiting when the stream is full', async () => {
    let made = 0;
    function* many(): Generator<Cell[]> {
      for (let i = 0; i < 50_000; i++, made++) yield [`place ${i}`, i, 1];
    }
    const text = tableText(columns, many(), 'tsv');
    text.next();
    assert.equal(made, 0, 'no row made before it is asked for');
    const out = new PassThrough({ highWaterMark: 1024 });
    const parts: Buffer[] = [];
    let writes = 0;
    const write = out.write.bind(out);
    out.write = ((chunk: string) => {
      writes++;
      return write(chunk);
    }) as typeof out.write;
    const done = writeText(out, tableText(columns, many(), 'tsv'));
    out.on('data', (b: Buffer) => parts.push(b));
    await done;
    const lines = Buffer.concat(parts).toString().split('\n');
    assert.equal(lines.length, 50_002);
    assert.equal(lines[50_000], 'place 49999\t49999\t1');
    assert.ok(writes > 10 && writes < 200, `${writes} writes`);
  });
});
