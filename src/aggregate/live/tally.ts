/** Records, packets, bytes and how many records were REJECTed: the measures every live table keeps. */
export interface Tally {
  records: number;
  packets: number;
  bytes: number;
  rejects: number;
}

export const OTHER = '(other)';

/** A table as plain data for another thread: keys, and four counts per key in one array. */
export interface TallyData<K> {
  keys: Array<K | typeof OTHER>;
  counts: Float64Array;
}

/** Counts per row: records, packets, bytes, rejects. */
const WIDTH = 4;

/**
 * Tallies by key with a cap on distinct keys: past the cap, new keys count under OTHER, so memory is bounded
 * whatever the cardinality. Tables add and subtract (a sliding window adds the newest bucket and subtracts the
 * one that left); a key that drops to zero is removed.
 *
 * The counts live in one array of numbers, a row of four per key, and the Map only holds row numbers. An hour
 * window is sixty minute buckets of these tables: an object of four boxed doubles per key cost half as much
 * again, and every second's bucket made thousands of them for the collector. (A plain array, which V8 keeps as
 * unboxed doubles, not a Float64Array: a typed array's off-heap buffer is slow to make and regrow, and every
 * second makes tables anew.)
 */
export class TallyTable<K extends string | number> {
  private readonly rows = new Map<K | typeof OTHER, number>();
  private counts: number[] = [];
  /** Rows freed by keys that dropped to zero, reused before the array grows. */
  private readonly free: number[] = [];

  constructor(readonly cap: number) {}

  add(key: K | typeof OTHER, records: number, packets: number, bytes: number, rejects: number): void {
    let row = this.rows.get(key);
    if (row === undefined) {
      const k = this.rows.size >= this.cap ? OTHER : key;
      row = this.rows.get(k);
      if (row === undefined) this.rows.set(k, (row = this.newRow()));
    }
    const c = this.counts;
    const o = row * WIDTH;
    c[o] += records;
    c[o + 1] += packets;
    c[o + 2] += bytes;
    c[o + 3] += rejects;
  }

  addTable(other: TallyTable<K>, sign: 1 | -1 = 1): void {
    const c = other.counts;
    for (const [key, row] of other.rows) {
      const o = row * WIDTH;
      if (sign === 1) this.add(key, c[o], c[o + 1], c[o + 2], c[o + 3]);
      else this.subtract(key, c[o], c[o + 1], c[o + 2], c[o + 3]);
    }
  }

  toData(): TallyData<K> {
    const keys = [...this.rows.keys()];
    const counts = new Float64Array(keys.length * WIDTH);
    let i = 0;
    for (const row of this.rows.values()) {
      for (let j = row * WIDTH; j < row * WIDTH + WIDTH; j++) counts[i++] = this.counts[j];
    }
    return { keys, counts };
  }

  addData(d: TallyData<K>): void {
    const c = d.counts;
    for (let i = 0; i < d.keys.length; i++) this.add(d.keys[i], c[4 * i], c[4 * i + 1], c[4 * i + 2], c[4 * i + 3]);
  }

  has(key: K | typeof OTHER): boolean {
    return this.rows.has(key);
  }

  get(key: K | typeof OTHER): Tally | undefined {
    const row = this.rows.get(key);
    return row === undefined ? undefined : this.tallyOf(row);
  }

  /** Calls `f` with every key and its counts, in first-seen order, OTHER included. */
  forEach(f: (key: K | typeof OTHER, records: number, packets: number, bytes: number, rejects: number) => void): void {
    const c = this.counts;
    for (const [key, row] of this.rows) {
      const o = row * WIDTH;
      f(key, c[o], c[o + 1], c[o + 2], c[o + 3]);
    }
  }

  /** The n largest by records (then bytes), OTHER last if present. */
  top(n: number): Array<[K | typeof OTHER, Tally]> {
    const c = this.counts;
    const order: Array<[K | typeof OTHER, number]> = [];
    for (const entry of this.rows) if (entry[0] !== OTHER) order.push(entry);
    order.sort((a, b) => c[b[1] * WIDTH] - c[a[1] * WIDTH] || c[b[1] * WIDTH + 2] - c[a[1] * WIDTH + 2]);
    const out: Array<[K | typeof OTHER, Tally]> = order.slice(0, n).map(([key, row]) => [key, this.tallyOf(row)]);
    const sum = this.get(OTHER) ?? { records: 0, packets: 0, bytes: 0, rejects: 0 };
    for (let i = n; i < order.length; i++) {
      const o = order[i][1] * WIDTH;
      sum.records += c[o];
      sum.packets += c[o + 1];
      sum.bytes += c[o + 2];
      sum.rejects += c[o + 3];
    }
    if (sum.records > 0) out.push([OTHER, sum]);
    return out;
  }

  /** Drops the slack the array kept for growth: for a table that is done growing (a closed minute). */
  compact(): void {
    this.counts = this.counts.slice();
  }

  get size(): number {
    return this.rows.size;
  }

  private subtract(key: K | typeof OTHER, records: number, packets: number, bytes: number, rejects: number): void {
    let k = key;
    let row = this.rows.get(k);
    if (row === undefined) row = this.rows.get((k = OTHER));
    if (row === undefined) return;
    const c = this.counts;
    const o = row * WIDTH;
    c[o] -= records;
    c[o + 1] -= packets;
    c[o + 2] -= bytes;
    c[o + 3] -= rejects;
    if (c[o] <= 0) {
      this.rows.delete(k);
      this.free.push(row);
    }
  }

  private newRow(): number {
    const reused = this.free.pop();
    if (reused !== undefined) {
      this.counts.fill(0, reused * WIDTH, reused * WIDTH + WIDTH);
      return reused;
    }
    this.counts.push(0, 0, 0, 0);
    return this.counts.length / WIDTH - 1;
  }

  private tallyOf(row: number): Tally {
    const o = row * WIDTH;
    const c = this.counts;
    return { records: c[o], packets: c[o + 1], bytes: c[o + 2], rejects: c[o + 3] };
  }
}
