import type { Located } from '../../enrich/enricher.js';

/** Records, packets, bytes and rejects: the four counts of a cell, side by side in one Float64Array. */
export const CELL_WIDTH = 4;

/**
 * One second's counts by (remote location, packed combo, interface), as an open-addressing hash table over typed
 * arrays: a record costs one integer hash and a probe or two, with no Map lookups, strings or objects. The
 * location and interface objects ride along per slot, for when the second is flattened.
 */
export class CellTable {
  /**
   * Three int32 keys per slot: location id (0 = empty), combo, interface id. A match also compares the location
   * object and the interface text, so ids that wrap in a long run can never merge two cells.
   */
  private keys: Int32Array;
  counts: Float64Array;
  locations: Array<Located | undefined>;
  interfaces: string[];
  private mask: number;
  size = 0;

  constructor(capacity = 1024) {
    this.keys = new Int32Array(capacity * 3);
    this.counts = new Float64Array(capacity * CELL_WIDTH);
    this.locations = new Array(capacity).fill(undefined);
    this.interfaces = new Array(capacity).fill('');
    this.mask = capacity - 1;
  }

  /** The slot of a cell, made empty when new. `interfaceId` must name `iface` (equal ids, equal texts). */
  slot(loc: Located, combo: number, interfaceId: number, iface: string): number {
    const keys = this.keys;
    const id = loc.id;
    let i = hash(id, combo, interfaceId) & this.mask;
    for (;;) {
      const k = i * 3;
      if (keys[k] === 0) break;
      if (keys[k] === id && keys[k + 1] === combo && keys[k + 2] === interfaceId && this.locations[i] === loc
        && this.interfaces[i] === iface) return i;
      i = (i + 1) & this.mask;
    }
    if ((this.size + 1) * 2 > this.mask + 1) {
      this.grow();
      return this.slot(loc, combo, interfaceId, iface);
    }
    const k = i * 3;
    keys[k] = id;
    keys[k + 1] = combo;
    keys[k + 2] = interfaceId;
    this.locations[i] = loc;
    this.interfaces[i] = iface;
    this.size++;
    return i;
  }

  /** The slot of a cell, or -1 when there is none. */
  find(loc: Located, combo: number, interfaceId: number, iface: string): number {
    const keys = this.keys;
    const id = loc.id;
    for (let i = hash(id, combo, interfaceId) & this.mask; ; i = (i + 1) & this.mask) {
      const k = i * 3;
      if (keys[k] === 0) return -1;
      if (keys[k] === id && keys[k + 1] === combo && keys[k + 2] === interfaceId && this.locations[i] === loc
        && this.interfaces[i] === iface) return i;
    }
  }

  /** A capacity that holds this many cells again without growing (a power of two, at least 1024). */
  capacityFor(): number {
    let c = 1024;
    while (c < this.size * 2 + 2) c *= 2;
    return c;
  }

  comboOf(slot: number): number {
    return this.keys[slot * 3 + 1] >>> 0;
  }

  /** Slots 0 to capacity - 1; a used one has its location set. */
  get capacity(): number {
    return this.mask + 1;
  }


  private grow(): void {
    const old = { keys: this.keys, counts: this.counts, locations: this.locations, interfaces: this.interfaces, mask: this.mask };
    const capacity = (this.mask + 1) * 2;
    this.keys = new Int32Array(capacity * 3);
    this.counts = new Float64Array(capacity * CELL_WIDTH);
    this.locations = new Array(capacity).fill(undefined);
    this.interfaces = new Array(capacity).fill('');
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i <= old.mask; i++) {
      if (old.keys[i * 3] === 0) continue;
      const j = this.slot(old.locations[i]!, old.keys[i * 3 + 1], old.keys[i * 3 + 2], old.interfaces[i]);
      this.counts.set(old.counts.subarray(i * CELL_WIDTH, (i + 1) * CELL_WIDTH), j * CELL_WIDTH);
    }
  }
}

function hash(a: number, b: number, c: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b) ^ Math.imul(c, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}
