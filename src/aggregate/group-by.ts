import type { FlowView } from '../enrich/flow-view.js';
import type { FlowLine } from '../parse/line.js';
import { DIMENSIONS, type Dimension, type KeyPart } from './dimensions.js';

/** Totals of one group. */
export interface Totals {
  records: number;
  packets: number;
  bytes: number;
}

export interface Row {
  keys: KeyPart[];
  totals: Totals;
}

type Level = Map<KeyPart, Level | Totals>;

/** A segment's counts, for another thread: see `GroupBy.drain`. */
export interface Drained {
  /** Keys of the groups made since the last drain, in the order made (their index continues the last drain's). */
  added: KeyPart[][];
  /** Per group with records: its index, records, packets, bytes. */
  counts: Float64Array;
}

/**
 * Another thread's groups as its drains made them known, by index, with the merged GroupBy's totals for each
 * (found on first use): merging a segment is then an array read per group, with no key lookups.
 */
export class DrainedGroups {
  readonly keys: KeyPart[][] = [];
  readonly totals: Array<Totals | undefined> = [];

  /** Takes a drain's new groups; must see every drain of the thread, in the order made. */
  learn(added: KeyPart[][]): void {
    for (const keys of added) this.keys.push(keys);
  }
}

/**
 * Records, packets and bytes grouped by a list of dimensions. Groups live in nested Maps, one level per
 * dimension, so adding a record never builds a composite key string. When every dimension has an integer code
 * (countries, cities, ASNs, ports, action…) and together they fit a double's 53 bits, a group is first looked up
 * by one number made of the codes; that map points at the same totals as the nested one, so both ways of finding
 * a group always agree. Exact: every group is kept until the end (the report answers like Athena would).
 */
export class GroupBy {
  private readonly root: Level = new Map();
  private readonly dims: Dimension[];
  /** Totals by composite code, or null when the dimensions cannot be coded together. */
  private readonly byCode: Map<number, Totals> | null;
  /** Every group in the order made, and how many of them a drain has already announced. */
  private readonly made: Row[] = [];
  private announced = 0;

  constructor(readonly dimensions: readonly string[]) {
    this.dims = dimensions.map((name) => {
      const d = DIMENSIONS[name];
      if (d === undefined) throw new Error(`unknown dimension "${name}"`);
      return d;
    });
    const span = this.dims.reduce((n, d) => (d.code === undefined ? Infinity : n * d.radix!), 1);
    this.byCode = span <= Number.MAX_SAFE_INTEGER ? new Map() : null;
  }

  add(line: FlowLine, view: FlowView): void {
    const col = line.format.col;
    const packets = col.packets < 0 ? 0 : line.nums[col.packets] || 0;
    const bytes = col.bytes < 0 ? 0 : line.nums[col.bytes] || 0;
    const code = this.byCode === null ? -1 : this.codeOf(line, view);
    let totals = code < 0 ? undefined : this.byCode!.get(code);
    if (totals === undefined) {
      totals = this.find(line, view);
      if (code >= 0) this.byCode!.set(code, totals);
    }
    totals.records++;
    totals.packets += packets;
    totals.bytes += bytes;
  }

  /** The record's composite code, or -1 when a dimension has no code for it. */
  private codeOf(line: FlowLine, view: FlowView): number {
    let code = 0;
    for (const d of this.dims) {
      const c = d.code!(line, view);
      if (c < 0) return -1;
      code = code * d.radix! + c;
    }
    return code;
  }

  /** The record's group in the nested maps, made (empty) when new. */
  private find(line: FlowLine, view: FlowView): Totals {
    let level = this.root;
    const last = this.dims.length - 1;
    for (let i = 0; i < last; i++) {
      const key = this.dims[i].key(line, view);
      let next = level.get(key) as Level | undefined;
      if (next === undefined) level.set(key, (next = new Map()));
      level = next;
    }
    const key = this.dims[last].key(line, view);
    let totals = level.get(key) as Totals | undefined;
    if (totals === undefined) {
      level.set(key, (totals = { records: 0, packets: 0, bytes: 0 }));
      this.made.push({ keys: this.dims.map((d) => d.key(line, view)), totals });
    }
    return totals;
  }

  /** The group of these keys, made (empty) when new. */
  private findKeys(keys: KeyPart[]): Totals {
    let level = this.root;
    for (let i = 0; i < keys.length - 1; i++) {
      let next = level.get(keys[i]) as Level | undefined;
      if (next === undefined) level.set(keys[i], (next = new Map()));
      level = next;
    }
    let totals = level.get(keys[keys.length - 1]) as Totals | undefined;
    if (totals === undefined) {
      level.set(keys[keys.length - 1], (totals = { records: 0, packets: 0, bytes: 0 }));
      this.made.push({ keys, totals });
    }
    return totals;
  }

  /**
   * Hands over what was counted since the last drain and zeroes it, keeping the groups: how a thread passes each
   * segment's counts on. Groups are announced once, by index, so a segment costs a typed array of numbers, not an
   * object per group (a segment of the bench's data has 9,000 groups; each cloned, sent and merged as objects, they
   * were a tenth of the work on all cores and tens of MiB of garbage on the receiving thread).
   */
  drain(): Drained {
    const added = this.made.slice(this.announced).map((g) => g.keys);
    this.announced = this.made.length;
    let n = 0;
    for (const g of this.made) if (g.totals.records > 0) n++;
    const counts = new Float64Array(n * 4);
    let o = 0;
    for (let i = 0; i < this.made.length; i++) {
      const t = this.made[i].totals;
      if (t.records === 0) continue;
      counts[o++] = i;
      counts[o++] = t.records;
      counts[o++] = t.packets;
      counts[o++] = t.bytes;
      t.records = t.packets = t.bytes = 0;
    }
    return { added, counts };
  }

  /** Groups made so far. */
  get groups(): number {
    return this.made.length;
  }

  /** Adds a drain of another GroupBy (same dimensions) whose groups `from` has learnt. */
  mergeDrained(from: DrainedGroups, counts: Float64Array): void {
    for (let o = 0; o < counts.length; o += 4) {
      const i = counts[o];
      let t = from.totals[i];
      if (t === undefined) t = from.totals[i] = this.findKeys(from.keys[i]);
      t.records += counts[o + 1];
      t.packets += counts[o + 2];
      t.bytes += counts[o + 3];
    }
  }

  /** Every group with records, unsorted, with raw keys. */
  rows(): Row[] {
    return this.made.filter((g) => g.totals.records > 0);
  }

  /** Groups sorted by records, then bytes (descending), then keys; the first `top` when given. */
  sorted(top?: number): Row[] {
    const rows = this.rows();
    rows.sort((a, b) => b.totals.records - a.totals.records || b.totals.bytes - a.totals.bytes
      || compareKeys(a.keys, b.keys));
    return top === undefined ? rows : rows.slice(0, top);
  }

  /** A group's keys as shown in output. */
  show(keys: KeyPart[]): Array<string | number | null> {
    return keys.map((k, i) => this.dims[i].show(k));
  }
}

function compareKeys(a: KeyPart[], b: KeyPart[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}
