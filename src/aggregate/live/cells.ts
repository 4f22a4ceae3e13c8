import type { Located } from '../../enrich/enricher.js';

/**
 * One row per cell: three keys (location id, combo, interface id; location id 0 = empty) then four counts
 * (records, packets, bytes, rejects), padded to 64 bytes. A record then touches one row, not four arrays: at 100k
 * records a second the table outgrows the CPU caches, and each array touched was a cache miss of its own.
 */
const ROW = 8;
const COUNTS = 3;

/**
 * One second's counts by (remote location, packed combo, interface), as an open-addressing hash table over a
 * Float64Array: a record costs one integer hash and a probe or two, with no Map lookups, strings or objects.
 * Location and interface ids never repeat for different objects or texts, so the keys alone identify a cell;
 * the location object and interface text of each slot are kept beside it for when the second is flattened.
 */
export class CellTable {
  rows: Float64Array;
  locations: Array<Located | undefined>;
  interfaces: string[];
  private mask: number;
  size = 0;

  constructor(capacity = 1024) {
    this.rows = new Float64Array(capacity * ROW);
    this.locations = new Array(capacity).fill(undefined);
    this.interfaces = new Array(capacity).fill('');
    this.mask = capacity - 1;
  }

  /** Where the four counts of a slot start in `rows`. */
  countsOf(slot: number): number {
    return slot * ROW + COUNTS;
  }

  /** The slot of a cell, made empty when new. `interfaceId` must name `iface` (equal ids, equal texts). */
  slot(loc: Located, combo: number, interfaceId: number, iface: string): number {
    const rows = this.rows;
    const id = loc.id;
    let i = hash(id, combo, interfaceId) & this.mask;
    for (;;) {
      const r = i * ROW;
      if (rows[r] === 0) break;
      if (rows[r] === id && rows[r + 1] === combo && rows[r + 2] === interfaceId) return i;
      i = (i + 1) & this.mask;
    }
    if ((this.size + 1) * 2 > this.mask + 1) {
      this.grow();
      return this.slot(loc, combo, interfaceId, iface);
    }
    const r = i * ROW;
    rows[r] = id;
    rows[r + 1] = combo;
    rows[r + 2] = interfaceId;
    this.locations[i] = loc;
    this.interfaces[i] = iface;
    this.size++;
    return i;
  }

  /** The slot of a cell, or -1 when there is none. */
  find(loc: Located, combo: number, interfaceId: number): number {
    const rows = this.rows;
    const id = loc.id;
    for (let i = hash(id, combo, interfaceId) & this.mask; ; i = (i + 1) & this.mask) {
      const r = i * ROW;
      if (rows[r] === 0) return -1;
      if (rows[r] === id && rows[r + 1] === combo && rows[r + 2] === interfaceId) return i;
    }
  }

  /** A capacity that holds this many cells again without growing (a power of two, at least 1024). */
  capacityFor(): number {
    return CellTable.capacityFor(this.size);
  }

  static capacityFor(cells: number): number {
    let c = 1024;
    while (c < cells * 2 + 2) c *= 2;
    return c;
  }

  comboOf(slot: number): number {
    return this.rows[slot * ROW + 1];
  }

  interfaceIdOf(slot: number): number {
    return this.rows[slot * ROW + 2];
  }

  /** Slots 0 to capacity - 1; a used one has its location set. */
  get capacity(): number {
    return this.mask + 1;
  }

  private grow(): void {
    const old = { rows: this.rows, locations: this.locations, interfaces: this.interfaces, mask: this.mask };
    const capacity = (this.mask + 1) * 2;
    this.rows = new Float64Array(capacity * ROW);
    this.locations = new Array(capacity).fill(undefined);
    this.interfaces = new Array(capacity).fill('');
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i <= old.mask; i++) {
      const r = i * ROW;
      if (old.rows[r] === 0) continue;
      const j = this.slot(old.locations[i]!, old.rows[r + 1], old.rows[r + 2], old.interfaces[i]);
      this.rows.set(old.rows.subarray(r + COUNTS, r + COUNTS + 4), j * ROW + COUNTS);
    }
  }
}

/** Mixes three ids (only their low 32 bits: a hash may collide, the keys compared may not). */
function hash(a: number, b: number, c: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b) ^ Math.imul(c, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}
