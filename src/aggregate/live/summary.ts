import type { Bucket, FrozenBucket, Tables } from './bucket.js';
import { HLL_PRECISION, type HyperLogLog } from './hll.js';
import { OTHER, type Tally } from './tally.js';
import type { HeavyHitter } from './top-k.js';

/** Where a place key points, for the map. */
export interface PlaceInfo {
  country_code: string | null;
  region: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
}

export type Row<K> = { key: K } & Tally;

/**
 * The retained message on `<prefix>/summary/<window>` (docs/topics.md). Every table is additive, so a viewer
 * (or anything else) merges the summaries of several producers by adding rows with equal keys; the distinct
 * counter merges by register maxima.
 */
export interface WindowSummary {
  v: 1;
  producer: string;
  window: string;
  window_seconds: number;
  generated_at: number;
  /** Public flows only, except `flows` (all traffic records) and the NODATA/SKIPDATA counts. */
  totals: { records: number; packets: number; bytes: number; rejects: number; flows: number; nodata: number; skipdata: number };
  /** One point per second (1m) or minute (15m, 1h), oldest first. */
  series: { step: number; t: number[]; records: number[]; rejects: number[]; bytes: number[]; flows: number[] };
  countries: Array<Row<string> & { top_ports: string[] }>;
  places: Array<Row<string> & PlaceInfo>;
  asns: Array<Row<number | string> & { org: string | null }>;
  addresses: Array<Row<string> & { error: number }>;
  ports: Array<Row<string>>;
  protocols: Array<Row<number | string>>;
  actions: Array<Row<string>>;
  directions: Array<Row<string>>;
  interfaces: Array<Row<string>>;
  distinct_remote: { estimate: number; precision: number; registers: string };
  freshness: { newest_end: number | null; lag_seconds: number | null };
  /** Present on filtered views (GET /api/summary with filters): the filter applied. */
  filter?: Record<string, string | number>;
}

// Sized for the wire: the 1m summary goes to every viewer every second.
const LIMITS = { countries: 250, places: 300, asns: 100, ports: 50, interfaces: 50 };
/** Remote addresses in a summary: the busiest of the window's heavy-hitter sketch. */
export const ADDRESS_ROWS = 50;

interface Input {
  window: string;
  seconds: number;
  producer: string;
  generatedAt: number;
  tables: Tables;
  buckets: Array<Bucket | FrozenBucket>;
  step: number;
  addresses: HeavyHitter[];
  distinct: HyperLogLog;
  places: Map<string, PlaceInfo>;
  orgs: Map<number, string | null>;
  newestEnd: number;
  /** Series values per bucket, when they differ from the buckets' own totals (filtered views). */
  seriesOf?: (b: Bucket | FrozenBucket) => { records: number; rejects: number; bytes: number; flows: number };
}

function seriesOf(i: Input): WindowSummary['series'] {
  const points = i.buckets.map((b) => (i.seriesOf ? i.seriesOf(b) : b.totals));
  return {
    step: i.step,
    t: i.buckets.map((b) => b.start),
    records: points.map((p) => p.records),
    rejects: points.map((p) => p.rejects),
    bytes: points.map((p) => p.bytes),
    flows: points.map((p) => p.flows),
  };
}

const rows = <K extends string | number>(list: Array<[K | typeof OTHER, Tally]>) => list.map(([key, t]) => ({ key, ...t }));

type Ranked = { port: string; records: number; bytes: number };
const PORTS_PER_COUNTRY = 3;

/** The three busiest ports (by records, then bytes) of each country, in one pass: no sort of the whole table. */
function topPortsByCountry(t: Tables): Map<string, string[]> {
  const best = new Map<string, Ranked[]>();
  t.countryPorts.forEach((key, records, _packets, bytes) => {
    if (key === OTHER) return;
    const [country, port] = key.split(' ');
    let list = best.get(country);
    if (list === undefined) best.set(country, (list = []));
    let i = list.length;
    while (i > 0 && (records > list[i - 1].records || (records === list[i - 1].records && bytes > list[i - 1].bytes))) i--;
    if (i < PORTS_PER_COUNTRY) list.splice(i, 0, { port, records, bytes });
    if (list.length > PORTS_PER_COUNTRY) list.pop();
  });
  return new Map([...best].map(([country, list]) => [country, list.map((r) => r.port)]));
}

export function buildSummary(i: Input): WindowSummary {
  const t = i.tables;
  const countryPorts = topPortsByCountry(t);
  const now = Math.floor(i.generatedAt / 1000);
  return {
    v: 1,
    producer: i.producer,
    window: i.window,
    window_seconds: i.seconds,
    generated_at: i.generatedAt,
    totals: { ...t.totals },
    series: seriesOf(i),
    countries: rows(t.countries.top(LIMITS.countries)).map((r) => ({ ...r, top_ports: countryPorts.get(r.key) ?? [] })),
    places: rows(t.places.top(LIMITS.places)).filter((r) => r.key !== OTHER)
      .map((r) => ({ ...r, ...(i.places.get(r.key) ?? { country_code: null, region: null, city: null, latitude: null, longitude: null }) })),
    asns: rows(t.asns.top(LIMITS.asns)).map((r) => ({ ...r, org: typeof r.key === 'number' ? i.orgs.get(r.key) ?? null : null })),
    addresses: i.addresses.map(({ key, records, bytes, rejects, error }) => ({ key, records, packets: 0, bytes, rejects, error })),
    ports: rows(t.ports.top(LIMITS.ports)),
    protocols: rows(t.protocols.top(256)),
    actions: rows(t.actions.top(8)),
    directions: rows(t.directions.top(8)),
    interfaces: rows(t.interfaces.top(LIMITS.interfaces)),
    distinct_remote: {
      estimate: i.distinct.estimate(), precision: HLL_PRECISION, registers: Buffer.from(i.distinct.registers).toString('base64'),
    },
    freshness: { newest_end: i.newestEnd || null, lag_seconds: i.newestEnd ? Math.max(0, now - i.newestEnd) : null },
  };
}
