/**
 * Heavy hitters with bounded memory, after Space-Saving (Metwally, Agrawal, El Abbadi 2005), in its batched form:
 * up to 2k keys are counted exactly; when full, the k smallest are dropped at once and the largest count dropped
 * becomes the floor a new key starts from (and its possible overcount, `error`). A key with more than total/k
 * records is never lost. Amortised O(log k) per update; summaries merge by adding.
 */
export interface HeavyHitter {
  key: string;
  records: number;
  bytes: number;
  rejects: number;
  /** Upper bound of the overcount of `records`. */
  error: number;
}

export class TopK {
  private items = new Map<string, HeavyHitter>();
  private floor = 0;

  constructor(readonly k: number) {}

  add(key: string, records: number, bytes: number, rejects: number, error = 0): void {
    const hit = this.items.get(key);
    if (hit !== undefined) {
      hit.records += records;
      hit.bytes += bytes;
      hit.rejects += rejects;
      hit.error += error;
      return;
    }
    if (this.items.size >= 2 * this.k) this.shrink();
    this.items.set(key, { key, records: this.floor + records, bytes, rejects, error: this.floor + error });
  }

  private shrink(): void {
    const sorted = [...this.items.values()].sort((a, b) => b.records - a.records);
    this.floor = Math.max(this.floor, sorted[this.k]?.records ?? 0);
    this.items = new Map(sorted.slice(0, this.k).map((x) => [x.key, x]));
  }

  merge(other: TopK): void {
    this.mergeData(other.toData());
  }

  /** The counted keys and the floor, as plain data for another thread. */
  toData(): { items: HeavyHitter[]; floor: number } {
    return { items: [...this.items.values()], floor: this.floor };
  }

  mergeData(d: { items: HeavyHitter[]; floor: number }): void {
    for (const it of d.items) this.add(it.key, it.records, it.bytes, it.rejects, it.error);
    this.floor = Math.max(this.floor, d.floor);
  }

  top(n: number): HeavyHitter[] {
    return [...this.items.values()].sort((a, b) => b.records - a.records).slice(0, n).map((x) => ({ ...x }));
  }
}
