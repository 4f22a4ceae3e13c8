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
 * dimension, so adding a record costs one Map lookup per dimension and never builds a composite key string.
 * Exact: every group is kept until the end (the report answers like Athena would, not approximately).
 */
export class GroupBy {
  private readonly root: Level = new Map();
  private readonly dims: Dimension[];
  groups = 0;

  constructor(readonly dimensions: readonly string[]) {
    this.dims = dimensions.map((name) => {
      const d = DIMENSIONS[name];
      if (d === undefined) throw new Error(`unknown dimension "${name}"`);
      return d;
    });
  }

  add(line: FlowLine, view: FlowView): void {
    const col = line.format.col;
    const packets = col.packets < 0 ? 0 : line.nums[col.packets] || 0;
    const bytes = col.bytes < 0 ? 0 : line.nums[col.bytes] || 0;
    let level = this.root;
    const last = this.dims.length - 1;
    for (let i = 0; i < last; i++) {
      const key = this.dims[i].key(line, view);
      let next = level.get(key) as Level | undefined;
      if (next === undefined) level.set(key, (next = new Map()));
      level = next;
    }
    const key = this.dims[last].key(line, view);
    const totals = level.get(key) as Totals | undefined;
    if (totals === undefined) {
      level.set(key, { records: 1, packets, bytes });
      this.groups++;
    } else {
      totals.records++;
      totals.packets += packets;
      totals.bytes += bytes;
    }
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
