/**
 * Dense indexes (0, 1, 2… in first-seen order) for keys that are pairs of integers up to 2^53, in an
 * open-addressing table over typed arrays. Closing a busy second sums tens of thousands of cells under several
 * keys each; a Map per key cost about a third of the live path's time, this a hash and a probe or two.
 */
export class KeyIndex {
  private keys: Float64Array;
  /** Entry + 1 per slot; 0 is an empty slot. */
  private slots: Int32Array;
  private mask: number;
  size = 0;

  /** Room for `expected` keys before the table first grows. */
  constructor(expected = 16) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.keys = new Float64Array(capacity * 2);
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  /** The index of (a, b), the next free index when the pair is new: callers know it is new by that. */
  index(a: number, b = 0): number {
    const keys = this.keys;
    const slots = this.slots;
    let i = hashPair(a, b) & this.mask;
    for (;;) {
      const e = slots[i];
      if (e === 0) break;
      if (keys[2 * i] === a && keys[2 * i + 1] === b) return e - 1;
      i = (i + 1) & this.mask;
    }
    if ((this.size + 1) * 2 > this.mask + 1) {
      this.grow();
      return this.index(a, b);
    }
    keys[2 * i] = a;
    keys[2 * i + 1] = b;
    slots[i] = ++this.size;
    return this.size - 1;
  }

  /** The index of (a, b), or -1 when the pair is not there. */
  find(a: number, b = 0): number {
    const keys = this.keys;
    const slots = this.slots;
    for (let i = hashPair(a, b) & this.mask; ; i = (i + 1) & this.mask) {
      const e = slots[i];
      if (e === 0) return -1;
      if (keys[2 * i] === a && keys[2 * i + 1] === b) return e - 1;
    }
  }

  private grow(): void {
    const { keys, slots } = this;
    const capacity = slots.length * 2;
    this.keys = new Float64Array(capacity * 2);
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let i = 0; i < slots.length; i++) {
      if (slots[i] === 0) continue;
      let j = hashPair(keys[2 * i], keys[2 * i + 1]) & this.mask;
      while (this.slots[j] !== 0) j = (j + 1) & this.mask;
      this.keys[2 * j] = keys[2 * i];
      this.keys[2 * j + 1] = keys[2 * i + 1];
      this.slots[j] = slots[i];
    }
  }
}

const TWO_32 = 2 ** 32;

/** Mixes both halves of two integers up to 2^53 (a hash may collide; the keys compared may not). */
function hashPair(a: number, b: number): number {
  let h = Math.imul(a >>> 0, 0x9e3779b1) ^ Math.imul((a / TWO_32) >>> 0, 0x85ebca6b)
    ^ Math.imul(b >>> 0, 0xc2b2ae35) ^ Math.imul((b / TWO_32) >>> 0, 0x27d4eb2f);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}
