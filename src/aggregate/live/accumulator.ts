import type { Located } from '../../enrich/enricher.js';
import { AddressCounts } from './addresses.js';
import { Bucket, factKey, SECOND_CAPS } from './bucket.js';
import { CellTable } from './cells.js';
import { HyperLogLog } from './hll.js';
import { OTHER } from './tally.js';
import type { PlaceInfo } from './summary.js';
import type { Counter } from './top-k.js';

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
    const byLocation = new Sums<Located>();
    const byCombo = new Sums<number>();
    const byInterface = new Sums<string>();
    const byCountryPort = new Sums<number>();
    const cells = this.cells;
    const c = cells.rows;
    for (let slot = 0; slot < cells.capacity; slot++) {
      if ((slot & (SLOTS_PER_STEP - 1)) === SLOTS_PER_STEP - 1) yield;
      const loc = cells.locations[slot];
      if (loc === undefined) continue;
      const o = cells.countsOf(slot);
      const combo = cells.comboOf(slot);
      byLocation.add(loc, c, o);
      byCombo.add(combo, c, o);
      byInterface.add(cells.interfaces[slot], c, o);
      byCountryPort.add(loc.countryId * 2 ** 24 + (combo >>> 5), c, o, loc.geo.country_code ?? '??');
    }
    const inFacts = yield* this.addFacts(b);
    byLocation.each((loc, n, p, by, x) => this.addLocation(b, loc, n, p, by, x));
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
    byCountryPort.each((key, n, p, by, x, country) => {
      b.countryPorts.add(`${country} ${portName((key % 2 ** 24) << 5)}`, n, p, by, x);
    });
    const counted: Counter[] = [];
    this.addresses.forEach((address, records, bytes, rejects) => {
      counted.push({ key: typeof address === 'number' ? formatAddress(address) : address, records, bytes, rejects });
    });
    b.addresses.addAll(counted);
    b.addresses.unranked(this.addresses.unranked);
    b.distinct.merge(this.distinct.registers);
    byLocation.each((loc) => noteNames(b, loc, inFacts.has(loc), places, orgs));
    return b;
  }

  /**
   * Cells into the bucket's fact rows, largest first: a busy second has many more cells than the table has rows,
   * and the rows should go to the cells that carry the traffic, not to the first ones in hash order.
   */
  private *addFacts(b: Bucket): Generator<void, Set<Located>> {
    const facts = new FactIndex(b);
    const cells = this.cells;
    const c = cells.rows;
    const least = largestCount(cells, b.facts.cap);
    for (const big of [true, false]) {
      for (let slot = 0; slot < cells.capacity; slot++) {
        if ((slot & (SLOTS_PER_STEP - 1)) === SLOTS_PER_STEP - 1) yield;
        const loc = cells.locations[slot];
        if (loc === undefined) continue;
        const o = cells.countsOf(slot);
        if ((c[o] >= least) === big) facts.add(loc, cells.comboOf(slot), cells.interfaces[slot], c, o);
      }
    }
    return facts.named;
  }

  private addLocation(b: Bucket, loc: Located, n: number, p: number, by: number, x: number): void {
    const g = loc.geo;
    b.countries.add(g.country_code ?? '??', n, p, by, x);
    if (loc.placeId !== 0) b.places.add(loc.placeKey, n, p, by, x);
    b.asns.add(g.asn ?? 0, n, p, by, x);
  }
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

/** The four counts of a cell summed under a key, in first-seen order, with a note kept from the first. */
class Sums<K> {
  private readonly index = new Map<K, number>();
  private readonly keys: K[] = [];
  private readonly notes: string[] = [];
  private readonly sums: number[] = [];

  add(key: K, c: Float64Array, o: number, note = ''): void {
    let i = this.index.get(key);
    if (i === undefined) {
      this.index.set(key, (i = this.keys.length));
      this.keys.push(key);
      this.notes.push(note);
      this.sums.push(0, 0, 0, 0);
    }
    const s = this.sums;
    const j = i * 4;
    s[j] += c[o];
    s[j + 1] += c[o + 1];
    s[j + 2] += c[o + 2];
    s[j + 3] += c[o + 3];
  }

  each(f: (key: K, records: number, packets: number, bytes: number, rejects: number, note: string) => void): void {
    const s = this.sums;
    for (let i = 0; i < this.keys.length; i++) f(this.keys[i], s[4 * i], s[4 * i + 1], s[4 * i + 2], s[4 * i + 3], this.notes[i]);
  }
}

/**
 * The bucket's fact rows, found by integers: (place or country, ASN) and (combo, interface) each make one number,
 * so a cell whose fact is already there, or that can only go to "(other)" because the table is full, costs two
 * Map lookups and no string. Fact keys are texts (see factKey) made once per new fact.
 */
class FactIndex {
  /** Locations some fact row names (their place and organisation names are needed). */
  readonly named = new Set<Located>();
  private readonly rows = new Map<number | string, Map<number, string>>();
  private readonly interfaces = new Map<string, number>();

  constructor(private readonly bucket: Bucket) {}

  add(loc: Located, combo: number, iface: string, c: Float64Array, o: number): void {
    const g = loc.geo;
    const at = loc.placeId !== 0 ? loc.placeId * 2 : loc.countryId * 2 + 1;
    // One number while the place fits 21 bits beside a 32-bit ASN (always, for the data we know), else text.
    const where = at < 2 ** 21 ? (g.asn ?? 0) * 2 ** 21 + at : `${g.asn ?? 0}:${at}`;
    let ifaceNo = this.interfaces.get(iface);
    if (ifaceNo === undefined) this.interfaces.set(iface, (ifaceNo = this.interfaces.size));
    const what = combo * 2 ** 24 + ifaceNo;
    let byWhat = this.rows.get(where);
    if (byWhat === undefined) this.rows.set(where, (byWhat = new Map()));
    let key = byWhat.get(what);
    const facts = this.bucket.facts;
    if (key === undefined) {
      if (facts.size >= facts.cap) key = OTHER;
      else {
        const protocol = combo >>> 21;
        key = factKey({
          country: g.country_code ?? '??', place: loc.placeId !== 0 ? loc.placeKey : null, asn: g.asn ?? 0,
          port: portName(combo), protocol: protocol === 255 ? -1 : protocol, action: ACTIONS[(combo >>> 3) & 3],
          direction: DIRECTIONS[combo & 7], iface,
        });
        this.named.add(loc);
      }
      byWhat.set(what, key);
    }
    facts.add(key, c[o], c[o + 1], c[o + 2], c[o + 3]);
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
