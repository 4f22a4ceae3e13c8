import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OTHER, TallyTable, type Tally } from './tally.js';

/** The obvious implementation: a Map of objects, the cap applied the same way. */
class Reference {
  readonly map = new Map<string, Tally>();
  constructor(private readonly cap: number) {}

  add(key: string, t: Tally): void {
    const k = this.map.has(key) || this.map.size < this.cap ? key : OTHER;
    const mine = this.map.get(k) ?? { records: 0, packets: 0, bytes: 0, rejects: 0 };
    this.map.set(k, { records: mine.records + t.records, packets: mine.packets + t.packets, bytes: mine.bytes + t.bytes, rejects: mine.rejects + t.rejects });
  }

  subtract(key: string, t: Tally): void {
    const k = this.map.has(key) ? key : OTHER;
    const mine = this.map.get(k);
    if (mine === undefined) return;
    const left = { records: mine.records - t.records, packets: mine.packets - t.packets, bytes: mine.bytes - t.bytes, rejects: mine.rejects - t.rejects };
    if (left.records <= 0) this.map.delete(k);
    else this.map.set(k, left);
  }
}

const rows = (t: TallyTable<string>) => {
  const out: Array<[string, Tally]> = [];
  t.forEach((key, records, packets, bytes, rejects) => out.push([key, { records, packets, bytes, rejects }]));
  return out;
};

describe('TallyTable', () => {
  it('adds, subtracts, caps and reuses freed rows exactly as a Map of objects does', () => {
    let seed = 7;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const table = new TallyTable<string>(40);
    const ref = new Reference(40);
    // A sliding window: buckets added, and subtracted when they leave, so keys come and go and rows are reused.
    const window: TallyTable<string>[] = [];
    for (let step = 0; step < 300; step++) {
      const bucket = new TallyTable<string>(25);
      const bucketRef = new Reference(25);
      for (let i = 0; i < 60; i++) {
        const t = { records: 1 + next(5), packets: next(100), bytes: next(1e6) * 1e4, rejects: next(2) };
        const key = `k${next(step % 50 < 25 ? 30 : 120)}`;
        bucket.add(key, t.records, t.packets, t.bytes, t.rejects);
        bucketRef.add(key, t);
      }
      assert.deepEqual(rows(bucket), [...bucketRef.map]);
      table.addTable(bucket);
      for (const [key, t] of bucketRef.map) ref.add(key, t);
      window.push(bucket);
      if (window.length > 8) {
        const old = window.shift()!;
        table.addTable(old, -1);
        for (const [key, t] of rows(old)) ref.subtract(key, t);
      }
      assert.deepEqual(new Map(rows(table)), ref.map, `step ${step}`);
      assert.ok(table.size <= 41);
    }
  });

  it('ranks by records then bytes, folds the rest and OTHER into one OTHER row', () => {
    const t = new TallyTable<string>(4);
    t.add('a', 5, 1, 10, 0);
    t.add('b', 9, 1, 10, 1);
    t.add('c', 5, 1, 20, 0);
    t.add('d', 1, 1, 1, 0);
    t.add('e', 2, 2, 2, 2); // past the cap: OTHER
    assert.deepEqual(t.top(2), [
      ['b', { records: 9, packets: 1, bytes: 10, rejects: 1 }],
      ['c', { records: 5, packets: 1, bytes: 20, rejects: 0 }],
      [OTHER, { records: 8, packets: 4, bytes: 13, rejects: 2 }],
    ]);
    assert.equal(t.top(10).length, 5);
  });

  it('survives a trip through plain data, as another thread receives it', () => {
    const t = new TallyTable<number>(100);
    for (let i = 0; i < 50; i++) t.add(i % 7, 1, i, i * 1000, i % 2);
    const copy = new TallyTable<number>(100);
    copy.addData(structuredClone(t.toData()));
    assert.deepEqual(copy.top(100), t.top(100));
  });
});
