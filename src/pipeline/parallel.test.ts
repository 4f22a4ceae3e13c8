import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EventEmitter } from 'node:events';
import { DEFAULT_FORMAT } from '../parse/format.js';
import { FlowLogGenerator } from '../sources/demo/generator.js';
import { SegmentPool } from './parallel.js';
import type { SegmentResult } from './worker.js';

describe('SegmentPool', () => {
  it('reads file after file with the same threads, and lets go of each run (nothing retained between files)', async () => {
    const gen = new FlowLogGenerator({ seed: 4 });
    const path = join(mkdtempSync(join(tmpdir(), 'ipgeo-pool-')), 'flows.log');
    writeFileSync(path, `${Array.from({ length: 2000 }, () => gen.line()).join('\n')}\n`);
    // One thread: this one. Worker threads cannot load TypeScript under the test runner (the CLI tests cover them).
    const pool = SegmentPool.open(1, { job: { kind: 'enrich' }, geoDb: [], asnDb: [], cacheSize: 1000, all: true, maxLineBytes: 1 << 16 });
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
});
