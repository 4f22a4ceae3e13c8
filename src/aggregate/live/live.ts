import { DIRECTION_NAMES } from '../../classify/endpoints.js';
import type { Located } from '../../enrich/enricher.js';
import type { FlowView } from '../../enrich/flow-view.js';
import { formatIPv4 } from '../../parse/address.js';
import { Action, LogStatus, type FlowLine } from '../../parse/line.js';
import { Bucket, filterTables, filterTotals, SECOND_CAPS, Tables, WINDOW_CAPS, type LiveFilter, type LiveRecord } from './bucket.js';
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
  private current: Bucket;
  private readonly seconds: Array<Bucket | undefined> = new Array(60);
  private minute: Bucket;
  private readonly minutes: Array<Bucket | undefined> = new Array(60);
  private readonly windows: Record<WindowName, Tables> = {
    '1m': new Tables(WINDOW_CAPS), '15m': new Tables(WINDOW_CAPS), '1h': new Tables(WINDOW_CAPS),
  };
  /** Place keys → what to show for them (bounded with the tables that refer to them). */
  private readonly places = new Map<string, PlaceInfo>();
  private readonly orgs = new Map<number, string | null>();
  private readonly rec: LiveRecord = {
    country: '', place: null, asn: 0, address: '', addressHash: 0, port: '', protocol: 0, action: '', direction: '',
    iface: '', packets: 0, bytes: 0, reject: 0,
  };
  newestEnd = 0;

  constructor(private now: number) {
    this.current = new Bucket(now, SECOND_CAPS);
    this.minute = new Bucket(now - (now % 60), WINDOW_CAPS);
  }

  /** Counts one parsed, classified and located record at the current second. */
  add(line: FlowLine, view: FlowView): void {
    const totals = this.current.totals;
    if (line.logStatus === LogStatus.nodata) totals.nodata++;
    else if (line.logStatus === LogStatus.skipdata) totals.skipdata++;
    if (line.isStatusRecord()) return;
    totals.flows++;
    const col = line.format.col;
    if (col.end >= 0 && line.nums[col.end] > this.newestEnd) this.newestEnd = line.nums[col.end];
    const remote = view.remote;
    if (remote === null) return;
    this.current.add(this.extract(line, view, remote));
  }

  private extract(line: FlowLine, view: FlowView, remote: Located): LiveRecord {
    const r = this.rec;
    const ep = view.endpoints;
    const col = line.format.col;
    const remoteIsSrc = view.remoteIsSource;
    const g = remote.geo;
    r.country = g.country_code ?? '??';
    r.place = g.city === null && g.latitude === null ? null : remote.placeKey;
    if (r.place !== null && !this.places.has(r.place)) {
      this.places.set(r.place, { country_code: g.country_code, region: g.region, city: g.city, latitude: g.latitude, longitude: g.longitude });
    }
    r.asn = g.asn ?? 0;
    if (!this.orgs.has(r.asn)) this.orgs.set(r.asn, g.as_org);
    const k = remoteIsSrc ? ep.srcCol : ep.dstCol;
    const v4 = remoteIsSrc ? ep.srcV4 : ep.dstV4;
    r.address = v4 >= 0 ? formatIPv4(v4) : (line.text(k) ?? '-');
    r.addressHash = v4 >= 0 ? mix32(v4) : hashWords(line.v6, k * 4);
    const port = servicePort(col.srcport < 0 ? NaN : line.nums[col.srcport], col.dstport < 0 ? NaN : line.nums[col.dstport]);
    r.protocol = col.protocol < 0 || Number.isNaN(line.nums[col.protocol]) ? -1 : line.nums[col.protocol];
    r.port = `${r.protocol}/${Number.isNaN(port) ? '-' : port}`;
    r.action = line.action === Action.accept ? 'ACCEPT' : line.action === Action.reject ? 'REJECT' : '-';
    r.direction = DIRECTION_NAMES[ep.direction] ?? '-';
    r.iface = line.text(col.interfaceId) ?? '-';
    r.packets = col.packets < 0 ? 0 : line.nums[col.packets] || 0;
    r.bytes = col.bytes < 0 ? 0 : line.nums[col.bytes] || 0;
    r.reject = line.action === Action.reject ? 1 : 0;
    return r;
  }

  /** Moves time forward to `now` (seconds), closing every second (and minute) passed. */
  tick(now: number): void {
    if (now - this.now > 3600) this.reset(now);
    while (this.now < now) this.closeSecond();
  }

  private closeSecond(): void {
    const done = this.current;
    const slot = done.start % 60;
    const old = this.seconds[slot];
    if (old !== undefined) this.windows['1m'].addTables(old, -1);
    this.seconds[slot] = done;
    this.windows['1m'].addTables(done);
    this.windows['15m'].addTables(done);
    this.windows['1h'].addTables(done);
    this.minute.addBucket(done);
    this.now++;
    this.current = new Bucket(this.now, SECOND_CAPS);
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
    this.minute = new Bucket(this.now, WINDOW_CAPS);
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
    this.current = new Bucket(now, SECOND_CAPS);
    this.minute = new Bucket(now - (now % 60), WINDOW_CAPS);
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
