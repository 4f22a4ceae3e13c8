import type { FlowView } from '../../enrich/flow-view.js';
import type { FlowLine } from '../../parse/line.js';
import { SecondCounter } from './counter.js';
import { Bucket, factParts, type FrozenBucket, MINUTE_CAPS, Tables, WINDOW_CAPS } from './bucket.js';
import { filterTables, filterTotals, type LiveFilter } from './filter.js';
import { HyperLogLog } from './hll.js';
import { KeyPool } from './key-pool.js';
import { OTHER } from './tally.js';
import { ADDRESS_ROWS, buildSummary, type PlaceInfo, type WindowSummary } from './summary.js';

export const WINDOWS = { '1m': 60, '15m': 900, '1h': 3600 } as const;

/**
 * The shared keys' slack (see KeyPool): five minutes of keys all new, a minute holding at most its text-keyed
 * tables' caps and the few actions and directions.
 */
const KEY_SLACK = 5 * (MINUTE_CAPS.countries + MINUTE_CAPS.places + MINUTE_CAPS.ports + MINUTE_CAPS.interfaces
  + MINUTE_CAPS.countryPorts + MINUTE_CAPS.facts + 16);
export type WindowName = keyof typeof WINDOWS;

/**
 * Live aggregates over sliding windows of arrival time (a replay of last year's logs still lights the map; record
 * time is kept only for freshness). Records land in the current one-second bucket; each tick closes seconds into
 * running window tables (adding the new second, subtracting the one that left) and into minute buckets, so the
 * cost of a tick depends on the bucket sizes, never on the traffic rate. Every table is capped: memory is bounded
 * whatever the cardinality or the length of the run.
 */
export class LiveAggregator {
  /** Where records of the second in progress are counted (see add). */
  readonly counter = new SecondCounter();
  /** Seconds counted by ingest threads, waiting to be added to the next second closed. */
  private arrived: Bucket[] = [];
  private arrivedNewestEnd = 0;
  private readonly seconds: Array<FrozenBucket | undefined> = new Array(60);
  private minute: Bucket;
  private readonly minutes: Array<FrozenBucket | undefined> = new Array(60);
  private readonly windows: Record<WindowName, Tables> = {
    '1m': new Tables(WINDOW_CAPS), '15m': new Tables(WINDOW_CAPS), '1h': new Tables(WINDOW_CAPS),
  };
  /** Place keys → what to show for them (bounded with the tables that refer to them). */
  private readonly places = new Map<string, PlaceInfo>();
  private readonly orgs = new Map<number, string | null>();
  /** The closed minutes' text keys, shared (see KeyPool). */
  private keys = new KeyPool(KEY_SLACK);

  constructor(private now: number) {
    this.minute = new Bucket(now - (now % 60), MINUTE_CAPS);
  }

  /** Counts one parsed, classified and located record at the current second. */
  add(line: FlowLine, view: FlowView): void {
    this.counter.add(line, view);
  }

  /** Newest record `end` (Unix seconds) counted here or in a second handed in. */
  get newestEnd(): number {
    return Math.max(this.counter.newestEnd, this.arrivedNewestEnd);
  }

  /**
   * A second counted elsewhere (an ingest thread), with the place and organisation names its tables use: it is
   * added to the next second this aggregator closes.
   */
  arrive(bucket: Bucket, places: Iterable<[string, PlaceInfo]>, orgs: Iterable<[number, string | null]>, newestEnd: number): void {
    this.arrived.push(bucket);
    for (const [key, info] of places) if (!this.places.has(key)) this.places.set(key, info);
    for (const [asn, org] of orgs) if (!this.orgs.has(asn)) this.orgs.set(asn, org);
    if (newestEnd > this.arrivedNewestEnd) this.arrivedNewestEnd = newestEnd;
  }

  /** How many table entries the aggregator holds in all its buckets and windows (to check that memory is bounded). */
  footprint(): { buckets: number; entries: number; names: number; sharedKeys: number } {
    const size = (t: Tables | FrozenBucket) => t.countries.size + t.places.size + t.asns.size + t.ports.size + t.protocols.size
      + t.actions.size + t.directions.size + t.interfaces.size + t.countryPorts.size + t.facts.size;
    const buckets = [...this.seconds, ...this.minutes, this.minute].filter((b): b is Bucket | FrozenBucket => b !== undefined);
    const entries = buckets.reduce((n, b) => n + size(b), 0) + Object.values(this.windows).reduce((n, t) => n + size(t), 0);
    return { buckets: buckets.length, entries, names: this.places.size + this.orgs.size, sharedKeys: this.keys.size };
  }

  /** Moves time forward to `now` (seconds), closing every second (and minute) passed. */
  tick(now: number): void {
    for (const _ of this.tickSteps(now));
  }

  /**
   * `tick` in steps, so a caller can let other work run between them: flattening a busy second takes tens of
   * milliseconds, and serve's ingest should not wait that long. Every step leaves each window consistent (the
   * second being closed is in all of them or in none yet, or in the 1m window and not yet in the longer ones);
   * records added meanwhile count in the next second. Steps of two ticks must not interleave.
   */
  *tickSteps(now: number): Generator<void, void> {
    if (now - this.now > 3600) this.reset(now);
    while (this.now < now) yield* this.closeSecond();
  }

  private *closeSecond(): Generator<void, void> {
    const done = yield* this.counter.closeSecond(this.now, this.places, this.orgs);
    // One step per bucket added: each takes a busy second milliseconds to tens of them.
    const arrived = this.arrived;
    this.arrived = [];
    for (const b of arrived) {
      yield;
      done.addBucket(b);
    }
    // Frozen (trimmed to its caps) before any window adds it: the 1m window subtracts this very bucket when it
    // leaves, a minute later, and frozen it takes about half the memory.
    const second = done.freeze();
    yield;
    const slot = second.start % 60;
    const old = this.seconds[slot];
    if (old !== undefined) this.windows['1m'].addTables(old, -1);
    this.seconds[slot] = second;
    this.windows['1m'].addTables(second);
    for (const w of ['15m', '1h'] as const) {
      yield;
      this.windows[w].addTables(second);
    }
    yield;
    this.minute.addBucket(second);
    this.now++;
    if (this.now % 60 === 0) yield* this.closeMinute();
  }

  /**
   * Files the minute and remakes the 15m and 1h windows from their minutes. They take each second as it closes, but a
   * minute bucket, trimmed to its own caps, does not hold exactly what its seconds held: subtracting it left stale
   * counts in rows that never went away, so these windows are rebuilt rather than subtracted from.
   */
  private *closeMinute(): Generator<void, void> {
    const done = this.minute.freeze();
    done.shareKeys(this.keys);
    this.minutes[(done.start / 60) % 60] = done;
    this.minute = new Bucket(this.now, MINUTE_CAPS);
    for (const name of ['15m', '1h'] as const) {
      const rebuilt = new Tables(WINDOW_CAPS);
      for (const m of this.closedMinutes(name)) {
        rebuilt.addTables(m);
        yield;
      }
      this.windows[name] = rebuilt;
    }
    this.keys.prune(this.minutes.filter((m): m is FrozenBucket => m !== undefined));
    this.prune();
  }

  /**
   * Drops place and organisation names no window refers to any more, by a row or a fact. Each window keeps its own
   * busiest keys: a place busy in the last minute may be far from the hour's busiest, and the 1m map needs its name.
   */
  private prune(): void {
    if (this.places.size <= 2 * WINDOW_CAPS.places && this.orgs.size <= 2 * WINDOW_CAPS.asns) return;
    const places = new Set<string>();
    const asns = new Set<number | string>();
    for (const w of Object.values(this.windows)) {
      w.places.forEach((key) => places.add(key));
      w.asns.forEach((key) => asns.add(key));
      w.facts.forEach((key) => {
        if (key === OTHER) return;
        const [, place, asn] = factParts(key);
        places.add(place);
        asns.add(Number(asn));
      });
    }
    for (const key of this.places.keys()) if (!places.has(key)) this.places.delete(key);
    for (const key of this.orgs.keys()) if (!asns.has(key)) this.orgs.delete(key);
  }

  private reset(now: number): void {
    this.seconds.fill(undefined);
    this.minutes.fill(undefined);
    this.keys = new KeyPool(KEY_SLACK);
    for (const w of Object.keys(this.windows) as WindowName[]) this.windows[w] = new Tables(WINDOW_CAPS);
    this.now = now;
    this.counter.reset();
    this.arrived = [];
    this.minute = new Bucket(now - (now % 60), MINUTE_CAPS);
  }

  /** The closed seconds (1m) or minutes (15m, 1h, plus the minute in progress) a window spans, oldest first. */
  private bucketsOf(window: WindowName): Array<Bucket | FrozenBucket> {
    if (window === '1m') {
      return this.seconds.filter((b): b is FrozenBucket => b !== undefined && b.start >= this.now - 60).sort((a, b) => a.start - b.start);
    }
    return [...this.closedMinutes(window), this.minute];
  }

  /** The closed minutes a 15m or 1h window spans besides the minute in progress, oldest first. */
  private closedMinutes(window: '15m' | '1h'): FrozenBucket[] {
    const since = this.minute.start - (window === '15m' ? 14 : 60) * 60;
    return this.minutes.filter((b): b is FrozenBucket => b !== undefined && b.start >= since).sort((a, b) => a.start - b.start);
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
      step: window === '1m' ? 1 : 60, addresses: addresses.addresses.top(ADDRESS_ROWS), distinct,
      places: this.places, orgs: this.orgs, newestEnd: this.newestEnd,
    });
  }
}
