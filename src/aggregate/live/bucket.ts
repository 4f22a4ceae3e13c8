import { HyperLogLog } from './hll.js';
import type { KeyPool } from './key-pool.js';
import { FrozenTally, TallyTable, type TallyData } from './tally.js';
import { TopK, type TopKData } from './top-k.js';

/** The keys of one fact row (see factKey). */
export interface LiveRecord {
  country: string;
  /** Place key (country, region, city) or null when the remote side has no city. */
  place: string | null;
  asn: number;
  /** `protocol/service port`, e.g. `6/22`. */
  port: string;
  protocol: number;
  action: string;
  direction: string;
  iface: string;
}

/** Caps on distinct keys per table (beyond them, keys count as "(other)"). */
export interface Caps {
  countries: number;
  places: number;
  asns: number;
  ports: number;
  interfaces: number;
  countryPorts: number;
  facts: number;
  addresses: number;
}

/**
 * Distinct keys kept per table. An hour is 60 minute buckets, so the minute caps set the memory of a long run:
 * about 0.8 MB a minute bucket (frozen: see Bucket.freeze) at these caps, whatever the traffic, less the text keys it
 * shares with other minutes (see KeyPool).
 */
export const SECOND_CAPS: Caps = { countries: 300, places: 1000, asns: 1000, ports: 500, interfaces: 300, countryPorts: 1000, facts: 3000, addresses: 64 };
export const MINUTE_CAPS: Caps = { countries: 300, places: 1200, asns: 1200, ports: 400, interfaces: 200, countryPorts: 1000, facts: 4000, addresses: 128 };
export const WINDOW_CAPS: Caps = { countries: 300, places: 3000, asns: 3000, ports: 1000, interfaces: 500, countryPorts: 3000, facts: 20000, addresses: 256 };

/** The additive tables of a bucket or window. */
export class Tables {
  /** Public flow records and their measures, plus all flows and status records seen (for shares and data loss). */
  readonly totals = { records: 0, packets: 0, bytes: 0, rejects: 0, flows: 0, nodata: 0, skipdata: 0 };
  readonly countries: TallyTable<string>;
  readonly places: TallyTable<string>;
  readonly asns: TallyTable<number>;
  readonly ports: TallyTable<string>;
  readonly protocols = new TallyTable<number>(256);
  readonly actions = new TallyTable<string>(8);
  readonly directions = new TallyTable<string>(8);
  readonly interfaces: TallyTable<string>;
  /**
   * Every combination of the dimensions above (FACT_SEP-joined: country, place, asn, port, action, direction,
   * interface): what a filtered view is computed from, and what the marginal tables are a projection of.
   */
  readonly facts: TallyTable<string>;
  /** `country port` → tallies: a country's busiest ports, without scanning every fact. */
  readonly countryPorts: TallyTable<string>;

  constructor(caps: Caps) {
    this.countries = new TallyTable(caps.countries);
    this.places = new TallyTable(caps.places);
    this.asns = new TallyTable(caps.asns);
    this.ports = new TallyTable(caps.ports);
    this.interfaces = new TallyTable(caps.interfaces);
    this.facts = new TallyTable(caps.facts);
    this.countryPorts = new TallyTable(caps.countryPorts);
  }

  addTables(o: Tables | FrozenBucket, sign: 1 | -1 = 1): void {
    this.totals.records += sign * o.totals.records;
    this.totals.packets += sign * o.totals.packets;
    this.totals.bytes += sign * o.totals.bytes;
    this.totals.rejects += sign * o.totals.rejects;
    this.totals.flows += sign * o.totals.flows;
    this.totals.nodata += sign * o.totals.nodata;
    this.totals.skipdata += sign * o.totals.skipdata;
    this.countries.addTable(o.countries, sign);
    this.places.addTable(o.places, sign);
    this.asns.addTable(o.asns, sign);
    this.ports.addTable(o.ports, sign);
    this.protocols.addTable(o.protocols, sign);
    this.actions.addTable(o.actions, sign);
    this.directions.addTable(o.directions, sign);
    this.interfaces.addTable(o.interfaces, sign);
    this.facts.addTable(o.facts, sign);
    this.countryPorts.addTable(o.countryPorts, sign);
  }
}

export const FACT_SEP = '\x1f';

export function factKey(r: LiveRecord): string {
  return `${r.country}${FACT_SEP}${r.place ?? ''}${FACT_SEP}${r.asn}${FACT_SEP}${r.port}${FACT_SEP}${r.action}${FACT_SEP}${r.direction}${FACT_SEP}${r.iface}`;
}

/** A fact key's parts as texts, in factKey's order: country, place ('' for none), asn, port, action, direction, iface. */
export function factParts(key: string): string[] {
  return key.split(FACT_SEP);
}

/** A second or a minute of records: the tables, plus the sketches that merge but do not subtract. */
export class Bucket extends Tables {
  readonly addresses: TopK;
  readonly distinct = new HyperLogLog();

  constructor(readonly start: number, caps: Caps) {
    super(caps);
    this.addresses = new TopK(caps.addresses);
  }

  addBucket(o: Bucket | FrozenBucket): void {
    this.addTables(o);
    this.addresses.merge(o.addresses);
    this.distinct.merge(o.distinct.registers);
  }

  /**
   * The bucket trimmed to its caps, for reading only: a closed second or minute is kept for up to an hour, and
   * frozen it takes about half the memory (see TallyTable.freeze).
   */
  freeze(): FrozenBucket {
    return new FrozenBucket(this);
  }

  /** The bucket as plain data (numbers, strings, typed arrays), to hand to another thread. */
  toData(): BucketData {
    const tables = {} as BucketData['tables'];
    for (const name of TABLE_NAMES) tables[name] = (this[name] as TallyTable<string | number>).toData();
    return { start: this.start, totals: { ...this.totals }, tables, addresses: this.addresses.toData(), distinct: this.distinct.registers };
  }

  static fromData(d: BucketData, caps: Caps): Bucket {
    const b = new Bucket(d.start, caps);
    Object.assign(b.totals, d.totals);
    for (const name of TABLE_NAMES) (b[name] as TallyTable<string | number>).addData(d.tables[name]);
    b.addresses.mergeData(d.addresses);
    b.distinct.merge(d.distinct);
    return b;
  }
}

/** A closed second or minute (Bucket.freeze): its tables frozen, its sketches as they were. */
export class FrozenBucket {
  readonly start: number;
  readonly totals: Tables['totals'];
  readonly addresses: TopK;
  readonly distinct: HyperLogLog;
  readonly countries: FrozenTally<string>;
  readonly places: FrozenTally<string>;
  readonly asns: FrozenTally<number>;
  readonly ports: FrozenTally<string>;
  readonly protocols: FrozenTally<number>;
  readonly actions: FrozenTally<string>;
  readonly directions: FrozenTally<string>;
  readonly interfaces: FrozenTally<string>;
  readonly facts: FrozenTally<string>;
  readonly countryPorts: FrozenTally<string>;

  constructor(b: Bucket) {
    this.start = b.start;
    this.totals = { ...b.totals };
    this.addresses = b.addresses;
    this.distinct = b.distinct;
    this.countries = b.countries.freeze();
    this.places = b.places.freeze();
    this.asns = b.asns.freeze();
    this.ports = b.ports.freeze();
    this.protocols = b.protocols.freeze();
    this.actions = b.actions.freeze();
    this.directions = b.directions.freeze();
    this.interfaces = b.interfaces.freeze();
    this.facts = b.facts.freeze();
    this.countryPorts = b.countryPorts.freeze();
  }

  eachTable(f: (t: FrozenTally<string | number>) => void): void {
    for (const name of TABLE_NAMES) f(this[name] as FrozenTally<string | number>);
  }

  /** Shares the tables' text keys with other buckets through `pool`. */
  shareKeys(pool: KeyPool): void {
    this.eachTable((t) => t.shareKeys(pool));
  }
}

const TABLE_NAMES = ['countries', 'places', 'asns', 'ports', 'protocols', 'actions', 'directions', 'interfaces', 'facts', 'countryPorts'] as const;

/** What Bucket.toData gives: a bucket that survives structured cloning. */
export interface BucketData {
  start: number;
  totals: Tables['totals'];
  tables: Record<(typeof TABLE_NAMES)[number], TallyData<string | number>>;
  addresses: TopKData;
  distinct: Uint8Array;
}
