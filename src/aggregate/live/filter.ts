import { factParts, type FrozenBucket, Tables, WINDOW_CAPS } from './bucket.js';
import { OTHER, type Tally, type TallyTable } from './tally.js';

/** What a view can be narrowed to; absent fields match everything. */
export interface LiveFilter {
  country?: string;
  place?: string;
  asn?: number;
  protocol?: number;
  port?: number;
  action?: string;
  direction?: string;
  iface?: string;
}

/** A fact key split into its parts, or null when it does not match the filter. */
export function matchFact(key: string, f: LiveFilter): string[] | null {
  const [country, place, asn, port, action, direction, iface] = factParts(key);
  if (f.country !== undefined && country !== f.country) return null;
  if (f.place !== undefined && place !== f.place) return null;
  if (f.asn !== undefined && Number(asn) !== f.asn) return null;
  if (f.action !== undefined && action !== f.action) return null;
  if (f.direction !== undefined && direction !== f.direction) return null;
  if (f.iface !== undefined && iface !== f.iface) return null;
  if (f.protocol !== undefined || f.port !== undefined) {
    const [proto, local] = port.split('/');
    if (f.protocol !== undefined && Number(proto) !== f.protocol) return null;
    if (f.port !== undefined && Number(local) !== f.port) return null;
  }
  return [country, place, asn, port, action, direction, iface];
}

/**
 * Tables holding only what matches a filter (totals.flows and status counts are not filterable). They are made
 * from the facts (every combination of the dimensions), which a busy window holds only its largest of; so when a
 * table of the window counts the filter's records on its own (`exactly`), the totals come from there, and what the
 * facts could not break down is counted under OTHER in every table. A country's places and ports come from the
 * window's per-country tables (see fromCountryTables).
 */
export function filterTables(source: Tables, f: LiveFilter): Tables {
  const out = new Tables(WINDOW_CAPS);
  const sum = out.totals;
  const country = given(f) === 'country';
  if (country) fromCountryTables(source, out, f.country!);
  source.facts.forEach((key, n, p, by, x) => {
    if (key === OTHER) return;
    const parts = matchFact(key, f);
    if (parts === null) return;
    const [cc, place, asn, port, action, direction, iface] = parts;
    sum.records += n;
    sum.packets += p;
    sum.bytes += by;
    sum.rejects += x;
    out.countries.add(cc, n, p, by, x);
    out.asns.add(Number(asn), n, p, by, x);
    out.actions.add(action, n, p, by, x);
    out.directions.add(direction, n, p, by, x);
    out.interfaces.add(iface, n, p, by, x);
    out.facts.add(key, n, p, by, x);
    if (country) return;
    if (place !== '') out.places.add(place, n, p, by, x);
    out.ports.add(port, n, p, by, x);
    out.protocols.add(Number(port.split('/')[0]), n, p, by, x);
    out.countryPorts.add(`${cc} ${port}`, n, p, by, x);
  });
  const exact = exactly(source, f);
  if (exact !== undefined && exact.records > sum.records) Object.assign(sum, exact);
  // What a table could not break down is OTHER's, or the filtered key's where the filter names one. Places are left
  // as they are: records located no closer than a country have no place, so that table never adds up to the total.
  const known = new Map(ownKeys(out, f));
  for (const table of [out.countries, out.asns, out.ports, out.protocols, out.actions, out.directions, out.interfaces,
    out.facts, out.countryPorts] as AnyTable[]) {
    const has = table.sum();
    if (sum.records > has.records) {
      table.add(known.get(table) ?? OTHER, sum.records - has.records, Math.max(0, sum.packets - has.packets),
        Math.max(0, sum.bytes - has.bytes), Math.max(0, sum.rejects - has.rejects));
    }
  }
  return out;
}

/** The tables whose key a filter fixes, with that key. */
type AnyTable = TallyTable<string | number>;

function ownKeys(t: Tables, f: LiveFilter): Array<[AnyTable, string | number]> {
  const own: Array<[AnyTable, string | number]> = [];
  if (f.country !== undefined) own.push([t.countries, f.country]);
  if (f.place !== undefined) own.push([t.places, f.place]);
  if (f.asn !== undefined) own.push([t.asns, f.asn]);
  if (f.protocol !== undefined) own.push([t.protocols, f.protocol]);
  if (f.protocol !== undefined && f.port !== undefined) own.push([t.ports, `${f.protocol}/${f.port}`]);
  if (f.country !== undefined && f.protocol !== undefined && f.port !== undefined) own.push([t.countryPorts, `${f.country} ${f.protocol}/${f.port}`]);
  if (f.action !== undefined) own.push([t.actions, f.action]);
  if (f.direction !== undefined) own.push([t.directions, f.direction]);
  if (f.iface !== undefined) own.push([t.interfaces, f.iface]);
  return own;
}

/** Records, packets, bytes and rejects that match a filter: exact where a table counts it, else from the facts. */
export function filterTotals(source: Tables | FrozenBucket, f: LiveFilter): Tally {
  const sum = { records: 0, packets: 0, bytes: 0, rejects: 0 };
  source.facts.forEach((key, n, p, by, x) => {
    if (key === OTHER || matchFact(key, f) === null) return;
    sum.records += n;
    sum.packets += p;
    sum.bytes += by;
    sum.rejects += x;
  });
  const exact = exactly(source, f);
  return exact !== undefined && exact.records > sum.records ? exact : sum;
}

/**
 * What a window's own tables count for a filter, when one of them counts exactly its records: one dimension
 * (country, place, AS number, protocol, action, direction, interface), a protocol and port, or those with a
 * country. A row is never above the truth, so this is the better of two lower bounds.
 */
function exactly(t: Tables | FrozenBucket, f: LiveFilter): Tally | undefined {
  switch (given(f)) {
    case 'country': return t.countries.get(f.country!);
    case 'place': return t.places.get(f.place!);
    case 'asn': return t.asns.get(f.asn!);
    case 'protocol': return t.protocols.get(f.protocol!);
    case 'action': return t.actions.get(f.action!);
    case 'direction': return t.directions.get(f.direction!);
    case 'iface': return t.interfaces.get(f.iface!);
    case 'port,protocol': return t.ports.get(`${f.protocol}/${f.port}`);
    case 'country,port,protocol': return t.countryPorts.get(`${f.country} ${f.protocol}/${f.port}`);
    default: return undefined;
  }
}

/** The fields a filter sets, sorted and comma-joined. */
function given(f: LiveFilter): string {
  return Object.entries(f).filter(([, v]) => v !== undefined).map(([k]) => k).sort().join(',');
}

/**
 * Narrowed to a country, the places and ports need no facts: a place key starts with its country, and the window
 * counts ports per country. Those tables keep the window's busiest rows, where the facts (every combination) keep
 * only a busy window's largest combinations. `out` gets them before any fact.
 */
function fromCountryTables(source: Tables, out: Tables, country: string): void {
  source.places.forEach((key, n, p, by, x) => {
    if (key !== OTHER && key.startsWith(`${country}\t`)) out.places.add(key, n, p, by, x);
  });
  source.countryPorts.forEach((key, n, p, by, x) => {
    if (key === OTHER || !key.startsWith(`${country} `)) return;
    const port = key.slice(country.length + 1);
    out.ports.add(port, n, p, by, x);
    out.protocols.add(Number(port.split('/')[0]), n, p, by, x);
    out.countryPorts.add(key, n, p, by, x);
  });
}
