import { HyperLogLog } from './hll.js';
import { TallyTable } from './tally.js';
import { TopK } from './top-k.js';

/** One record as the live tables see it: the keys it counts under, and its measures. */
export interface LiveRecord {
  country: string;
  /** Place key (country, region, city) or null when the remote side has no city. */
  place: string | null;
  asn: number;
  address: string;
  addressHash: number;
  /** `protocol/local port`, e.g. `6/22`. */
  port: string;
  protocol: number;
  action: string;
  direction: string;
  iface: string;
  packets: number;
  bytes: number;
  reject: number;
}

/** Caps on distinct keys per table (beyond them, keys count as "(other)"). */
export interface Caps {
  countries: number;
  places: number;
  asns: number;
  ports: number;
  interfaces: number;
  countryPorts: number;
  addresses: number;
}

export const SECOND_CAPS: Caps = { countries: 300, places: 1000, asns: 1000, ports: 500, interfaces: 300, countryPorts: 1500, addresses: 64 };
export const WINDOW_CAPS: Caps = { countries: 300, places: 5000, asns: 5000, ports: 2000, interfaces: 1000, countryPorts: 6000, addresses: 256 };

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
  readonly countryPorts: TallyTable<string>;

  constructor(caps: Caps) {
    this.countries = new TallyTable(caps.countries);
    this.places = new TallyTable(caps.places);
    this.asns = new TallyTable(caps.asns);
    this.ports = new TallyTable(caps.ports);
    this.interfaces = new TallyTable(caps.interfaces);
    this.countryPorts = new TallyTable(caps.countryPorts);
  }

  add(r: LiveRecord): void {
    const { packets: p, bytes: b, reject: x } = r;
    this.totals.records++;
    this.totals.packets += p;
    this.totals.bytes += b;
    this.totals.rejects += x;
    this.countries.add(r.country, 1, p, b, x);
    if (r.place !== null) this.places.add(r.place, 1, p, b, x);
    this.asns.add(r.asn, 1, p, b, x);
    this.ports.add(r.port, 1, p, b, x);
    this.protocols.add(r.protocol, 1, p, b, x);
    this.actions.add(r.action, 1, p, b, x);
    this.directions.add(r.direction, 1, p, b, x);
    this.interfaces.add(r.iface, 1, p, b, x);
    this.countryPorts.add(`${r.country} ${r.port}`, 1, p, b, x);
  }

  addTables(o: Tables, sign: 1 | -1 = 1): void {
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
    this.countryPorts.addTable(o.countryPorts, sign);
  }
}

/** A second or a minute of records: the tables, plus the sketches that merge but do not subtract. */
export class Bucket extends Tables {
  readonly addresses: TopK;
  readonly distinct = new HyperLogLog();

  constructor(readonly start: number, caps: Caps) {
    super(caps);
    this.addresses = new TopK(caps.addresses);
  }

  override add(r: LiveRecord): void {
    super.add(r);
    this.addresses.add(r.address, 1, r.bytes, r.reject);
    this.distinct.addHash(r.addressHash);
  }

  addBucket(o: Bucket): void {
    this.addTables(o);
    this.addresses.merge(o.addresses);
    this.distinct.merge(o.distinct.registers);
  }
}
