/**
 * A bounded cache with two generations: hits in the old generation are promoted, and when the young one is full
 * the old one is dropped whole. Close to LRU in hit rate, with O(1) work and no per-entry bookkeeping — memory
 * stays bounded (at most 2 × capacity entries) however long the stream runs.
 */
export class GenerationalCache<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const hit = this.young.get(key);
    if (hit !== undefined) return hit;
    const aged = this.old.get(key);
    if (aged !== undefined) this.set(key, aged);
    return aged;
  }

  set(key: K, value: V): void {
    if (this.young.size >= this.capacity) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }

  get size(): number {
    return this.young.size + this.old.size;
  }
}
