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

type Level = Map<KeyPart, Level | number>;

/** A segment's counts, for another thread: see `GroupBy.drain`. */
export interface Drained {
  /**
   * Keys of the groups made since the last drain, one after another (as many a group as there are dimensions),
   * in the order made: their indexes continue the last drain's.
   */
  added: KeyPart[];
  /** Per group counted since the last drain: its index, records, packets, bytes. */
  counts: Float64Array;
}

/**
 * Another thread's groups as its drains made them known, by index, with the merged GroupBy's index for each
 * (found on first use): merging a segment is then an array read per group, with no key lookups.
 */
export class DrainedGroups {
  /** Keys of every group announced, one after another. */
  readonly keys: KeyPart[] = [];
  readonly merged: Array<number | undefined> = [];

  /** Takes a drain's new groups; must see every drain of the thread, in the order made. */
  learn(added: KeyPart[]): void {
    for (const k of added) this.keys.push(k);
  }
}

/**
 * Records, packets and bytes grouped by a list of dimensions. A group is an index: its keys sit in one flat array
 * and its counts in one Float64Array, three numbers a group, so a group costs no objects of its own (a report by
 * address pair can have millions of groups).
 *
 * Finding a record's group never builds a composite key string per record:
 * - when every dimension has an integer code (countries, cities, ASNs, ports, action…) and together they fit a
 *   double's 53 bits, by one number made of the codes. Codes are this thread's own (a city's code is its intern
 *   number), so groups announced by other threads, and the rare record whose key has no code, are found by their
 *   keys' JSON text instead; that index is only built once first needed, from every group made so far.
 * - otherwise, in nested Maps, one level per dimension.
 * Exact: every group is kept until the end (the report answers like Athena would).
 */
export class GroupBy {
  private readonly dims: Dimension[];
  private readonly width: number;
  private readonly byCode: Map<number, number> | null;
  /** Coded dimensions only: groups by their keys' JSON text, or null while nothing has needed it. */
  private byText: Map<string, number> | null = null;
  /** Dimensions without codes: groups in nested Maps. */
  private readonly root: Level = new Map();
  private readonly keys: KeyPart[] = [];
  private counts = new Float64Array(3 * 64);
  private made = 0;
  /** Groups a drain has already announced. */
  private announced = 0;
  /** Groups counted since the last drain, each once, so a drain costs what a segment touched, not every group. */
  private touched: number[] = [];

  constructor(readonly dimensions: readonly string[]) {
    this.dims = dimensions.map((name) => {
      const d = DIMENSIONS[name];
      if (d === undefined) throw new Error(`unknown dimension "${name}"`);
      return d;
    });
    this.width = this.dims.length;
    const span = this.dims.reduce((n, d) => (d.code === undefined ? Infinity : n * d.radix!), 1);
    this.byCode = span <= Number.MAX_SAFE_INTEGER ? new Map() : null;
  }

  add(line: FlowLine, view: FlowView): void {
    const col = line.format.col;
    const packets = col.packets < 0 ? 0 : line.nums[col.packets] || 0;
    const bytes = col.bytes < 0 ? 0 : line.nums[col.bytes] || 0;
    let g: number | undefined;
    if (this.byCode === null) g = this.nested(line, view);
    else {
      const code = this.codeOf(line, view);
      g = code < 0 ? undefined : this.byCode.get(code);
      if (g === undefined) {
        const keys = this.dims.map((d) => d.key(line, view));
        g = this.byText === null && code >= 0 ? this.make(keys) : this.findKeys(keys, 0);
        if (code >= 0) this.byCode.set(code, g);
      }
    }
    this.count(g, 1, packets, bytes);
  }

  private count(g: number, records: number, packets: number, bytes: number): void {
    const c = this.counts;
    const o = g * 3;
    if (c[o] === 0) this.touched.push(g);
    c[o] += records;
    c[o + 1] += packets;
    c[o + 2] += bytes;
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
  private nested(line: FlowLine, view: FlowView): number {
    let level = this.root;
    const last = this.width - 1;
    for (let i = 0; i < last; i++) {
      const key = this.dims[i].key(line, view);
      let next = level.get(key) as Level | undefined;
      if (next === undefined) level.set(key, (next = new Map()));
      level = next;
    }
    const key = this.dims[last].key(line, view);
    let g = level.get(key) as number | undefined;
    if (g === undefined) level.set(key, (g = this.make(this.dims.map((d) => d.key(line, view)))));
    return g;
  }

  /** The group of the keys at `from[o…]`, made (empty) when new. */
  private findKeys(from: KeyPart[], o: number): number {
    if (this.byCode !== null) {
      const text = JSON.stringify(from.slice(o, o + this.width));
      const byText = this.textIndex();
      let g = byText.get(text);
      if (g === undefined) byText.set(text, (g = this.make(from.slice(o, o + this.width))));
      return g;
    }
    let level = this.root;
    const last = o + this.width - 1;
    for (let i = o; i < last; i++) {
      let next = level.get(from[i]) as Level | undefined;
      if (next === undefined) level.set(from[i], (next = new Map()));
      level = next;
    }
    let g = level.get(from[last]) as number | undefined;
    if (g === undefined) level.set(from[last], (g = this.make(from.slice(o, o + this.width))));
    return g;
  }

  /**
   * The text index, built from every group made so far on first use. Until then every group was made by its code
   * and is in `byCode`, which `add` relies on to make a group on a code miss without asking the text index.
   */
  private textIndex(): Map<string, number> {
    if (this.byText === null) {
      this.byText = new Map();
      for (let g = 0; g < this.made; g++) this.byText.set(JSON.stringify(this.keysOf(g)), g);
    }
    return this.byText;
  }

  /** A new group with these keys and no counts. */
  private make(keys: KeyPart[]): number {
    const g = this.made++;
    for (const k of keys) this.keys.push(k);
    if (this.made * 3 > this.counts.length) {
      const grown = new Float64Array(this.counts.length * 2);
      grown.set(this.counts);
      this.counts = grown;
    }
    if (this.byText !== null) this.byText.set(JSON.stringify(keys), g);
    return g;
  }

  private keysOf(g: number): KeyPart[] {
    return this.keys.slice(g * this.width, (g + 1) * this.width);
  }

  /**
   * Hands over what was counted since the last drain and zeroes it, keeping the groups: how a thread passes each
   * segment's counts on. Groups are announced once, by index, so a segment costs a typed array of numbers, not an
   * object per group (a segment of the bench's data has 9,000 groups; each cloned, sent and merged as objects, they
   * were a tenth of the work on all cores and tens of MiB of garbage on the receiving thread).
   */
  drain(): Drained {
    const added = this.keys.slice(this.announced * this.width, this.made * this.width);
    this.announced = this.made;
    const touched = this.touched;
    this.touched = [];
    const c = this.counts;
    const counts = new Float64Array(touched.length * 4);
    for (let i = 0, o = 0; i < touched.length; i++) {
      const g = touched[i];
      counts[o++] = g;
      counts[o++] = c[g * 3];
      counts[o++] = c[g * 3 + 1];
      counts[o++] = c[g * 3 + 2];
      c[g * 3] = c[g * 3 + 1] = c[g * 3 + 2] = 0;
    }
    return { added, counts };
  }

  /** Groups made so far. */
  get groups(): number {
    return this.made;
  }

  /** Adds a drain of another GroupBy (same dimensions) whose groups `from` has learnt. */
  mergeDrained(from: DrainedGroups, counts: Float64Array): void {
    for (let o = 0; o < counts.length; o += 4) {
      const i = counts[o];
      let g = from.merged[i];
      if (g === undefined) g = from.merged[i] = this.findKeys(from.keys, i * this.width);
      this.count(g, counts[o + 1], counts[o + 2], counts[o + 3]);
    }
  }

  /** Every group with records, unsorted, with raw keys. */
  rows(): Row[] {
    return Array.from(this.withRecords(), (g) => this.row(g));
  }

  /** Groups sorted by records, then bytes (descending), then keys; the first `top` when given. */
  sorted(top?: number): Row[] {
    return Array.from(this.order(top), (g) => this.row(g));
  }

  /**
   * The indexes of `sorted`'s groups, in its order: a report of millions of groups sorts numbers, and makes each
   * row only as it is written.
   */
  order(top?: number): Uint32Array {
    const c = this.counts;
    const w = this.width;
    const keys = this.keys;
    const order = this.withRecords().sort((a, b) => {
      const d = c[b * 3] - c[a * 3] || c[b * 3 + 2] - c[a * 3 + 2];
      if (d !== 0) return d;
      for (let i = 0; i < w; i++) {
        const x = String(keys[a * w + i] ?? '');
        const y = String(keys[b * w + i] ?? '');
        if (x !== y) return x < y ? -1 : 1;
      }
      return 0;
    });
    return top === undefined ? order : order.subarray(0, top);
  }

  /** One group's keys and totals. */
  row(g: number): Row {
    const c = this.counts;
    return { keys: this.keysOf(g), totals: { records: c[g * 3], packets: c[g * 3 + 1], bytes: c[g * 3 + 2] } };
  }

  private withRecords(): Uint32Array {
    const c = this.counts;
    let n = 0;
    for (let g = 0; g < this.made; g++) if (c[g * 3] !== 0) n++;
    const out = new Uint32Array(n);
    for (let g = 0, i = 0; g < this.made; g++) if (c[g * 3] !== 0) out[i++] = g;
    return out;
  }

  /** A group's keys as shown in output. */
  show(keys: KeyPart[]): Array<string | number | null> {
    return keys.map((k, i) => this.dims[i].show(k));
  }
}
