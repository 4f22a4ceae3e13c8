import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { FlowLogGenerator } from '../sources/demo/generator.js';
import { IngestPool } from './ingest-pool.js';

const setup = { geoDb: [], asnDb: [], cacheSize: 1000, maxLineBytes: 65536, maxDocumentBytes: 1 << 20, eventsPerSecond: 200, eventIntervalMs: 50 };
const line = '2 123456789010 eni-1 8.8.8.8 10.0.0.1 443 50000 6 1 100 1418530010 1418530070 ACCEPT OK\n';

describe('ingest threads', () => {
  it('fail the requests a dead thread held, with a reason, and carry on with a new thread', { timeout: 30_000 }, async () => {
    const pool = await IngestPool.start(setup, 1, pino({ level: 'silent' }));
    try {
      const first = await pool.ingest('http:lines', Buffer.from(line.repeat(3)), 'text');
      assert.equal(first.result.accepted, 3);
      // A large body keeps the thread busy while it is stopped under it.
      const busy = pool.ingest('http:lines', Buffer.from(line.repeat(200_000)), 'text');
      await new Promise((r) => setTimeout(r, 20));
      await (pool as unknown as { threads: Array<{ worker: { terminate(): Promise<number> } }> }).threads[0].worker.terminate();
      await assert.rejects(busy, /ingest thread stopped .* send the data again/);
      const after = await pool.ingest('http:lines', Buffer.from(line), 'text');
      assert.equal(after.result.accepted, 1);
      assert.equal(pool.size, 1);
      const [second] = await pool.takeSeconds();
      assert.equal(second.bucket.totals.records, 1, 'the new thread counts only what it read');
    } finally {
      await pool.close();
    }
  });

  it('answer event requests while they flatten a busy second, not after', { timeout: 30_000 }, async () => {
    const pool = await IngestPool.start(setup, 1, pino({ level: 'silent' }));
    try {
      const gen = new FlowLogGenerator({ seed: 3 });
      const body = Array.from({ length: 100_000 }, () => gen.line()).join('\n');
      assert.equal((await pool.ingest('http:lines', Buffer.from(body), 'text')).result.accepted, 100_000);
      const order: string[] = [];
      const second = pool.takeSeconds().then(([s]) => { order.push('second'); return s; });
      const events = pool.takeEvents().then(() => order.push('events'));
      await Promise.all([second, events]);
      assert.deepEqual(order, ['events', 'second']);
      const { totals } = (await second).bucket;
      assert.equal(totals.flows + totals.nodata + totals.skipdata, 100_000);
    } finally {
      await pool.close();
    }
  });

  it('move a handed-over body that is all of its memory, and copy any other', { timeout: 30_000 }, async () => {
    const pool = await IngestPool.start(setup, 1, pino({ level: 'silent' }));
    try {
      const own = Buffer.allocUnsafeSlow(line.length * 5);
      own.write(line.repeat(5));
      assert.equal((await pool.ingest('http:lines', own, 'text', true)).result.accepted, 5);
      assert.equal(own.byteLength, 0, 'its memory went to the thread');
      const kept = Buffer.allocUnsafeSlow(line.length * 2);
      kept.write(line.repeat(2));
      assert.equal((await pool.ingest('http:lines', kept, 'text')).result.accepted, 2);
      assert.equal(kept.toString(), line.repeat(2), 'not handed over: the caller keeps its bytes');
      // A slice of a larger buffer (Node.js's pool for small Buffers, say) is copied even when handed over.
      const slab = Buffer.from(`xx${line}`);
      const slice = slab.subarray(2);
      assert.equal((await pool.ingest('http:lines', slice, 'text', true)).result.accepted, 1);
      assert.equal(slab.toString(), `xx${line}`);
    } finally {
      await pool.close();
    }
  });
});
