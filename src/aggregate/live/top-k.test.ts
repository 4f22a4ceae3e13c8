import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TopK } from './top-k.js';

/** A small seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    s ^= s + Math.imul(s ^ (s >>> 7), 61 | s);
    return ((s ^ (s >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface Truth {
  records: Map<string, number>;
  bytes: Map<string, number>;
  rejects: Map<string, number>;
  total: number;
  unranked: number;
}

const bump = (m: Map<string, number>, k: string, n: number) => m.set(k, (m.get(k) ?? 0) + n);

/**
 * A summary of `records` Zipf-distributed records, the way a second is summarised: its first `offered` distinct
 * keys are counted exactly and offered to the sketch; later new keys are left out and counted as unranked.
 */
function part(next: () => number, k: number, records: number, keys: number, offered: number, truth: Truth): TopK {
  const exact = new Map<string, [number, number, number]>();
  let unranked = 0;
  for (let i = 0; i < records; i++) {
    const key = `k${Math.floor(keys ** next())}`; // heavy-tailed: small numbers are far more frequent
    const bytes = 1 + Math.floor(next() * 1000);
    const reject = next() < 0.3 ? 1 : 0;
    bump(truth.records, key, 1);
    bump(truth.bytes, key, bytes);
    bump(truth.rejects, key, reject);
    truth.total++;
    const c = exact.get(key);
    if (c !== undefined) {
      c[0]++;
      c[1] += bytes;
      c[2] += reject;
    } else if (exact.size < offered) exact.set(key, [1, bytes, reject]);
    else unranked++;
  }
  const top = new TopK(k);
  for (const [key, [n, by, x]] of exact) top.add(key, n, by, x);
  top.unranked(unranked);
  truth.unranked += unranked;
  return top;
}

describe('TopK (mergeable Misra–Gries)', () => {
  it('keeps its bounds through random merges of random parts', () => {
    for (let round = 0; round < 40; round++) {
      const next = random(round + 1);
      const k = 4 + Math.floor(next() * 40);
      const truth: Truth = { records: new Map(), bytes: new Map(), rejects: new Map(), total: 0, unranked: 0 };
      let parts = Array.from({ length: 2 + Math.floor(next() * 30) }, () =>
        part(next, k, 1 + Math.floor(next() * 3000), 10 + Math.floor(next() * 5000), 20 + Math.floor(next() * 400), truth));
      // Merged in a random tree, as seconds into minutes, minutes into windows, shards and producers together.
      while (parts.length > 1) {
        const i = Math.floor(next() * parts.length);
        const [a] = parts.splice(i, 1);
        const j = Math.floor(next() * parts.length);
        if (next() < 0.5) parts[j].merge(a);
        else parts[j].mergeData(structuredClone(a.toData()));
      }
      const top = parts[0];
      const all = top.top(Infinity);
      const listed = new Map(all.map((h) => [h.key, h]));
      const error = all[0]?.error ?? 0;
      const bound = truth.total / (k + 1) + truth.unranked;
      assert.ok(all.length <= 2 * k, `round ${round}: ${all.length} keys kept for k = ${k}`);
      assert.ok(error <= bound, `round ${round}: error ${error} over total/(k+1) + unranked = ${bound}`);
      for (const [key, n] of truth.records) {
        const h = listed.get(key);
        const counted = h?.records ?? 0;
        assert.ok(counted <= n && n <= counted + error, `round ${round}: ${key} has ${n}, listed ${counted} ± ${error}`);
        if (n > bound) assert.ok(h !== undefined, `round ${round}: ${key} with ${n} > ${bound} records is missing`);
        if (h === undefined) continue;
        assert.ok(h.bytes <= truth.bytes.get(key)!, `round ${round}: ${key} bytes overcounted`);
        assert.ok(h.rejects <= Math.min(h.records, truth.rejects.get(key)!), `round ${round}: ${key} rejects`);
      }
      assert.deepEqual(all.map((h) => h.records), all.map((h) => h.records).sort((a, b) => b - a));
    }
  });

  it('never undercounts a key listed on both sides past its error (merge credits both)', () => {
    const a = new TopK(2);
    for (const [key, n] of [['x', 10], ['w', 10], ['y', 1], ['v', 1], ['z', 1]] as const) {
      for (let i = 0; i < n; i++) a.add(key, 1, 0, 0);
    }
    const b = new TopK(2);
    b.add('y', 5, 0, 0);
    b.merge(a);
    const y = b.top(10).find((h) => h.key === 'y')!;
    assert.ok(y.records <= 6 && 6 <= y.records + y.error, JSON.stringify(y));
    assert.deepEqual(b.top(2).map((h) => [h.key, h.records]), [['x', 9], ['w', 9]]);
  });

  it('cuts exact counts added at once by the (k+1)-th largest only', () => {
    const top = new TopK(2);
    top.addAll([60, 50, 40, 30, 20, 10, 9, 8].map((n, i) => ({ key: `k${i}`, records: n, bytes: n * 100, rejects: n })));
    assert.deepEqual(top.top(10).map((h) => [h.key, h.records, h.error, h.bytes, h.rejects]), [['k0', 20, 40, 6000, 20], ['k1', 10, 40, 5000, 10]]);
  });

  it('ranks a key busy in every minute first over an hour of merged minutes, above keys busy in one', () => {
    const window = new TopK(8);
    for (let minute = 0; minute < 60; minute++) {
      const m = new TopK(8);
      m.add('steady', 60, 0, 0); // over total/(k+1) in each minute and in the hour
      for (let i = 0; i < 30; i++) m.add(`once-${minute}-${i}`, 5 + (i % 10), 0, 0);
      window.merge(m);
    }
    const [first] = window.top(1);
    assert.equal(first.key, 'steady');
    assert.ok(first.records <= 3600 && 3600 <= first.records + first.error, JSON.stringify(first));
  });
});
