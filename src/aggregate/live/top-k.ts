/**
 * Heavy hitters with bounded memory that merge without losing their guarantee: Misra–Gries counters in the
 * mergeable form of Agarwal et al. ("Mergeable Summaries", PODS 2012). Up to 2k keys are counted exactly; past
 * that, the (k+1)-th largest count is subtracted from every key and the keys left at zero are dropped, so at most
 * k remain. A key's `records` is never more than its true count and falls short by at most `error`: what was
 * subtracted, plus records that were never offered (`unranked`). What is subtracted adds up to at most
 * total/(k+1), so a key with more records than that is always listed. Merging adds the counters (a key one side
 * does not list counts 0 there) and the errors.
 *
 * Why not Space-Saving, whose counts are upper bounds: its merge must credit every key with the floor of each
 * summary that does not list it, so over an hour of minute summaries a key seen in one minute can rank above one
 * seen in every minute.
 */
export interface HeavyHitter {
  key: string;
  /** Records counted for sure (a lower bound). */
  records: number;
  /** Bytes and rejected records counted while the key was listed (lower bounds; rejects ≤ records). */
  bytes: number;
  rejects: number;
  /** The true record count is at most records + error. */
  error: number;
}

/** One key's counts, as kept and as handed in bulk (addAll). */
export type Counter = Omit<HeavyHitter, 'error'>;

/** A TopK as plain data, for another thread. */
export interface TopKData {
  items: Counter[];
  error: number;
}

export class TopK {
  private readonly items = new Map<string, Counter>();
  private error = 0;

  constructor(readonly k: number) {}

  add(key: string, records: number, bytes: number, rejects: number): void {
    this.put(key, records, bytes, rejects);
    if (this.items.size > 2 * this.k) this.reduce();
  }

  /**
   * Adds many keys and cuts once at the end: one cut loses less than one every k keys (it subtracts only the
   * (k+1)-th largest of all the counts), for as much memory as the keys take for a moment.
   */
  addAll(counters: Iterable<Counter>): void {
    for (const c of counters) this.put(c.key, c.records, c.bytes, c.rejects);
    if (this.items.size > 2 * this.k) this.reduce();
  }

  private put(key: string, records: number, bytes: number, rejects: number): void {
    const hit = this.items.get(key);
    if (hit !== undefined) {
      hit.records += records;
      hit.bytes += bytes;
      hit.rejects += rejects;
    } else {
      this.items.set(key, { key, records, bytes, rejects });
    }
  }

  /** Records of keys that were not offered (a full per-second table): any key may have up to this many more. */
  unranked(records: number): void {
    this.error += records;
  }

  private reduce(): void {
    const counts = Array.from(this.items.values(), (h) => h.records).sort((a, b) => b - a);
    const cut = counts[this.k];
    this.error += cut;
    for (const [key, h] of this.items) {
      h.records -= cut;
      if (h.records <= 0) this.items.delete(key);
      else if (h.rejects > h.records) h.rejects = h.records;
    }
  }

  merge(other: TopK): void {
    this.mergeData(other.toData());
  }

  toData(): TopKData {
    return { items: [...this.items.values()], error: this.error };
  }

  mergeData(d: TopKData): void {
    this.addAll(d.items);
    this.error += d.error;
  }

  /** The n largest counts, largest first. */
  top(n: number): HeavyHitter[] {
    return [...this.items.values()].sort((a, b) => b.records - a.records).slice(0, n)
      .map((h) => ({ ...h, error: this.error }));
  }
}
