import { DIRECTION_NAMES } from '../classify/endpoints.js';
import type { Located } from '../enrich/enricher.js';
import type { FlowView } from '../enrich/flow-view.js';
import { Action, ADDR_NONE, ADDR_V4, type FlowLine } from '../parse/line.js';

/** A group key part: a primitive, so nested Maps can hash it cheaply. */
export type KeyPart = string | number | null;

/**
 * A dimension a report can group by: how to read its key from a record, and how to show the key. Keys are chosen
 * to be cheap (numbers, shared strings) and shown only once per group at the end.
 */
export interface Dimension {
  readonly name: string;
  key(line: FlowLine, view: FlowView): KeyPart;
  /** The key as shown in the report (null shows as "-" in TSV/CSV and null in JSON). */
  show(key: KeyPart): string | number | null;
  /**
   * The same key as an integer in [0, radix) when it is cheap to have one (equal keys, equal codes; null is 0), or
   * -1 when this record's key has none. Lets a group be found with one number-keyed lookup.
   */
  code?(line: FlowLine, view: FlowView): number;
  readonly radix?: number;
}

const asIs = (key: KeyPart) => key;
/** An interned id as a code, or -1 (no code: the nested maps answer) once there are more ids than the radix holds. */
const fits = (id: number, radix: number) => (id < radix ? id : -1);

// A city is keyed by country, region and city together: Portland, Oregon is not Portland, Maine.
const cityKey = (loc: Located | null) => (loc === null || loc.geo.city === null ? null : loc.placeKey);
const showCity = (key: KeyPart) => {
  if (key === null) return null;
  const [, region, city] = String(key).split('\t');
  return region === '' ? city : `${city}, ${region}`;
};

const country = (name: string, side: (v: FlowView) => Located | null): Dimension => ({
  name, key: (_l, v) => side(v)?.geo.country_code ?? null, show: asIs,
  code: (_l, v) => fits(side(v)?.countryId ?? 0, 1 << 10), radix: 1 << 10,
});
const asn = (name: string, side: (v: FlowView) => Located | null): Dimension => ({
  name, key: (_l, v) => side(v)?.geo.asn ?? null, show: asIs,
  code: (_l, v) => side(v)?.asnCode ?? 0,
  radix: 2 ** 32 + 1,
});
const city = (name: string, side: (v: FlowView) => Located | null): Dimension => ({
  name, key: (_l, v) => cityKey(side(v)), show: showCity,
  code: (_l, v) => {
    const loc = side(v);
    return loc === null ? 0 : fits(loc.cityId, 1 << 20);
  },
  radix: 1 << 20,
});
const column = (name: string, pick: (l: FlowLine) => number): Dimension => ({
  name, key: (l) => l.text(pick(l)), show: asIs,
});
// An address is keyed by its text; an IPv4 one also has a code, the address itself (the parser takes only the one
// spelling of each IPv4 address, so equal codes are equal texts). IPv6 texts have several spellings: no code.
const address = (name: string, pick: (l: FlowLine) => number): Dimension => ({
  name, key: (l) => l.text(pick(l)), show: asIs,
  code: (l) => {
    const k = pick(l);
    if (k < 0 || l.addrKind[k] === ADDR_NONE) return 0;
    return l.addrKind[k] === ADDR_V4 ? l.v4[k] + 1 : -1;
  },
  radix: 2 ** 32 + 1,
});
const number = (name: string, pick: (l: FlowLine) => number): Dimension => ({
  name,
  key: (l) => {
    const k = pick(l);
    return k < 0 || Number.isNaN(l.nums[k]) ? null : l.nums[k];
  },
  show: asIs,
  code: (l) => {
    const k = pick(l);
    return k < 0 || Number.isNaN(l.nums[k]) ? 0 : l.nums[k] < 0xffff ? l.nums[k] + 1 : -1;
  },
  radix: 1 << 16,
});

const ACTION_NAMES = [null, 'ACCEPT', 'REJECT'];

export const DIMENSIONS: Record<string, Dimension> = Object.fromEntries([
  country('src_country', (v) => v.src),
  city('src_city', (v) => v.src),
  asn('src_asn', (v) => v.src),
  country('dst_country', (v) => v.dst),
  city('dst_city', (v) => v.dst),
  asn('dst_asn', (v) => v.dst),
  country('remote_country', (v) => v.remote),
  city('remote_city', (v) => v.remote),
  asn('remote_asn', (v) => v.remote),
  address('srcaddr', (l) => l.format.col.srcaddr),
  address('dstaddr', (l) => l.format.col.dstaddr),
  number('src_port', (l) => l.format.col.srcport),
  number('dst_port', (l) => l.format.col.dstport),
  number('protocol', (l) => l.format.col.protocol),
  {
    name: 'action',
    // `other` actions are rare enough to read as text.
    key: (l: FlowLine) => (l.action === Action.other ? l.text(l.format.col.action) : ACTION_NAMES[l.action]),
    show: asIs,
    code: (l: FlowLine) => (l.action === Action.other ? -1 : l.action),
    radix: 4,
  },
  {
    name: 'direction', key: (_l: FlowLine, v: FlowView) => DIRECTION_NAMES[v.endpoints.direction], show: asIs,
    code: (_l: FlowLine, v: FlowView) => v.endpoints.direction, radix: 8,
  },
  column('interface_id', (l) => l.format.col.interfaceId),
  column('log_status', (l) => l.format.col.logStatus),
  column('region', (l) => l.format.col.region),
].map((d) => [d.name, d]));

export const DIMENSION_NAMES = Object.keys(DIMENSIONS);
