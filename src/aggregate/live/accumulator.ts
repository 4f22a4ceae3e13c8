import type { Located } from '../../enrich/enricher.js';
import { Bucket, SECOND_CAPS, type LiveRecord } from './bucket.js';
import { CELL_WIDTH, CellTable } from './cells.js';
import { HyperLogLog } from './hll.js';
import type { PlaceInfo } from './summary.js';

const ACTIONS = ['-', 'ACCEPT', 'REJECT', '-'];
const ADDRESS_CAP = 8192;
const DIRECTIONS = ['-', 'inbound', 'outbound', 'internal', 'external'];

interface Cell {
  records: number;
  packets: number;
  bytes: number;
  rejects: number;
}

/** Interface id of the "(other)" interface that new combinations count under past the cap. */
const OTHER = -1;

/**
 * The current second, shaped for the per-record hot path: counts keyed by three integers — the remote's location
 * object, a packed protocol/port/action/direction, and the interface — in an open-addressing table, so no string
 * or object is made per record. When the second closes it is flattened once into a Bucket with readable keys.
 */
export class SecondAccumulator {
  private readonly cells = new CellTable();
  /** Records per remote address: IPv4 as int32 (a small integer to V8, unlike a uint32 above 2^31), IPv6 as text. */
  private addresses = new Map<number | string, Cell>();
  readonly distinct = new HyperLogLog();
  flows = 0;
  nodata = 0;
  skipdata = 0;

  /**
   * `combo` packs protocol (8 bits), service port (16 bits), action (2 bits) and direction (3 bits); `ifaceId`
   * names `iface` (equal ids, equal texts); `address` is an IPv4 as uint32 or an IPv6 as text.
   */
  add(remote: Located, combo: number, iface: string, ifaceId: number, address: number | string, addressHash: number,
    packets: number, bytes: number, reject: number): void {
    const cells = this.cells;
    // Bounded: past the cap, new combinations of this second count under the interface "(other)".
    let slot = cells.size < SECOND_CAPS.facts ? cells.slot(remote, combo, ifaceId, iface) : cells.find(remote, combo, ifaceId);
    if (slot < 0) slot = cells.slot(remote, combo, OTHER, '(other)');
    const c = cells.counts;
    const o = slot * CELL_WIDTH;
    c[o]++;
    c[o + 1] += packets;
    c[o + 2] += bytes;
    c[o + 3] += reject;
    const key = typeof address === 'number' ? address | 0 : address;
    let a = this.addresses.get(key);
    // Bounded: past the cap, a second's new addresses are not ranked (they still count everywhere else).
    if (a === undefined && this.addresses.size < ADDRESS_CAP) this.addresses.set(key, (a = { records: 0, packets: 0, bytes: 0, rejects: 0 }));
    if (a !== undefined) {
      a.records++;
      a.bytes += bytes;
      a.rejects += reject;
    }
    this.distinct.addHash(addressHash);
  }

  /** Flattens the second into a Bucket, noting place names and organisations for the summaries. */
  close(start: number, places: Map<string, PlaceInfo>, orgs: Map<number, string | null>, formatAddress: (a: number) => string): Bucket {
    const b = new Bucket(start, SECOND_CAPS);
    b.totals.flows = this.flows;
    b.totals.nodata = this.nodata;
    b.totals.skipdata = this.skipdata;
    const r: LiveRecord = { country: '', place: null, asn: 0, port: '', protocol: 0, action: '', direction: '', iface: '' };
    const cells = this.cells;
    const c = cells.counts;
    for (const slot of cells.used()) {
      const loc = cells.locations[slot]!;
      const g = loc.geo;
      r.country = g.country_code ?? '??';
      r.place = g.city === null && g.latitude === null ? null : loc.placeKey;
      if (r.place !== null && !places.has(r.place)) {
        places.set(r.place, { country_code: g.country_code, region: g.region, city: g.city, latitude: g.latitude, longitude: g.longitude });
      }
      r.asn = g.asn ?? 0;
      if (!orgs.has(r.asn)) orgs.set(r.asn, g.as_org);
      const combo = cells.comboOf(slot);
      const protocol = combo >>> 21;
      r.protocol = protocol === 255 ? -1 : protocol;
      r.port = portName(combo);
      r.action = ACTIONS[(combo >>> 3) & 3];
      r.direction = DIRECTIONS[combo & 7];
      r.iface = cells.interfaces[slot];
      const o = slot * CELL_WIDTH;
      b.addCounts(r, c[o], c[o + 1], c[o + 2], c[o + 3]);
    }
    for (const [address, a] of this.addresses) {
      b.addresses.add(typeof address === 'number' ? formatAddress(address >>> 0) : address, a.records, a.bytes, a.rejects);
    }
    b.distinct.merge(this.distinct.registers);
    return b;
  }
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
