import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import maxmind from 'maxmind';
import { parseIPv6 } from '../parse/address.js';
import { openPaged, readLines, shareData, textLines } from './data-files.js';
import { UsageError } from '../errors.js';
import { MmdbFile } from './mmdb.js';
import { bundledPaths } from './sources.js';

const dir = mkdtempSync(join(tmpdir(), 'ipgeo-paged-'));
const PAGE = 4096;
const marked = (pages: Uint8Array) => pages.reduce((n, p) => n + p, 0);

describe('PagedFile', () => {
  const bytes = Buffer.from(Array.from({ length: 10 * PAGE + 123 }, (_, i) => (i * 7 + (i >>> 12)) & 0xff));
  const path = join(dir, 'pages.bin');
  writeFileSync(path, bytes);

  it('reads only the pages asked for, and each byte as the file has it', () => {
    const f = openPaged(path);
    assert.equal(f.size, bytes.length);
    assert.equal(marked(f.pages), 0);
    f.ensure(PAGE + 10, PAGE + 20);
    assert.deepEqual([...f.pages], [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    f.ensure(3 * PAGE - 1, 5 * PAGE + 1); // across page bounds: pages 2 to 5
    assert.deepEqual([...f.pages], [0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    assert.ok(f.bytes.subarray(PAGE, 6 * PAGE).equals(bytes.subarray(PAGE, 6 * PAGE)));
    assert.ok(f.bytes.subarray(0, PAGE).every((b) => b === 0), 'page 0 was never read');
    f.ensure(10 * PAGE, f.size + 1000); // the short last page, and a range past the end
    assert.ok(f.bytes.subarray(10 * PAGE).equals(bytes.subarray(10 * PAGE)));
    assert.ok(f.has(10 * PAGE + 122) && !f.has(9 * PAGE));
  });

  it('is one copy per process: opening the path again sees the pages already read', () => {
    assert.equal(marked(openPaged(path).pages), 6);
  });

  it('an unreadable file is a clear error', () => {
    assert.throws(() => openPaged(join(dir, 'missing.mmdb'), 'MMDB file'), /cannot read the MMDB file .*missing\.mmdb: ENOENT/);
    assert.throws(() => openPaged(dir, 'MMDB file'), /not a regular file/);
  });
});

describe('readLines', () => {
  const collect = (f: (on: (b: Buffer, s: number, e: number) => void) => void) => {
    const got: string[] = [];
    f((b, s, e) => got.push(b.toString('latin1', s, e)));
    return got;
  };

  it('gives every line of a file read in chunks as the whole text has it, a line longer than a chunk included', () => {
    // Lines of many lengths, so chunk ends fall inside lines; one line of 2.5 MiB; CRLF kept; no final newline.
    const lines = Array.from({ length: 60_000 }, (_, i) => `${i},${'x'.repeat((i * 37) % 101)}${i % 7 === 0 ? '\r' : ''}`);
    lines.splice(30_000, 0, 'y'.repeat(2.5 * 2 ** 20), '');
    const text = lines.join('\n');
    const path = join(dir, 'lines.txt');
    writeFileSync(path, text);
    const expected = text.split('\n');
    assert.deepEqual(collect((on) => readLines(path, 'test file', on)), expected);
    assert.deepEqual(collect((on) => textLines(Buffer.from(text, 'latin1'), on)), expected);
    writeFileSync(path, text + '\n');
    assert.deepEqual(collect((on) => readLines(path, 'test file', on)), expected);
    writeFileSync(path, '');
    assert.deepEqual(collect((on) => readLines(path, 'test file', on)), []);
  });

  it('an unreadable file is a clear error', () => {
    assert.throws(() => readLines(join(dir, 'none.csv'), 'ASN table', () => {}),
      (e: Error) => e instanceof UsageError && /cannot read the ASN table .*none\.csv: ENOENT/.test(e.message));
    assert.throws(() => readLines(dir, 'ASN table', () => {}),
      (e: Error) => e instanceof UsageError && /cannot read the ASN table .*: EISDIR/.test(e.message));
  });
});

describe('MMDB search tree read on demand', () => {
  const [v4, v6] = bundledPaths().city;
  const otherDb = () => readFileSync(join(new URL('../../test/fixtures/mmdb/', import.meta.url).pathname, 'GeoIP2-City-Test.mmdb'));
  /** Addresses whose walks reach tree pages that a lookup of 2001:4860:4860::8888 does not. */
  const far = ['2a02:2e0:3fe:1001:302::', '2c0f:f248::1', '2405:200:1607:2820::2', '2803:9810::1'];
  const words = (a: string) => {
    const w = new Uint32Array(4);
    assert.ok(parseIPv6(Buffer.from(a), 0, a.length, w, 0));
    return w;
  };

  it('an IPv6 database answers a few lookups with a small part of its tree read', () => {
    const db = new MmdbFile(v6);
    const reference = new maxmind.Reader(readFileSync(v6));
    const pages = openPaged(v6).pages;
    const addresses = ['2001:4860:4860::8888', '2606:4700:4700::1111', '2a00:1450:4001:81c::200e', '2400:cb00:2048:1::c629:d7a2'];
    const w = new Uint32Array(4);
    for (const a of addresses) {
      assert.ok(parseIPv6(Buffer.from(a), 0, a.length, w, 0));
      const pointer = db.pointerV6(w, 0);
      assert.ok(pointer > 0, a);
      assert.deepEqual(db.decodeV6(w, 0), reference.get(a), a);
    }
    const tree = Math.ceil((db.treeBytes) / PAGE);
    // Metadata and data section are read whole; of the tree, about a page per level of each walk.
    const treeRead = pages.subarray(0, tree).reduce((n, p) => n + p, 0);
    assert.ok(treeRead > 0 && treeRead < 600, `${treeRead} of ${tree} tree pages read`);
  });

  it('keeps answering from the file it opened when the path is replaced on disk', () => {
    const path = join(dir, 'city-v6.mmdb');
    copyFileSync(v6, path);
    const db = new MmdbFile(path);
    assert.ok(db.decodeV6(words('2001:4860:4860::8888'), 0) !== null);
    const pages = openPaged(path).pages;
    const before = marked(pages);
    const other = join(dir, 'other.mmdb');
    writeFileSync(other, otherDb());
    renameSync(other, path); // how geoipupdate installs a new database
    // Addresses far from the first need tree pages not read yet: they must come from the original file.
    const reference = new maxmind.Reader(readFileSync(v6));
    for (const a of [...far, '2600:1f18::1']) {
      assert.deepEqual(db.decodeV6(words(a), 0), reference.get(a), a);
    }
    assert.ok(marked(pages) > before + 20, 'the lookups read pages after the file was replaced');
  });

  it('once the file is written over in place, answers what it read as before and the rest as unknown, and says so once', async () => {
    const path = join(dir, 'city-v6-copied-over.mmdb');
    copyFileSync(v6, path);
    const db = new MmdbFile(path);
    const known = '2001:4860:4860::8888';
    const before = db.decodeV6(words(known), 0);
    assert.ok(before !== null);
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      // `cp` onto the path: the same file, truncated and written with other bytes.
      writeFileSync(path, otherDb());
      assert.deepEqual(db.decodeV6(words(known), 0), before, 'pages read before still answer');
      for (const a of far) {
        assert.equal(db.pointerV6(words(a), 0), 0, a);
        assert.equal(db.decodeV6(words(a), 0), null, a);
      }
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
      assert.equal(warnings.length, 1);
      assert.match(warnings[0].message, /city-v6-copied-over\.mmdb was written over while in use: .* moving a new file onto its path/);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('worker threads use the pages another thread read, and read the rest themselves into the same memory', async () => {
    const shared = shareData([v4]);
    const f = openPaged(v4);
    const before = marked(f.pages);
    const page = f.pages.lastIndexOf(0);
    // The worker runs the built module (npm test builds first), as the CLI's workers do.
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      import(workerData.module).then(({ adoptData, openPaged }) => {
        adoptData(workerData.shared);
        const f = openPaged(workerData.path);
        f.ensure(workerData.page * 4096, workerData.page * 4096 + 1);
        parentPort.postMessage(f.pages.reduce((n, p) => n + p, 0));
      });`;
    const module = new URL('../../dist/enrich/data-files.js', import.meta.url).href;
    const seen = await new Promise<number>((resolve, reject) => {
      const w = new Worker(code, { eval: true, workerData: { module, shared, path: v4, page } });
      w.once('message', resolve);
      w.once('error', reject);
    });
    assert.equal(seen, before + 1, 'the worker saw this thread\'s pages');
    assert.equal(marked(f.pages), before + 1, 'this thread sees the page the worker read');
    const disk = readFileSync(v4);
    assert.ok(f.bytes.subarray(page * PAGE, (page + 1) * PAGE).equals(disk.subarray(page * PAGE, (page + 1) * PAGE)));
  });
});
