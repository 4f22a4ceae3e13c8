import type { FrozenBucket } from './bucket.js';

/**
 * One string object for each text key the closed minutes hold. Every second names its rows anew (ingest threads
 * send them as copies, and a second's accumulator makes its fact keys afresh), so each minute bucket held its own
 * copies of much the same keys: the hour's sixty minutes held the busy keys sixty times over, most of a minute
 * bucket's memory. Minutes share their keys through the pool instead.
 *
 * Keys of minutes that have left the hour stay in the pool until it holds `slack` more keys than the minutes did at
 * the last pruning; then it is rebuilt from the minutes kept. So it holds the hour's keys plus a bounded slack.
 */
export class KeyPool {
  private keys = new Map<string, string>();
  /** Keys held after the last pruning. */
  private kept = 0;

  constructor(private readonly slack: number) {}

  /** The pool's object for `key` (text keys only; numbers and OTHER are returned as they are). */
  share<K>(key: K): K {
    if (typeof key !== 'string') return key;
    let known = this.keys.get(key);
    if (known === undefined) this.keys.set(key, (known = key));
    return known as K;
  }

  get size(): number {
    return this.keys.size;
  }

  /** Drops the keys no bucket of `buckets` holds, once more than `slack` of them may have piled up. */
  prune(buckets: Iterable<FrozenBucket>): void {
    if (this.keys.size <= this.kept + this.slack) return;
    const keys = new Map<string, string>();
    for (const b of buckets) {
      b.eachTable((t) => {
        for (const key of t.keys) if (typeof key === 'string') keys.set(key, key);
      });
    }
    this.keys = keys;
    this.kept = keys.size;
  }
}
