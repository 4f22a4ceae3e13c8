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
  groups = 0;

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
      this.groups++;
    }
    return totals;
  }

  /** Adds another GroupBy's groups (same dimensions) into this one: how parallel workers' results combine. */
  mergeRows(rows: Iterable<Row>): void {
    for (const { keys, totals } of rows) {
      let level = this.root;
      for (let i = 0; i < keys.length - 1; i++) {
        let next = level.get(keys[i]) as Level | undefined;
        if (next === undefined) level.set(keys[i], (next = new Map()));
        level = next;
      }
      const mine = level.get(keys[keys.length - 1]) as Totals | undefined;
      if (mine === undefined) {
        level.set(keys[keys.length - 1], { ...totals });
        this.groups++;
      } else {
        mine.records += totals.records;
        mine.packets += totals.packets;
        mine.bytes += totals.bytes;
      }
    }
  }

  /** Every group, unsorted, with raw keys. */
  *rows(): Generator<Row> {
    const walk = function* (level: Level, prefix: KeyPart[], depth: number, last: number): Generator<Row> {
      for (const [key, value] of level) {
        if (depth === last) yield { keys: [...prefix, key], totals: value as Totals };
        else yield* walk(value as Level, [...prefix, key], depth + 1, last);
      }
    };
    yield* walk(this.root, [], 0, this.dims.length - 1);
  }

  /** Groups sorted by records, then bytes (descending), then keys; the first `top` when given. */
  sorted(top?: number): Row[] {
    const rows = [...this.rows()];
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
