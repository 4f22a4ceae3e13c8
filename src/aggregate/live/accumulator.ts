import type { Located } from '../../enrich/enricher.js';
import { Bucket, SECOND_CAPS, type LiveRecord } from './bucket.js';
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

/**
 * The current second, shaped for the per-record hot path: counts keyed by the remote's location object (one
 * identity lookup), then a small integer for protocol, port, action and direction, then the interface — three
 * cheap Map lookups and no string built per record. When the second closes it is flattened once into a Bucket
 * with readable keys.
 */
export class SecondAccumulator {
  private cells = new Map<Located, Map<number, Map<string, Cell>>>();
  private combos = 0;
  /** Records per remote address: numbers for IPv4, text for IPv6. */
  private addresses = new Map<number | string, Cell>();
  readonly distinct = new HyperLogLog();
  flows = 0;
  nodata = 0;
  skipdata = 0;

  /** `combo` packs protocol (8 bits), service port (16 bits), action (2 bits) and direction (3 bits). */
  add(remote: Located, combo: number, iface: string, address: number | string, addressHash: number,
    packets: number, bytes: number, reject: number): void {
    let byCombo = this.cells.get(remote);
    if (byCombo === undefined) this.cells.set(remote, (byCombo = new Map()));
    let byIface = byCombo.get(combo);
    if (byIface === undefined) byCombo.set(combo, (byIface = new Map()));
    let cell = byIface.get(iface);
    if (cell === undefined) {
      // Bounded: past the cap, new combinations of this second count under the interface "(other)".
      const key = this.combos >= SECOND_CAPS.facts ? '(other)' : iface;
      cell = byIface.get(key);
      if (cell === undefined) {
        byIface.set(key, (cell = { records: 0, packets: 0, bytes: 0, rejects: 0 }));
        this.combos++;
      }
    }
    cell.records++;
    cell.packets += packets;
    cell.bytes += bytes;
    cell.rejects += reject;
    let a = this.addresses.get(address);
    // Bounded: past the cap, a second's new addresses are not ranked (they still count everywhere else).
    if (a === undefined && this.addresses.size < ADDRESS_CAP) this.addresses.set(address, (a = { records: 0, packets: 0, bytes: 0, rejects: 0 }));
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
    for (const [loc, byCombo] of this.cells) {
      const g = loc.geo;
      r.country = g.country_code ?? '??';
      r.place = g.city === null && g.latitude === null ? null : loc.placeKey;
      if (r.place !== null && !places.has(r.place)) {
        places.set(r.place, { country_code: g.country_code, region: g.region, city: g.city, latitude: g.latitude, longitude: g.longitude });
      }
      r.asn = g.asn ?? 0;
      if (!orgs.has(r.asn)) orgs.set(r.asn, g.as_org);
      for (const [combo, byIface] of byCombo) {
        const protocol = combo >>> 21;
        const port = (combo >>> 5) & 0xffff;
        r.protocol = protocol === 255 ? -1 : protocol;
        r.port = `${r.protocol}/${port === 0xffff ? '-' : port}`;
        r.action = ACTIONS[(combo >>> 3) & 3];
        r.direction = DIRECTIONS[combo & 7];
        for (const [iface, cell] of byIface) {
          r.iface = iface;
          b.addCounts(r, cell.records, cell.packets, cell.bytes, cell.rejects);
        }
      }
    }
    for (const [address, a] of this.addresses) {
      b.addresses.add(typeof address === 'number' ? formatAddress(address) : address, a.records, a.bytes, a.rejects);
    }
    b.distinct.merge(this.distinct.registers);
    return b;
  }
}

/** Packs the small keys of a record into one integer (see SecondAccumulator.add). */
export function packCombo(protocol: number, port: number, action: number, direction: number): number {
  const p = protocol >= 0 && protocol < 255 ? protocol : 255;
  const q = port >= 0 && port < 0xffff ? port : 0xffff;
  return ((p << 21) | (q << 5) | ((action & 3) << 3) | (direction & 7)) >>> 0;
}
