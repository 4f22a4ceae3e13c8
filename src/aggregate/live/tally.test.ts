import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrozenTally, kthLargest, OTHER, TallyTable, type Tally } from './tally.js';

/** The truth: every key counted, no cap. */
class Exact {
  readonly map = new Map<string, Tally>();

  add(key: string, t: Tally, sign = 1): void {
    const mine = this.map.get(key) ?? { records: 0, packets: 0, bytes: 0, rejects: 0 };
    const next = { records: mine.records + sign * t.records, packets: mine.packets + sign * t.packets,
      bytes: mine.bytes + sign * t.bytes, rejects: mine.rejects + sign * t.rejects };
    if (next.records === 0) this.map.delete(key);
    else this.map.set(key, next);
  }

  sum(): Tally {
    const s = { records: 0, packets: 0, bytes: 0, rejects: 0 };
    for (const t of this.map.values()) {
      s.records += t.records;
      s.packets += t.packets;
      s.bytes += t.bytes;
      s.rejects += t.rejects;
    }
    return s;
  }
}

const rows = (t: TallyTable<string> | FrozenTally<string>) => {
  const out: Array<[string, Tally]> = [];
  t.forEach((key, records, packets, bytes, rejects) => out.push([key, { records, packets, bytes, rejects }]));
  return out;
};

const sumOf = (t: TallyTable<string>) => {
  const s = { records: 0, packets: 0, bytes: 0, rejects: 0 };
  for (const [, r] of rows(t)) {
    s.records += r.records;
    s.packets += r.packets;
    s.bytes += r.bytes;
    s.rejects += r.rejects;
  }
  return s;
};

function random(seed: number): (n: number) => number {
  return (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
}

/** A key with a Zipf-like popularity: k0 is drawn most, k1 half as often… */
const zipfKey = (next: (n: number) => number, keys: number) => `k${Math.floor(keys ** (next(1_000_000) / 1_000_000)) - 1}`;

describe('kthLargest', () => {
  it('finds the k-th largest as sorting does, duplicates included', () => {
    const next = random(5);
    for (let round = 0; round < 200; round++) {
      const values = Float64Array.from({ length: 1 + next(60) }, () => next(round % 2 === 0 ? 5 : 1000));
      const sorted = [...values].sort((a, b) => b - a);
      const k = 1 + next(values.length);
      assert.equal(kthLargest(values, k), sorted[k - 1], `${sorted} k=${k}`);
    }
  });
});

describe('TallyTable', () => {
  it('keeps exactly the largest keys of a pass over distinct keys, whatever their order, and folds the rest into OTHER', () => {
    const next = random(3);
    const truth = Array.from({ length: 500 }, (_, i) => ({ key: `k${i}`, records: 1 + next(1000), packets: next(50), bytes: next(1e6), rejects: next(3) }));
    const table = new TallyTable<string>(40);
    for (const t of truth) table.add(t.key, t.records, t.packets, t.bytes, t.rejects);
    const frozen = table.freeze();
    const top = [...truth].sort((a, b) => b.records - a.records || b.bytes - a.bytes).slice(0, 40);
    const kept = new Map(rows(frozen));
    assert.equal(kept.size, 41);
    for (const t of top) assert.deepEqual(kept.get(t.key), { records: t.records, packets: t.packets, bytes: t.bytes, rejects: t.rejects });
    const rest = truth.slice().sort((a, b) => b.records - a.records || b.bytes - a.bytes).slice(40);
    assert.equal(kept.get(OTHER)!.records, rest.reduce((n, t) => n + t.records, 0));
  });

  it('in a sliding window, adds up exactly, never counts a key above its truth, and holds the busiest keys', () => {
    const next = random(7);
    const table = new TallyTable<string>(40);
    const exact = new Exact();
    // A sliding window: buckets added, and subtracted when they leave, so keys come and go and rows are reused.
    const window: FrozenTally<string>[] = [];
    for (let step = 0; step < 400; step++) {
      const counting = new TallyTable<string>(25);
      const keys = step % 100 < 50 ? 60 : 400;
      for (let i = 0; i < 80; i++) {
        counting.add(zipfKey(next, keys), 1 + next(5), next(100), next(1e6) * 1e4, next(2));
      }
      const bucket = counting.freeze();
      table.addTable(bucket);
      for (const [key, t] of rows(bucket)) exact.add(key, t);
      window.push(bucket);
      if (window.length > 8) {
        const old = window.shift()!;
        table.addTable(old, -1);
        for (const [key, t] of rows(old)) exact.add(key, t, -1);
      }
      assert.deepEqual(sumOf(table), exact.sum(), `step ${step}`);
      for (const [key, r] of rows(table)) {
        if (key === OTHER) continue;
        const t = exact.map.get(key)!;
        assert.ok(r.records <= t.records && r.bytes <= t.bytes, `step ${step}: ${key} above its truth`);
      }
      assert.ok(table.size <= 40 + 20 + 1);
    }
    // The busiest keys of the last window are there, counted in full.
    const busiest = [...exact.map].filter(([k]) => k !== OTHER).sort((a, b) => b[1].records - a[1].records).slice(0, 3);
    const kept = new Map(rows(table));
    for (const [key, t] of busiest) assert.deepEqual(kept.get(key), t, key);
  });

  it('ranks by records then bytes, folds the rest and OTHER into one OTHER row', () => {
    const t = new TallyTable<string>(4);
    t.add('a', 5, 1, 10, 0);
    t.add('b', 9, 1, 10, 1);
    t.add('c', 5, 1, 20, 0);
    t.add('d', 1, 1, 1, 0);
    t.add('e', 2, 2, 2, 2); // past the cap: its own row until a trim, OTHER in a top that leaves it out
    assert.deepEqual(t.top(2), [
      ['b', { records: 9, packets: 1, bytes: 10, rejects: 1 }],
      ['c', { records: 5, packets: 1, bytes: 20, rejects: 0 }],
      [OTHER, { records: 8, packets: 4, bytes: 13, rejects: 2 }],
    ]);
    assert.equal(t.top(10).length, 5);
  });

  it('gives the same top as sorting every key, ties included, with the rest in OTHER', () => {
    const t = new TallyTable<string>(5000);
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 4000; i++) t.add(`k${i}`, 1 + Math.floor(random() ** 3 * 50), 1, Math.floor(random() * 4), 0);
    t.add(OTHER, 3, 3, 3, 3);
    for (const n of [1, 10, 300, 1999, 2000, 4000]) {
      const all = rows(t).filter(([k]) => k !== OTHER).sort((a, b) => b[1].records - a[1].records || b[1].bytes - a[1].bytes);
      const rest = { records: 3, packets: 3, bytes: 3, rejects: 3 };
      for (const [, r] of all.slice(n)) {
        rest.records += r.records;
        rest.packets += r.packets;
        rest.bytes += r.bytes;
      }
      assert.deepEqual(t.top(n), [...all.slice(0, n), [OTHER, rest]], `top ${n}`);
    }
  });

  it('frozen, reads as it did and adds and subtracts as the table itself would', () => {
    const t = new TallyTable<string>(10);
    for (let i = 0; i < 30; i++) t.add(`k${i % 13}`, 1 + (i % 4), i, i * 10, i % 2);
    const frozen = t.freeze();
    assert.ok(frozen instanceof FrozenTally);
    assert.equal(frozen.size, t.size);
    assert.deepEqual(frozen.get('k3'), t.get('k3'));
    assert.deepEqual(frozen.get(OTHER), t.get(OTHER));
    assert.equal(frozen.get('nope'), undefined);
    const seen: Array<[string, Tally]> = [];
    frozen.forEach((key, records, packets, bytes, rejects) => seen.push([key, { records, packets, bytes, rejects }]));
    assert.deepEqual(seen, rows(t));
    const window = new TallyTable<string>(10);
    window.addTable(frozen);
    window.addTable(frozen);
    window.addTable(frozen, -1);
    assert.deepEqual(window.top(20), t.top(20));
  });

  it('survives a trip through plain data, as another thread receives it', () => {
    const t = new TallyTable<number>(100);
    for (let i = 0; i < 50; i++) t.add(i % 7, 1, i, i * 1000, i % 2);
    const copy = new TallyTable<number>(100);
    copy.addData(structuredClone(t.toData()));
    assert.deepEqual(copy.top(100), t.top(100));
  });
});
