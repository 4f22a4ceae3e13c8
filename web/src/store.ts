import type { LiveFilter } from '../../src/aggregate/live/filter';
import type { WindowSummary } from '../../src/aggregate/live/summary';
import type { Geo } from '../../src/enrich/geo';
import { estimateOf } from '../../src/aggregate/live/hll';
import { ADDRESS_ROWS } from '../../src/aggregate/live/summary';

export type { Geo, WindowSummary };
export type WindowName = '1m' | '15m' | '1h';
export type Metric = 'records' | 'bytes' | 'rejects';

/** What the page shows: the server's filter fields plus window, metric and pause; kept in the URL. */
export interface ViewState extends LiveFilter {
  window: WindowName;
  metric: Metric;
  paused: boolean;
}

export const FILTER_KEYS = ['country', 'place', 'asn', 'protocol', 'port', 'action', 'direction', 'iface'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
const NUMERIC = new Set<FilterKey>(['asn', 'protocol', 'port']);

export interface LiveEvent {
  [field: string]: unknown;
  srcaddr?: string | null;
  dstaddr?: string | null;
  action?: string | null;
  direction?: string | null;
  region?: string | null;
  src_geo: Geo | null;
  dst_geo: Geo | null;
}

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

const MAX_EVENTS = 200;

/**
 * The page's state: the latest summary of each window from each producer (merged on read, so several pipeline
 * instances show as one), a bounded ring of recent events, the view state, and the connection. Changes schedule
 * one render per animation frame, however many messages arrive in between.
 */
export class Store {
  readonly summaries: Record<WindowName, Map<string, WindowSummary>> = { '1m': new Map(), '15m': new Map(), '1h': new Map() };
  filtered: WindowSummary | null = null;
  events: LiveEvent[] = [];
  /** Events that arrived since the last render (for pulses and arcs on the map). */
  fresh: LiveEvent[] = [];
  skipped = 0;
  connection: ConnectionState = 'connecting';
  connectionDetail = '';
  lastMessageAt = 0;
  view: ViewState;
  private listeners: Array<() => void> = [];
  private scheduled = false;

  constructor(search: string) {
    this.view = readUrl(search);
  }

  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  /** Coalesces any number of changes into one render on the next animation frame. */
  changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      for (const fn of this.listeners) fn();
      this.fresh = [];
    });
  }

  putSummary(s: WindowSummary): void {
    const w = s.window as WindowName;
    if (!(w in this.summaries)) return;
    this.summaries[w].set(s.producer, s);
    this.lastMessageAt = Date.now();
    if (!this.view.paused) this.changed();
  }

  putEvents(events: LiveEvent[], skipped: number): void {
    this.lastMessageAt = Date.now();
    if (this.view.paused) return;
    this.skipped += skipped;
    for (const e of events) {
      this.events.push(e);
      this.fresh.push(e);
    }
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
    if (this.fresh.length > MAX_EVENTS) this.fresh.splice(0, this.fresh.length - MAX_EVENTS);
    this.changed();
  }

  /** The summary the page shows: the server's filtered one when filters apply, else every producer's merged. */
  current(): WindowSummary | null {
    if (this.hasFilters() && this.filtered !== null && this.filtered.window === this.view.window) return this.filtered;
    return merge(live([...this.summaries[this.view.window].values()]));
  }

  /** Every current producer of a window, added up (unfiltered). */
  merged(window: WindowName): WindowSummary | null {
    return merge(live([...this.summaries[window].values()]));
  }

  hasFilters(): boolean {
    return FILTER_KEYS.some((k) => this.view[k] !== undefined);
  }

  setView(patch: Partial<ViewState>): void {
    this.view = { ...this.view, ...patch };
    for (const k of FILTER_KEYS) if (this.view[k] === undefined || (this.view[k] as unknown) === '') delete this.view[k];
    history.replaceState(null, '', `?${writeUrl(this.view)}`);
    this.filtered = null;
    this.changed();
  }

  /** Query string for GET /api/summary. */
  filterQuery(): string {
    const q = new URLSearchParams({ window: this.view.window });
    for (const k of FILTER_KEYS) if (this.view[k] !== undefined) q.set(k, String(this.view[k]));
    return q.toString();
  }
}

function readUrl(search: string): ViewState {
  const q = new URLSearchParams(search);
  const window = (['1m', '15m', '1h'] as const).find((w) => w === q.get('w')) ?? '15m';
  const metric = (['records', 'bytes', 'rejects'] as const).find((m) => m === q.get('metric')) ?? 'records';
  const view: ViewState = { window, metric, paused: q.get('paused') === '1' };
  for (const k of FILTER_KEYS) {
    const v = q.get(k);
    if (v === null || v === '') continue;
    if (NUMERIC.has(k)) {
      const n = Number(v);
      if (Number.isInteger(n)) (view as unknown as Record<string, unknown>)[k] = n;
    } else (view as unknown as Record<string, unknown>)[k] = v;
  }
  return view;
}

function writeUrl(v: ViewState): string {
  const q = new URLSearchParams({ w: v.window });
  if (v.metric !== 'records') q.set('metric', v.metric);
  if (v.paused) q.set('paused', '1');
  for (const k of FILTER_KEYS) if (v[k] !== undefined) q.set(k, String(v[k]));
  return q.toString();
}

/**
 * The producers still worth adding up: a producer that has not published for a whole window (a Lambda container
 * that went cold, a stopped instance) has nothing left in that window. When none is current, the newest alone.
 */
function live(list: WindowSummary[], now = Date.now()): WindowSummary[] {
  const current = list.filter((s) => now - s.generated_at < s.window_seconds * 1000);
  if (current.length > 0 || list.length === 0) return current;
  return [list.reduce((a, b) => (b.generated_at > a.generated_at ? b : a))];
}

type Distinct = WindowSummary['distinct_remote'];

/** Union of two HyperLogLog counters: register-wise maximum, then the server's own estimate. */
function mergeDistinct(a: Distinct, b: Distinct): Distinct {
  if (a.precision !== b.precision || !a.registers || !b.registers) return { ...a, estimate: Math.max(a.estimate, b.estimate) };
  const ra = Uint8Array.from(atob(a.registers), (c) => c.charCodeAt(0));
  const rb = Uint8Array.from(atob(b.registers), (c) => c.charCodeAt(0));
  for (let i = 0; i < ra.length; i++) ra[i] = Math.max(ra[i], rb[i]);
  return { estimate: estimateOf(ra), precision: a.precision, registers: btoa(String.fromCharCode(...ra)) };
}

type Row = { key: string | number; records: number; packets: number; bytes: number; rejects: number };

/** Adds the summaries of several producers: rows with equal keys add up; series add by timestamp. */
export function merge(list: WindowSummary[]): WindowSummary | null {
  if (list.length === 0) return null;
  if (list.length === 1) return list[0];
  const out = structuredClone(list[0]);
  for (const s of list.slice(1)) {
    for (const k of Object.keys(out.totals) as Array<keyof WindowSummary['totals']>) out.totals[k] += s.totals[k];
    for (const table of ['countries', 'places', 'asns', 'addresses', 'ports', 'protocols', 'actions', 'directions', 'interfaces'] as const) {
      const mine = out[table] as Row[];
      const byKey = new Map(mine.map((r) => [r.key, r]));
      for (const r of s[table] as Row[]) {
        const m = byKey.get(r.key);
        if (m === undefined) {
          const copy = { ...r };
          mine.push(copy);
          byKey.set(r.key, copy);
        } else {
          m.records += r.records;
          m.packets += r.packets;
          m.bytes += r.bytes;
          m.rejects += r.rejects;
        }
      }
      mine.sort((a, b) => b.records - a.records);
    }
    const at = new Map(out.series.t.map((t, i) => [t, i]));
    s.series.t.forEach((t, i) => {
      const j = at.get(t);
      if (j === undefined) return;
      out.series.records[j] += s.series.records[i];
      out.series.rejects[j] += s.series.rejects[i];
      out.series.bytes[j] += s.series.bytes[i];
      out.series.flows[j] += s.series.flows[i];
    });
    out.distinct_remote = mergeDistinct(out.distinct_remote, s.distinct_remote);
    out.freshness.newest_end = Math.max(out.freshness.newest_end ?? 0, s.freshness.newest_end ?? 0) || null;
    out.producer = `${list.length} producers`;
  }
  mergeAddressErrors(list, out);
  return out;
}

/**
 * A merged address's `error`: the sum of what each producer may not have counted of it. A producer that lists
 * the address may have missed its own `error`; one that does not list it counted none of it for sure, and may
 * have missed its `error` plus, when its list was cut at ADDRESS_ROWS, the smallest count it listed.
 */
function mergeAddressErrors(list: WindowSummary[], out: WindowSummary): void {
  const bounds = list.map((s) => {
    const rows = s.addresses;
    const error = rows[0]?.error ?? 0;
    return { listed: new Set(rows.map((r) => r.key)), error, unlisted: error + (rows.length >= ADDRESS_ROWS ? rows[rows.length - 1].records : 0) };
  });
  for (const row of out.addresses) row.error = bounds.reduce((n, b) => n + (b.listed.has(row.key) ? b.error : b.unlisted), 0);
}
