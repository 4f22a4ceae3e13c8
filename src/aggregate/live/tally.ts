import type { KeyPool } from './key-pool.js';

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
 * Tallies by key, keeping the largest keys when there are more than `cap`: the table holds up to half as many again,
 * and then the smallest rows are folded into OTHER until `cap` are left (and `freeze` leaves `cap`). Memory is
 * bounded whatever the cardinality, and a busy key is kept however late it first shows up (a table that simply
 * refused keys past its cap lost the busiest places of a busy second to OTHER, in whatever order they came).
 * Counts never get lost: every table adds up to what was added to it.
 *
 * Tables add and subtract (a sliding window adds the newest bucket and subtracts the one that left). A row may hold
 * less than its key's true count, the rest being in OTHER since a trim; so a subtraction that takes a row below
 * zero takes the difference from OTHER, and a row that reaches zero records is removed, anything left in it going
 * to OTHER. Rows are never above the truth, and the sums stay exact.
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
  /** Keys other than OTHER. */
  private named = 0;
  /** Keys held before the smallest are folded into OTHER. */
  private readonly limit: number;

  constructor(readonly cap: number) {
    this.limit = cap + Math.max(8, cap >> 1);
  }

  add(key: K | typeof OTHER, records: number, packets: number, bytes: number, rejects: number): void {
    let row = this.rows.get(key);
    if (row === undefined) row = this.newKey(key);
    const c = this.counts;
    const o = row * WIDTH;
    c[o] += records;
    c[o + 1] += packets;
    c[o + 2] += bytes;
    c[o + 3] += rejects;
  }

  private newKey(key: K | typeof OTHER): number {
    if (key !== OTHER) {
      if (this.named >= this.limit) this.trim(this.cap);
      this.named++;
    }
    const row = this.newRow();
    this.rows.set(key, row);
    return row;
  }

  /**
   * Folds all but the `keep` largest keys (by records, then bytes) into OTHER. In linear time: the records of the
   * keep-th largest row are found by selection, and only the rows tied at that count are sorted.
   */
  private trim(keep: number): void {
    if (this.named <= keep) return;
    const c = this.counts;
    const records = this.recordsOfNamed();
    const least = kthLargest(records, keep);
    let above = 0;
    for (let j = 0; j < records.length; j++) if (records[j] > least) above++;
    const tied: Array<[K | typeof OTHER, number]> = [];
    for (const entry of this.rows) {
      if (entry[0] === OTHER) continue;
      const r = c[entry[1] * WIDTH];
      if (r < least) this.fold(entry[0], entry[1]);
      else if (r === least) tied.push(entry);
    }
    tied.sort((a, b) => c[b[1] * WIDTH + 2] - c[a[1] * WIDTH + 2]);
    for (let j = keep - above; j < tied.length; j++) this.fold(tied[j][0], tied[j][1]);
  }

  /** The record counts of every key but OTHER. */
  private recordsOfNamed(): Float64Array {
    const records = new Float64Array(this.named);
    let i = 0;
    for (const [key, row] of this.rows) if (key !== OTHER) records[i++] = this.counts[row * WIDTH];
    return records;
  }

  /** Moves a key's counts into OTHER and frees its row. */
  private fold(key: K | typeof OTHER, row: number): void {
    const c = this.counts;
    const o = row * WIDTH;
    this.rows.delete(key);
    this.named--;
    this.free.push(row);
    if (c[o] > 0 || c[o + 1] > 0 || c[o + 2] > 0 || c[o + 3] > 0) this.add(OTHER, c[o], c[o + 1], c[o + 2], c[o + 3]);
  }

  addTable(other: TallyTable<K> | FrozenTally<K>, sign: 1 | -1 = 1): void {
    if (other instanceof FrozenTally) return this.addData(other, sign);
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

  addData(d: TallyData<K>, sign: 1 | -1 = 1): void {
    const c = d.counts;
    for (let i = 0; i < d.keys.length; i++) {
      const o = i * WIDTH;
      if (sign === 1) this.add(d.keys[i], c[o], c[o + 1], c[o + 2], c[o + 3]);
      else this.subtract(d.keys[i], c[o], c[o + 1], c[o + 2], c[o + 3]);
    }
  }

  /**
   * The table trimmed to its cap, for reading only (a closed second or minute): two arrays instead of a Map with
   * its slack and an array of numbers.
   */
  freeze(): FrozenTally<K> {
    this.trim(this.cap);
    const { keys, counts } = this.toData();
    return new FrozenTally(keys, counts);
  }

  /** Every row added up, OTHER included. */
  sum(): Tally {
    const s = { records: 0, packets: 0, bytes: 0, rejects: 0 };
    const c = this.counts;
    for (const row of this.rows.values()) {
      s.records += c[row * WIDTH];
      s.packets += c[row * WIDTH + 1];
      s.bytes += c[row * WIDTH + 2];
      s.rejects += c[row * WIDTH + 3];
    }
    return s;
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
    const sum = this.get(OTHER) ?? { records: 0, packets: 0, bytes: 0, rejects: 0 };
    const fold = (row: number) => {
      const o = row * WIDTH;
      sum.records += c[o];
      sum.packets += c[o + 1];
      sum.bytes += c[o + 2];
      sum.rejects += c[o + 3];
    };
    // Only keys at or above the n-th largest count are sorted (a summary asks for 300 of up to 4,500 keys, every
    // second); the rest go straight to OTHER.
    const least = this.named > 2 * n && n > 0 ? kthLargest(this.recordsOfNamed(), n) : -Infinity;
    const order: Array<[K | typeof OTHER, number]> = [];
    for (const entry of this.rows) {
      if (entry[0] === OTHER) continue;
      if (c[entry[1] * WIDTH] >= least) order.push(entry);
      else fold(entry[1]);
    }
    order.sort((a, b) => c[b[1] * WIDTH] - c[a[1] * WIDTH] || c[b[1] * WIDTH + 2] - c[a[1] * WIDTH + 2]);
    const out: Array<[K | typeof OTHER, Tally]> = order.slice(0, n).map(([key, row]) => [key, this.tallyOf(row)]);
    for (let i = n; i < order.length; i++) fold(order[i][1]);
    if (sum.records > 0) out.push([OTHER, sum]);
    return out;
  }

  get size(): number {
    return this.rows.size;
  }

  private subtract(key: K | typeof OTHER, records: number, packets: number, bytes: number, rejects: number): void {
    const row = key === OTHER ? undefined : this.rows.get(key);
    if (row === undefined) {
      this.takeFromOther(records, packets, bytes, rejects);
      return;
    }
    const c = this.counts;
    const o = row * WIDTH;
    // Below zero: the row held less than the truth (a trim moved the rest to OTHER), so OTHER gives the difference.
    const r = c[o] - records;
    const p = c[o + 1] - packets;
    const b = c[o + 2] - bytes;
    const x = c[o + 3] - rejects;
    c[o] = Math.max(0, r);
    c[o + 1] = Math.max(0, p);
    c[o + 2] = Math.max(0, b);
    c[o + 3] = Math.max(0, x);
    if (c[o] <= 0) this.fold(key, row);
    if (r < 0 || p < 0 || b < 0 || x < 0) this.takeFromOther(Math.max(0, -r), Math.max(0, -p), Math.max(0, -b), Math.max(0, -x));
  }

  private takeFromOther(records: number, packets: number, bytes: number, rejects: number): void {
    const row = this.rows.get(OTHER);
    if (row === undefined) return;
    const c = this.counts;
    const o = row * WIDTH;
    c[o] = Math.max(0, c[o] - records);
    c[o + 1] = Math.max(0, c[o + 1] - packets);
    c[o + 2] = Math.max(0, c[o + 2] - bytes);
    c[o + 3] = Math.max(0, c[o + 3] - rejects);
    if (c[o] <= 0) {
      this.rows.delete(OTHER);
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

/** A TallyTable's rows, frozen (see TallyTable.freeze): read, added to tables, never changed. */
export class FrozenTally<K> implements TallyData<K> {
  constructor(readonly keys: Array<K | typeof OTHER>, readonly counts: Float64Array) {}

  get size(): number {
    return this.keys.length;
  }

  forEach(f: (key: K | typeof OTHER, records: number, packets: number, bytes: number, rejects: number) => void): void {
    const c = this.counts;
    for (let i = 0; i < this.keys.length; i++) f(this.keys[i], c[i * WIDTH], c[i * WIDTH + 1], c[i * WIDTH + 2], c[i * WIDTH + 3]);
  }

  /** Replaces each key by the pool's equal one (see KeyPool). */
  shareKeys(pool: KeyPool): void {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) keys[i] = pool.share(keys[i]);
  }

  /** A key's counts, by a linear search: only filtered views (an API request) look keys up in a closed bucket. */
  get(key: K | typeof OTHER): Tally | undefined {
    const i = this.keys.indexOf(key);
    if (i < 0) return undefined;
    const c = this.counts;
    return { records: c[i * WIDTH], packets: c[i * WIDTH + 1], bytes: c[i * WIDTH + 2], rejects: c[i * WIDTH + 3] };
  }
}

/** The k-th largest of `values` (1-based), by quickselect; reorders `values`. */
export function kthLargest(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  const want = k - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] > pivot) i++;
      while (values[j] < pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (want <= j) hi = j;
    else if (want >= i) lo = i;
    else return values[want];
  }
  return values[want];
}
