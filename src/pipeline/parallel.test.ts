import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { EventEmitter } from 'node:events';
import { DEFAULT_FORMAT } from '../parse/format.js';
import { FlowLogGenerator } from '../sources/demo/generator.js';
import { SegmentPool } from './parallel.js';
import type { SegmentResult } from './worker.js';

const SETUP = { geoDb: [], asnDb: [], cacheSize: 1000, all: true, maxLineBytes: 1 << 16, inputFormat: 'auto' as const,
  maxDocumentBytes: 1 << 20 };

describe('SegmentPool', () => {
  it('reads file after file with the same threads, and lets go of each run (nothing retained between files)', async () => {
    const gen = new FlowLogGenerator({ seed: 4 });
    const path = join(mkdtempSync(join(tmpdir(), 'ipgeo-pool-')), 'flows.log');
    writeFileSync(path, `${Array.from({ length: 2000 }, () => gen.line()).join('\n')}\n`);
    // One thread: this one. Worker threads cannot load TypeScript under the test runner (the CLI tests cover them).
    const pool = SegmentPool.open(1, { ...SETUP, job: { kind: 'enrich' } });
    try {
      for (let file = 0; file < 3; file++) {
        const seen: number[] = [];
        let records = 0;
        await pool.run(path, { segmentBytes: 16_384, format: DEFAULT_FORMAT }, (r: SegmentResult, firstLine) => {
          seen.push(firstLine);
          records += r.records;
        });
        assert.equal(records, 2000, `file ${file}`);
        assert.equal(seen[0], 1);
        assert.ok(seen.length > 5, 'read in several segments');
      }
      const [local] = (pool as unknown as { threads: EventEmitter[] }).threads;
      assert.equal(local.listenerCount('message'), 0, 'each run removes its listeners');
      assert.equal(local.listenerCount('error'), 1, 'only the pool\'s own error listener stays');
      assert.ok(pool.usable);
    } finally {
      await pool.close();
    }
  });

  it('reads whole files, a file a task, sending a file\'s rejections in batches while it is read', async () => {
    const gen = new FlowLogGenerator({ seed: 6 });
    const dir = mkdtempSync(join(tmpdir(), 'ipgeo-whole-'));
    const paths = [0, 1, 2].map((i) => {
      const lines = Array.from({ length: 3000 }, (_, j) => (i === 1 && j < 2500 ? `bad ${j}` : gen.line()));
      const path = join(dir, `f${i}.log.gz`);
      writeFileSync(path, gzipSync(`${lines.join('\n')}\n`));
      return path;
    });
    const pool = SegmentPool.open(1, { ...SETUP, job: { kind: 'report', by: ['action'] } });
    const events: string[] = [];
    let rejected = 0;
    try {
      await pool.runWhole(paths, DEFAULT_FORMAT, {
        result: (r: SegmentResult, path) => {
          events.push(`${path.slice(-9)}: ${r.records} records, ${r.rejections.length} rejections in the result`);
          rejected += r.rejections.length;
          assert.ok(r.groups !== undefined && r.from !== undefined, 'the report\'s groups come with the result');
        },
        rejections: (batch) => {
          events.push(`batch of ${batch.length}`);
          rejected += batch.length;
          assert.match(batch[0].where, /f1\.log\.gz:\d+$/);
        },
      });
      assert.deepEqual(events, ['f0.log.gz: 3000 records, 0 rejections in the result', 'batch of 1000', 'batch of 1000',
        'f1.log.gz: 500 records, 500 rejections in the result', 'f2.log.gz: 3000 records, 0 rejections in the result']);
      assert.equal(rejected, 2500);
      const [local] = (pool as unknown as { threads: EventEmitter[] }).threads;
      assert.equal(local.listenerCount('message'), 0, 'the run removes its listeners');
      assert.ok(pool.usable);
    } finally {
      await pool.close();
    }
  });
  it('enrich: a whole file\'s output comes in parts before its result, file after file, held back by the writer',
    { timeout: 30_000 }, async () => {
    const gen = new FlowLogGenerator({ seed: 8, clients: 3000, scanners: 100 });
    const dir = mkdtempSync(join(tmpdir(), 'ipgeo-parts-'));
    // The first file's output (~10 MiB) is more than a thread may send ahead of the writer (8 MiB): it must wait
    // for the writer's grants, which this run gives only as it writes, slowly.
    const paths = [20_000, 3000].map((n, i) => {
      const path = join(dir, `e${i}.log.gz`);
      writeFileSync(path, gzipSync(`${Array.from({ length: n }, () => gen.line()).join('\n')}\n`));
      return path;
    });
    const pool = SegmentPool.open(1, { ...SETUP, job: { kind: 'enrich' } });
    const events: string[] = [];
    let bytes = 0;
    let lines = 0;
    const count = (parts: Uint8Array[]) => {
      for (const p of parts) {
        bytes += p.byteLength;
        lines += Buffer.from(p).toString('latin1').split('\n').length - 1;
        assert.equal(p[p.byteLength - 1], 0x0a, 'a part ends with a whole record');
      }
    };
    try {
      await pool.runWhole(paths, DEFAULT_FORMAT, {
        output: async (parts) => {
          if (events.at(-1) !== 'part') events.push('part');
          count(parts);
          await new Promise((resolve) => setTimeout(resolve, 5));
        },
        result: (r: SegmentResult, path) => {
          count(r.output ?? []);
          events.push(`${path.slice(-9)}: ${r.records} records`);
        },
        rejections: () => assert.fail('no rejections'),
      });
      assert.deepEqual(events, ['part', 'e0.log.gz: 20000 records', 'part', 'e1.log.gz: 3000 records']);
      assert.equal(lines, 23_000, 'every record once (--all)');
      assert.ok(bytes > 10 << 20, `${bytes} bytes`);
    } finally {
      await pool.close();
    }
  });
});
