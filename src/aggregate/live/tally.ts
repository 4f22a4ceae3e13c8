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

/**
 * Tallies by key with a cap on distinct keys: past the cap, new keys count under OTHER, so memory is bounded
 * whatever the cardinality. Tables add and subtract (a sliding window adds the newest bucket and subtracts the
 * one that left); a key that drops to zero is removed.
 */
export class TallyTable<K extends string | number> {
  readonly map = new Map<K | typeof OTHER, Tally>();

  constructor(readonly cap: number) {}

  add(key: K, records: number, packets: number, bytes: number, rejects: number): void {
    let t = this.map.get(key);
    if (t === undefined) {
      const k: K | typeof OTHER = this.map.size >= this.cap ? OTHER : key;
      t = this.map.get(k);
      if (t === undefined) this.map.set(k, (t = { records: 0, packets: 0, bytes: 0, rejects: 0 }));
    }
    t.records += records;
    t.packets += packets;
    t.bytes += bytes;
    t.rejects += rejects;
  }

  addTable(other: TallyTable<K>, sign: 1 | -1 = 1): void {
    for (const [key, t] of other.map) {
      if (sign === 1) this.add(key as K, t.records, t.packets, t.bytes, t.rejects);
      else this.subtract(key, t);
    }
  }

  toData(): TallyData<K> {
    const keys = [...this.map.keys()];
    const counts = new Float64Array(keys.length * 4);
    let i = 0;
    for (const t of this.map.values()) {
      counts[i++] = t.records;
      counts[i++] = t.packets;
      counts[i++] = t.bytes;
      counts[i++] = t.rejects;
    }
    return { keys, counts };
  }

  addData(d: TallyData<K>): void {
    const c = d.counts;
    for (let i = 0; i < d.keys.length; i++) this.add(d.keys[i] as K, c[4 * i], c[4 * i + 1], c[4 * i + 2], c[4 * i + 3]);
  }

  private subtract(key: K | typeof OTHER, t: Tally): void {
    const mine = this.map.get(key) ?? this.map.get(OTHER);
    if (mine === undefined) return;
    mine.records -= t.records;
    mine.packets -= t.packets;
    mine.bytes -= t.bytes;
    mine.rejects -= t.rejects;
    if (mine.records <= 0) this.map.delete(this.map.get(key) === mine ? key : OTHER);
  }

  /** The n largest by records (then bytes), OTHER last if present. */
  top(n: number): Array<[K | typeof OTHER, Tally]> {
    const rows = [...this.map].filter(([k]) => k !== OTHER).sort((a, b) => b[1].records - a[1].records || b[1].bytes - a[1].bytes);
    const out = rows.slice(0, n);
    const rest = rows.slice(n);
    const other = this.map.get(OTHER);
    if (rest.length > 0 || other !== undefined) {
      const sum = { records: 0, packets: 0, bytes: 0, rejects: 0, ...(other ? { ...other } : {}) };
      for (const [, t] of rest) {
        sum.records += t.records;
        sum.packets += t.packets;
        sum.bytes += t.bytes;
        sum.rejects += t.rejects;
      }
      if (sum.records > 0) out.push([OTHER, sum]);
    }
    return out;
  }

  get size(): number {
    return this.map.size;
  }
}
