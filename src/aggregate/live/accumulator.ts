import type { Located } from '../../enrich/enricher.js';
import { AddressCounts } from './addresses.js';
import { Bucket, factKey, SECOND_CAPS } from './bucket.js';
import { CellTable } from './cells.js';
import { HyperLogLog } from './hll.js';
import { KeyIndex } from './key-index.js';
import { OTHER } from './tally.js';
import type { PlaceInfo } from './summary.js';

const ACTIONS = ['-', 'ACCEPT', 'REJECT', '-'];
const ADDRESS_CAP = 8192;
const DIRECTIONS = ['-', 'inbound', 'outbound', 'internal', 'external'];

/** Cell slots flattened between two steps of a tick (a few milliseconds of work). */
const SLOTS_PER_STEP = 8192;

/** Interface id of the "(other)" interface that new combinations count under past the cap. */
const OTHER_IFACE = -1;

/**
 * The current second, shaped for the per-record hot path: counts keyed by three integers — the remote location's
 * id, a packed protocol/port/action/direction, and the interface — in an open-addressing table, so no string
 * or object is made per record. When the second closes it is flattened once into a Bucket with readable keys.
 */
export class SecondAccumulator {
  private readonly cells: CellTable;
  private readonly addresses = new AddressCounts(ADDRESS_CAP);
  readonly distinct = new HyperLogLog();
  flows = 0;
  nodata = 0;
  skipdata = 0;

  /** Starts with room for as many cells as the last second had (or `cells`), so a busy stream does not regrow it. */
  constructor(previous?: SecondAccumulator, cells = 0) {
    this.cells = new CellTable(Math.max(previous?.cells.capacityFor() ?? 1024, CellTable.capacityFor(cells)));
  }

  /** Distinct cells counted so far. */
  get cellCount(): number {
    return this.cells.size;
  }

  /**
   * `combo` packs protocol (8 bits), service port (16 bits), action (2 bits) and direction (3 bits); `ifaceId`
   * names `iface` (equal ids, equal texts); `address` is an IPv4 as uint32 or an IPv6 as text.
   */
  add(remote: Located, combo: number, iface: string, ifaceId: number, address: number | string, addressHash: number,
    packets: number, bytes: number, reject: number): void {
    const cells = this.cells;
    // Bounded: past the cap, new combinations of this second count under the interface "(other)".
    let slot = cells.size < SECOND_CAPS.facts ? cells.slot(remote, combo, ifaceId, iface) : cells.find(remote, combo, ifaceId);
    if (slot < 0) slot = cells.slot(remote, combo, OTHER_IFACE, OTHER);
    const c = cells.rows;
    const o = cells.countsOf(slot);
    c[o]++;
    c[o + 1] += packets;
    c[o + 2] += bytes;
    c[o + 3] += reject;
    if (typeof address === 'number') this.addresses.addV4(address, bytes, reject);
    else this.addresses.addV6(address, bytes, reject);
    this.distinct.addHash(addressHash);
  }

  /**
   * Flattens the second into a Bucket, noting place names and organisations for the summaries. A second can hold
   * tens of thousands of cells, so cells are first summed under integer keys per table (by location, by combo, by
   * interface…) and readable keys are made once per distinct key, not per cell. It runs in steps (a generator
   * that returns the Bucket), so the caller can let other work run between slices of cells.
   */
  *close(start: number, places: Map<string, PlaceInfo>, orgs: Map<number, string | null>,
    formatAddress: (a: number) => string): Generator<void, Bucket> {
    const b = new Bucket(start, SECOND_CAPS);
    b.totals.flows = this.flows;
    b.totals.nodata = this.nodata;
    b.totals.skipdata = this.skipdata;
    const cells = this.cells;
    const byLocation = new Sums<Located>(cells.size);
    const byCombo = new Sums<number>();
    const byInterface = new Sums<string>();
    const byCountryPort = new Sums<string>();
    // A slice of cells a step, so the caller can let other work run between slices.
    for (let from = 0; from < cells.capacity; from += SLOTS_PER_STEP) {
      sumSlots(cells, from, Math.min(cells.capacity, from + SLOTS_PER_STEP), byLocation, byCombo, byInterface, byCountryPort);
      yield;
    }
    const inFacts = yield* this.addFacts(b);
    addLocations(b, byLocation);
    byCombo.each((combo, n, p, by, x) => {
      const protocol = combo >>> 21;
      b.ports.add(portName(combo), n, p, by, x);
      b.protocols.add(protocol === 255 ? -1 : protocol, n, p, by, x);
      b.actions.add(ACTIONS[(combo >>> 3) & 3], n, p, by, x);
      b.directions.add(DIRECTIONS[combo & 7], n, p, by, x);
      b.totals.records += n;
      b.totals.packets += p;
      b.totals.bytes += by;
      b.totals.rejects += x;
    });
    yield;
    byInterface.each((iface, n, p, by, x) => b.interfaces.add(iface, n, p, by, x));
    byCountryPort.each((country, n, p, by, x, key) => {
      b.countryPorts.add(`${country} ${portName((key % 2 ** 24) << 5)}`, n, p, by, x);
    });
    this.addresses.rankInto(b.addresses, formatAddress);
    b.distinct.merge(this.distinct.registers);
    byLocation.each((loc) => noteNames(b, loc, inFacts.has(loc), places, orgs));
    return b;
  }

  /**
   * Cells into the bucket's fact rows, largest first: a busy second has many more cells than the table has rows,
   * and the rows should go to the cells that carry the traffic, not to the first ones in hash order.
   */
  private *addFacts(b: Bucket): Generator<void, Set<Located>> {
    const facts = new FactIndex(b, this.cells.size);
    const cells = this.cells;
    const least = largestCount(cells, b.facts.cap);
    for (const big of [true, false]) {
      for (let from = 0; from < cells.capacity; from += SLOTS_PER_STEP) {
        facts.addSlots(cells, from, Math.min(cells.capacity, from + SLOTS_PER_STEP), least, big);
        yield;
      }
    }
    facts.flush();
    return facts.named;
  }
}

/**
 * Locations' counts into the bucket's country, place and ASN tables, summed by country, place and ASN first: a
 * busy second has thousands of locations, and a table's key is a text it hashes (a place's is long).
 */
function addLocations(b: Bucket, byLocation: Sums<Located>): void {
  const byCountry = new Sums<string>();
  const byPlace = new Sums<string>();
  const byAsn = new Sums<number>();
  byLocation.each((loc, n, p, by, x) => {
    const g = loc.geo;
    byCountry.addCounts(loc.countryId, g.country_code ?? '??', n, p, by, x);
    if (loc.placeId !== 0) byPlace.addCounts(loc.placeId, loc.placeKey, n, p, by, x);
    byAsn.addCounts(g.asn ?? 0, g.asn ?? 0, n, p, by, x);
  });
  byCountry.each((code, n, p, by, x) => b.countries.add(code, n, p, by, x));
  byPlace.each((place, n, p, by, x) => b.places.add(place, n, p, by, x));
  byAsn.each((asn, n, p, by, x) => b.asns.add(asn, n, p, by, x));
}

/**
 * Notes the place and organisation names of a location that a row of the bucket uses (its place, its AS number, or
 * a fact of it): a busy second meets thousands more places than its tables keep, and their names went to the main
 * thread every second for nothing.
 */
function noteNames(b: Bucket, loc: Located, inFacts: boolean, places: Map<string, PlaceInfo>, orgs: Map<number, string | null>): void {
  const g = loc.geo;
  if (loc.placeId !== 0 && !places.has(loc.placeKey) && (inFacts || b.places.has(loc.placeKey))) {
    places.set(loc.placeKey, { country_code: g.country_code, region: g.region, city: g.city, latitude: g.latitude, longitude: g.longitude });
  }
  const asn = g.asn ?? 0;
  if (!orgs.has(asn) && (inFacts || b.asns.has(asn))) orgs.set(asn, g.as_org);
}

/** Sums the used cells among slots [from, to) by location, combo, interface and (country, port). */
function sumSlots(cells: CellTable, from: number, to: number, byLocation: Sums<Located>, byCombo: Sums<number>,
  byInterface: Sums<string>, byCountryPort: Sums<string>): void {
  const c = cells.rows;
  for (let slot = from; slot < to; slot++) {
    const loc = cells.locations[slot];
    if (loc === undefined) continue;
    const o = cells.countsOf(slot);
    const combo = cells.comboOf(slot);
    byLocation.add(loc.id, loc, c, o);
    byCombo.add(combo, combo, c, o);
    byInterface.add(cells.interfaceIdOf(slot), cells.interfaces[slot], c, o);
    byCountryPort.add(loc.countryId * 2 ** 24 + (combo >>> 5), loc.geo.country_code ?? '??', c, o);
  }
}

/** The four counts of cells summed under an integer key, in first-seen order, with the value first given for it. */
class Sums<V> {
  private readonly index: KeyIndex;
  private readonly values: V[] = [];
  private readonly keys: number[] = [];
  private readonly sums: number[] = [];

  constructor(expected?: number) {
    this.index = new KeyIndex(expected);
  }

  /** Adds the four counts at c[o…]. */
  add(key: number, value: V, c: Float64Array, o: number): void {
    this.addCounts(key, value, c[o], c[o + 1], c[o + 2], c[o + 3]);
  }

  addCounts(key: number, value: V, records: number, packets: number, bytes: number, rejects: number): void {
    const i = this.index.index(key);
    if (i === this.values.length) {
      this.values.push(value);
      this.keys.push(key);
      this.sums.push(0, 0, 0, 0);
    }
    const s = this.sums;
    const j = i * 4;
    s[j] += records;
    s[j + 1] += packets;
    s[j + 2] += bytes;
    s[j + 3] += rejects;
  }

  each(f: (value: V, records: number, packets: number, bytes: number, rejects: number, key: number) => void): void {
    const s = this.sums;
    for (let i = 0; i < this.values.length; i++) f(this.values[i], s[4 * i], s[4 * i + 1], s[4 * i + 2], s[4 * i + 3], this.keys[i]);
  }
}

/**
 * The bucket's fact rows, found by integers: (place or country, ASN) and (combo, interface) each make one number,
 * and their pair one index, so a cell costs a hash and no string. Fact keys are texts (see factKey), made once per
 * new fact; cells are summed per fact here and each fact goes to the bucket's table once (`flush`).
 */
class FactIndex {
  /** Locations some fact row names (their place and organisation names are needed). */
  readonly named = new Set<Located>();
  private readonly index: KeyIndex;
  /** Facts whose place does not fit one number beside its ASN (never, for the data we know), by text. */
  private readonly byText = new Map<string, number>();
  /** Interface ids numbered 0, 1, 2… for this second, so one fits beside a combo. */
  private readonly interfaces = new KeyIndex();
  /** Fact keys (up to the table's cap) and their four counts each; the rest is summed in `other`. */
  private readonly keys: string[] = [];
  private readonly sums: number[] = [];
  private readonly other = [0, 0, 0, 0];

  constructor(private readonly bucket: Bucket, cells: number) {
    this.index = new KeyIndex(Math.min(cells, bucket.facts.cap));
  }

  /** Adds the used cells among slots [from, to) with at least `least` records (`big`) or with fewer. */
  addSlots(cells: CellTable, from: number, to: number, least: number, big: boolean): void {
    const c = cells.rows;
    for (let slot = from; slot < to; slot++) {
      const loc = cells.locations[slot];
      if (loc === undefined) continue;
      const o = cells.countsOf(slot);
      if ((c[o] >= least) === big) this.add(loc, cells.comboOf(slot), cells.interfaceIdOf(slot), cells.interfaces[slot], c, o);
    }
  }

  private add(loc: Located, combo: number, ifaceId: number, iface: string, c: Float64Array, o: number): void {
    const g = loc.geo;
    const at = loc.placeId !== 0 ? loc.placeId * 2 : loc.countryId * 2 + 1;
    const what = combo * 2 ** 24 + this.interfaces.index(ifaceId);
    // Once the table is full, a new fact goes to OTHER: it is only looked up, not made.
    const full = this.keys.length >= this.bucket.facts.cap;
    let i: number;
    if (at < 2 ** 21) {
      const where = (g.asn ?? 0) * 2 ** 21 + at;
      i = full ? this.index.find(where, what) : this.index.index(where, what);
    } else {
      const text = `${g.asn ?? 0}:${at}:${what}`;
      i = this.byText.get(text) ?? -1;
      if (i < 0 && !full) this.byText.set(text, (i = this.index.index(-1 - this.byText.size, -1)));
    }
    if (i === this.keys.length) this.name(loc, combo, iface);
    const s = i < 0 ? this.other : this.sums;
    const j = i < 0 ? 0 : i * 4;
    s[j] += c[o];
    s[j + 1] += c[o + 1];
    s[j + 2] += c[o + 2];
    s[j + 3] += c[o + 3];
  }

  /** Adds every fact to the bucket's table. */
  flush(): void {
    const facts = this.bucket.facts;
    const s = this.sums;
    for (let i = 0; i < this.keys.length; i++) facts.add(this.keys[i], s[4 * i], s[4 * i + 1], s[4 * i + 2], s[4 * i + 3]);
    const x = this.other;
    if (x[0] > 0 || x[1] > 0 || x[2] > 0 || x[3] > 0) facts.add(OTHER, x[0], x[1], x[2], x[3]);
  }

  private name(loc: Located, combo: number, iface: string): void {
    this.sums.push(0, 0, 0, 0);
    const g = loc.geo;
    const protocol = combo >>> 21;
    this.keys.push(factKey({
      country: g.country_code ?? '??', place: loc.placeId !== 0 ? loc.placeKey : null, asn: g.asn ?? 0,
      port: portName(combo), protocol: protocol === 255 ? -1 : protocol, action: ACTIONS[(combo >>> 3) & 3],
      direction: DIRECTIONS[combo & 7], iface,
    }));
    this.named.add(loc);
  }
}

/** The fewest records a cell needs to be among the `n` largest (ties make it a few more); counts from 1024 up are one class. */
function largestCount(cells: CellTable, n: number): number {
  const classes = new Uint32Array(1025);
  const c = cells.rows;
  for (let slot = 0; slot < cells.capacity; slot++) {
    if (cells.locations[slot] !== undefined) classes[Math.min(1024, c[cells.countsOf(slot)])]++;
  }
  let count = 0;
  for (let v = 1024; v > 1; v--) {
    count += classes[v];
    if (count >= n) return v;
  }
  return 1;
}

/** Protocol/port names by the protocol and port bits of a combo: a few hundred texts shared by every second. */
const portNames = new Map<number, string>();
function portName(combo: number): string {
  const bits = combo >>> 5;
  let name = portNames.get(bits);
  if (name === undefined) {
    const protocol = bits >>> 16;
    const port = bits & 0xffff;
    name = `${protocol === 255 ? -1 : protocol}/${port === 0xffff ? '-' : port}`;
    if (portNames.size >= 100_000) portNames.clear();
    portNames.set(bits, name);
  }
  return name;
}

/** Packs the small keys of a record into one integer (see SecondAccumulator.add). */
export function packCombo(protocol: number, port: number, action: number, direction: number): number {
  const p = protocol >= 0 && protocol < 255 ? protocol : 255;
  const q = port >= 0 && port < 0xffff ? port : 0xffff;
  return ((p << 21) | (q << 5) | ((action & 3) << 3) | (direction & 7)) >>> 0;
}
