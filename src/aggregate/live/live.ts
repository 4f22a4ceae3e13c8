import type { FlowView } from '../../enrich/flow-view.js';
import { formatIPv4 } from '../../parse/address.js';
import { Action, LogStatus, type FlowLine } from '../../parse/line.js';
import { TextCache } from '../../parse/text-cache.js';
import { SecondAccumulator, packCombo } from './accumulator.js';
import { Bucket, filterTables, filterTotals, MINUTE_CAPS, Tables, WINDOW_CAPS, type LiveFilter } from './bucket.js';
import { HyperLogLog, hashWords, mix32 } from './hll.js';
import { buildSummary, type PlaceInfo, type WindowSummary } from './summary.js';

/**
 * The service side of a flow: the lower of its two ports. Each connection is logged once per direction, and the
 * ephemeral side (32768 and up on Linux, 49152 and up elsewhere) says nothing about the service; keying on it
 * would also flood the table with one row per connection.
 */
export function servicePort(src: number, dst: number): number {
  if (Number.isNaN(src)) return dst;
  if (Number.isNaN(dst)) return src;
  return Math.min(src, dst);
}

export const WINDOWS = { '1m': 60, '15m': 900, '1h': 3600 } as const;
export type WindowName = keyof typeof WINDOWS;

/**
 * Live aggregates over sliding windows of arrival time (a replay of last year's logs still lights the map; record
 * time is kept only for freshness). Records land in the current one-second bucket; each tick closes seconds into
 * running window tables (adding the new second, subtracting the one that left) and into minute buckets, so the
 * cost of a tick depends on the bucket sizes, never on the traffic rate. Every table is capped: memory is bounded
 * whatever the cardinality or the length of the run.
 */
export class LiveAggregator {
  private acc = new SecondAccumulator();
  private readonly seconds: Array<Bucket | undefined> = new Array(60);
  private minute: Bucket;
  private readonly minutes: Array<Bucket | undefined> = new Array(60);
  private readonly windows: Record<WindowName, Tables> = {
    '1m': new Tables(WINDOW_CAPS), '15m': new Tables(WINDOW_CAPS), '1h': new Tables(WINDOW_CAPS),
  };
  /** Place keys → what to show for them (bounded with the tables that refer to them). */
  private readonly places = new Map<string, PlaceInfo>();
  private readonly orgs = new Map<number, string | null>();
  private readonly interfaces = new TextCache();
  newestEnd = 0;

  constructor(private now: number) {
    this.minute = new Bucket(now - (now % 60), MINUTE_CAPS);
  }

  /** Counts one parsed, classified and located record at the current second. */
  add(line: FlowLine, view: FlowView): void {
    const acc = this.acc;
    if (line.logStatus === LogStatus.nodata) acc.nodata++;
    else if (line.logStatus === LogStatus.skipdata) acc.skipdata++;
    if (line.isStatusRecord()) return;
    acc.flows++;
    const col = line.format.col;
    if (col.end >= 0 && line.nums[col.end] > this.newestEnd) this.newestEnd = line.nums[col.end];
    const remote = view.remote;
    if (remote === null) return;
    const ep = view.endpoints;
    const remoteIsSrc = view.remoteIsSource;
    const k = remoteIsSrc ? ep.srcCol : ep.dstCol;
    const v4 = remoteIsSrc ? ep.srcV4 : ep.dstV4;
    const nums = line.nums;
    const port = servicePort(col.srcport < 0 ? NaN : nums[col.srcport], col.dstport < 0 ? NaN : nums[col.dstport]);
    const protocol = col.protocol < 0 || Number.isNaN(nums[col.protocol]) ? -1 : nums[col.protocol];
    acc.add(remote, packCombo(protocol, Number.isNaN(port) ? -1 : port, line.action, ep.direction),
      col.interfaceId < 0 ? '-' : this.interfaces.get(line.buf, line.starts[col.interfaceId], line.ends[col.interfaceId]),
      col.interfaceId < 0 ? 0 : this.interfaces.id,
      v4 >= 0 ? v4 : (line.text(k) ?? '-'), v4 >= 0 ? mix32(v4) : hashWords(line.v6, k * 4),
      col.packets < 0 ? 0 : nums[col.packets] || 0, col.bytes < 0 ? 0 : nums[col.bytes] || 0,
      line.action === Action.reject ? 1 : 0);
  }

  /** How many table entries the aggregator holds in all its buckets and windows (to check that memory is bounded). */
  footprint(): { buckets: number; entries: number; names: number } {
    const size = (t: Tables) => t.countries.size + t.places.size + t.asns.size + t.ports.size + t.protocols.size
      + t.actions.size + t.directions.size + t.interfaces.size + t.countryPorts.size + t.facts.size;
    const buckets = [...this.seconds, ...this.minutes, this.minute].filter((b): b is Bucket => b !== undefined);
    const entries = buckets.reduce((n, b) => n + size(b), 0) + Object.values(this.windows).reduce((n, t) => n + size(t), 0);
    return { buckets: buckets.length, entries, names: this.places.size + this.orgs.size };
  }

  /** Moves time forward to `now` (seconds), closing every second (and minute) passed. */
  tick(now: number): void {
    for (const _ of this.tickSteps(now));
  }

  /**
   * `tick` in steps, so a caller can let other work run between them: flattening a busy second takes tens of
   * milliseconds, and serve's ingest should not wait that long. Every step leaves the windows consistent (only
   * the second being flattened is out of them); records added meanwhile count in the next second. Steps of two
   * ticks must not interleave.
   */
  *tickSteps(now: number): Generator<void, void> {
    if (now - this.now > 3600) this.reset(now);
    while (this.now < now) yield* this.closeSecond();
  }

  private *closeSecond(): Generator<void, void> {
    const closing = this.acc;
    this.acc = new SecondAccumulator(closing);
    const done = yield* closing.close(this.now, this.places, this.orgs, formatIPv4);
    const slot = done.start % 60;
    const old = this.seconds[slot];
    if (old !== undefined) this.windows['1m'].addTables(old, -1);
    this.seconds[slot] = done;
    this.windows['1m'].addTables(done);
    this.windows['15m'].addTables(done);
    this.windows['1h'].addTables(done);
    this.minute.addBucket(done);
    this.now++;
    if (this.now % 60 === 0) this.closeMinute();
  }

  private closeMinute(): void {
    const done = this.minute;
    const index = (done.start / 60) % 60;
    const old = this.minutes[index];
    if (old !== undefined) this.windows['1h'].addTables(old, -1);
    const quarterAgo = this.minutes[((done.start / 60) - 14 + 60) % 60];
    if (quarterAgo !== undefined && quarterAgo.start === done.start - 14 * 60) this.windows['15m'].addTables(quarterAgo, -1);
    this.minutes[index] = done;
    this.minute = new Bucket(this.now, MINUTE_CAPS);
    this.prune();
  }

  /** Drops place and organisation names no table refers to any more. */
  private prune(): void {
    if (this.places.size > 2 * WINDOW_CAPS.places) {
      for (const key of this.places.keys()) if (!this.windows['1h'].places.map.has(key)) this.places.delete(key);
    }
    if (this.orgs.size > 2 * WINDOW_CAPS.asns) {
      for (const key of this.orgs.keys()) if (!this.windows['1h'].asns.map.has(key)) this.orgs.delete(key);
    }
  }

  private reset(now: number): void {
    this.seconds.fill(undefined);
    this.minutes.fill(undefined);
    for (const w of Object.keys(this.windows) as WindowName[]) this.windows[w] = new Tables(WINDOW_CAPS);
    this.now = now;
    this.acc = new SecondAccumulator();
    this.minute = new Bucket(now - (now % 60), MINUTE_CAPS);
  }

  /** The closed seconds (1m) or minutes (15m, 1h, plus the minute in progress) a window spans, oldest first. */
  private bucketsOf(window: WindowName): Bucket[] {
    if (window === '1m') {
      return this.seconds.filter((b): b is Bucket => b !== undefined && b.start >= this.now - 60).sort((a, b) => a.start - b.start);
    }
    const span = window === '15m' ? 14 : 60;
    const since = this.minute.start - span * 60;
    const closed = this.minutes.filter((b): b is Bucket => b !== undefined && b.start >= since).sort((a, b) => a.start - b.start);
    return [...closed, this.minute];
  }

  /**
   * A window narrowed to a filter, computed from the facts (for GET /api/summary). Remote addresses and the
   * distinct count are not kept per fact, so a filtered view leaves them empty.
   */
  filtered(window: WindowName, filter: LiveFilter, producer: string, generatedAt: number): WindowSummary {
    const buckets = this.bucketsOf(window);
    const summary = buildSummary({
      window, seconds: WINDOWS[window], producer, generatedAt, tables: filterTables(this.windows[window], filter), buckets,
      step: window === '1m' ? 1 : 60, addresses: [], distinct: new HyperLogLog(), places: this.places, orgs: this.orgs,
      newestEnd: this.newestEnd,
      seriesOf: (b) => ({ ...filterTotals(b, filter), flows: b.totals.flows }),
    });
    summary.filter = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as Record<string, string | number>;
    return summary;
  }

  summary(window: WindowName, producer: string, generatedAt: number): WindowSummary {
    const buckets = this.bucketsOf(window);
    const addresses = new Bucket(0, WINDOW_CAPS);
    const distinct = new HyperLogLog();
    for (const b of buckets) {
      addresses.addresses.merge(b.addresses);
      distinct.merge(b.distinct.registers);
    }
    return buildSummary({
      window, seconds: WINDOWS[window], producer, generatedAt, tables: this.windows[window], buckets,
      step: window === '1m' ? 1 : 60, addresses: addresses.addresses.top(50), distinct,
      places: this.places, orgs: this.orgs, newestEnd: this.newestEnd,
    });
  }
}
