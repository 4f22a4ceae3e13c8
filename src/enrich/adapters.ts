/**
 * MMDB record layouts, normalised (flow-logs.md §4). Each vendor shapes records differently, and the same key can
 * mean different things (IPinfo's `country` is a name in Lite and a code in the legacy file), so the layout is
 * chosen once per file from its metadata and a sample record, never guessed per record.
 */

type AnyRecord = Record<string, unknown>;

/** Where an address is, as far as the database knows. */
export interface Place {
  country_code: string | null;
  region: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
  accuracy_km: number | null;
}

/** Who routes an address. */
export interface Owner {
  asn: number | null;
  as_org: string | null;
}

export type Layout = 'maxmind' | 'flat' | 'ipinfo-lite' | 'ipinfo-legacy' | 'asn';

export interface Adapter {
  readonly layout: Layout;
  readonly hasPlace: boolean;
  readonly hasOwner: boolean;
  place(r: AnyRecord): Place;
  owner(r: AnyRecord): Owner;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => {
  const n = typeof v === 'string' && v !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
};
const obj = (v: unknown): AnyRecord => (v !== null && typeof v === 'object' ? (v as AnyRecord) : {});
const englishName = (v: unknown): string | null => str(obj(obj(v).names).en);
const NO_PLACE: Place = { country_code: null, region: null, city: null, latitude: null, longitude: null, accuracy_km: null };
const NO_OWNER: Owner = { asn: null, as_org: null };

/** "AS15169" (IPinfo) or 15169 → 15169. */
function asnOf(v: unknown): number | null {
  if (typeof v === 'string') return num(v.replace(/^AS/i, ''));
  return num(v);
}

const ADAPTERS: Record<Layout, Adapter> = {
  // MaxMind GeoIP2/GeoLite2 City and Country, and DB-IP's own files: nested objects with localised names.
  maxmind: {
    layout: 'maxmind', hasPlace: true, hasOwner: false,
    place: (r) => {
      const loc = obj(r.location);
      const subdivisions = Array.isArray(r.subdivisions) ? r.subdivisions : [];
      return {
        // The country the address is in; we do not silently fall back to the registered country.
        country_code: str(obj(r.country).iso_code),
        region: englishName(subdivisions[0]) ?? str(obj(subdivisions[0]).iso_code),
        city: englishName(r.city),
        latitude: num(loc.latitude),
        longitude: num(loc.longitude),
        accuracy_km: num(loc.accuracy_radius),
      };
    },
    owner: () => NO_OWNER,
  },
  // DB-IP Lite as republished by ip-location-db (the bundled data): flat keys.
  flat: {
    layout: 'flat', hasPlace: true, hasOwner: false,
    place: (r) => ({
      country_code: str(r.country_code),
      region: str(r.state1),
      city: str(r.city),
      latitude: num(r.latitude),
      longitude: num(r.longitude),
      accuracy_km: null,
    }),
    owner: () => NO_OWNER,
  },
  'ipinfo-lite': {
    layout: 'ipinfo-lite', hasPlace: true, hasOwner: true,
    place: (r) => ({ ...NO_PLACE, country_code: str(r.country_code) }),
    owner: (r) => ({ asn: asnOf(r.asn), as_org: str(r.as_name) }),
  },
  'ipinfo-legacy': {
    layout: 'ipinfo-legacy', hasPlace: true, hasOwner: true,
    place: (r) => ({ ...NO_PLACE, country_code: str(r.country) }),
    owner: (r) => ({ asn: asnOf(r.asn), as_org: str(r.as_name) }),
  },
  asn: {
    layout: 'asn', hasPlace: false, hasOwner: true,
    place: () => NO_PLACE,
    owner: (r) => ({ asn: asnOf(r.autonomous_system_number), as_org: str(r.autonomous_system_organization) }),
  },
};

/** Picks the adapter for a file from its metadata type and one of its records; null when none fits. */
export function detectLayout(databaseType: string, sample: AnyRecord | null): Adapter | null {
  const type = databaseType.toLowerCase();
  const r = sample ?? {};
  if ('autonomous_system_number' in r || (type.includes('asn') && !('country_code' in r))) return ADAPTERS.asn;
  if (type.includes('ipinfo') || 'as_name' in r) {
    return 'country_name' in r ? ADAPTERS['ipinfo-legacy'] : ADAPTERS['ipinfo-lite'];
  }
  if ('country_code' in r || 'state1' in r) return ADAPTERS.flat;
  if (typeof r.country === 'object' || typeof r.city === 'object' || typeof r.location === 'object'
    || typeof r.continent === 'object' || /city|country|geoip|geolite|dbip|enterprise/.test(type)) {
    return ADAPTERS.maxmind;
  }
  return null;
}

export const EMPTY_PLACE = NO_PLACE;
export const EMPTY_OWNER = NO_OWNER;
