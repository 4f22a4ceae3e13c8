import type { Owner, Place } from './adapters.js';
import { adoptAsnTables, shareAsnTables, type AsnParts } from './asn-table.js';
import { GenerationalCache } from './cache.js';
import { adoptData, shareData, type SharedFile } from './data-files.js';
import { countryName } from './country-names.js';
import type { Geo } from './geo.js';
import { bundledPaths, MmdbLookup, NoOwnerLookup, RangeOwnerLookup, type Lookup, type SourceInfo } from './sources.js';

export type { Geo } from './geo.js';

/**
 * What we know about a public address, shared by every address that has the same answer, with small integer
 * identities for grouping and the place of its JSON bytes in the NDJSON sink.
 */
export class Located {
  private static count = 0;
  /**
   * Where the NDJSON sink keeps this answer's JSON bytes (see sinks/geo-json.ts): never made in a run that writes
   * none, such as a report.
   */
  jsonAt = 0;
  jsonLength = 0;
  jsonGeneration = -2;
  /**
   * A number for this object in integer-keyed tables, never given to another (a cache may make a second object
   * for the same answer, with its own id). Past 2^30 it is no longer a small integer to V8, which costs a little
   * in a run that makes a billion of them, never a wrong answer.
   */
  readonly id = ++Located.count;
  /**
   * `placeId` when the place is a city, else 0: what a report by city groups on, kept here so grouping reads only
   * this object (each further object read per record is a likely cache miss: the geo object cost a tenth of a
   * report's time).
   */
  readonly cityId: number;
  /** `geo.asn` + 1, or 0 when unknown: the same, for a report by AS number. */
  readonly asnCode: number;

  constructor(
    readonly geo: Readonly<Geo>,
    /** Identifies the place (country, region, city) for grouping: equal places, equal keys. */
    readonly placeKey: string,
    /** Small integers for the same identities (0 = no place / no country), so grouping can use number keys. */
    readonly placeId: number,
    readonly countryId: number,
  ) {
    this.cityId = geo.city === null ? 0 : placeId;
    this.asnCode = geo.asn === null ? 0 : geo.asn + 1;
  }
}

/** Databases read by one thread for others (see Enricher.share). */
export interface SharedData {
  files: Record<string, SharedFile>;
  asn: Record<string, AsnParts>;
}

export interface EnricherOptions {
  /** MMDB files for location; empty = the bundled DB-IP Lite City. */
  geoDbs?: string[];
  /** MMDB files for AS number/organisation; empty = the bundled ip-location-db ASN table. */
  asnDbs?: string[];
  /** Distinct addresses and records kept in each cache (memory stays bounded by it). */
  cacheSize?: number;
  /**
   * False when nothing will read `asn`/`as_org` (a report by country and city): the bundled ASN table is then
   * neither parsed nor held, about a third of a second and tens of MiB per run. A given --asn-db is still opened,
   * so a wrong file is still an error.
   */
  owners?: boolean;
}

const TWO_23 = 2 ** 23;
/**
 * Entries of each cache, per thread. With a few busy peers (the usual flow log) every cache settles far below it;
 * with a stream of distinct peers (a scan of the whole address space) the caches stay full, and this is what bounds
 * them: at about 330 bytes an answer with its entries (measured with every cache full), some 20 MiB a thread.
 */
export const DEFAULT_CACHE = 32_768;

/**
 * Locates public addresses: place from one source, owner from another, merged into one Geo. Three caches, each
 * bounded: normalised records by database key (in the lookups), merged results by (place, owner) key pair, and
 * merged results by IPv4 address — most flow logs are dominated by a few busy peers.
 */
export class Enricher {
  private readonly byPair: GenerationalCache<number | string, Located>;
  /**
   * By IPv4 address, two-way set-associative (see locateV4): a hit costs a multiply and two or four array reads,
   * which matters when it runs twice per record. Address 0 is never public, so 0 marks an empty slot.
   */
  private readonly ipKeys: Uint32Array;
  private readonly ipValues: Array<Located | undefined>;
  private readonly ipShift: number;
  /**
   * The same for IPv6 addresses, four words a slot, a quarter as many slots (fewer peers are IPv6). Without it
   * each IPv6 record walked the search tree, dozens of levels deep.
   */
  private readonly v6Keys: Uint32Array;
  private readonly v6Values: Array<Located | undefined>;
  private readonly v6Shift: number;

  constructor(private readonly place: Lookup<Place>, private readonly owner: Lookup<Owner>, cacheSize = DEFAULT_CACHE) {
    this.byPair = new GenerationalCache(cacheSize);
    const bits = Math.max(4, Math.min(24, Math.ceil(Math.log2(cacheSize))));
    this.ipKeys = new Uint32Array(1 << bits);
    this.ipValues = new Array(1 << bits).fill(undefined);
    this.ipShift = 33 - bits;
    this.v6Keys = new Uint32Array(4 << (bits - 2));
    this.v6Values = new Array(1 << (bits - 2)).fill(undefined);
    this.v6Shift = 32 - (bits - 2);
  }

  /** Opens the configured databases (or the bundled ones); a wrong or unreadable file throws a UsageError. */
  static open(opts: EnricherOptions = {}): Enricher {
    const bundled = bundledPaths();
    const size = opts.cacheSize ?? DEFAULT_CACHE;
    // A record cache is asked only when the pair cache misses, so it needs to hold the records that recur among
    // misses, not every answer in use: a quarter of the pair cache. With a stream of distinct peers every cache
    // is full, and full record caches as large as the pair cache held a fifth of a thread's heap.
    const records = Math.max(1024, size >> 2);
    const owner = opts.asnDbs?.length ? new MmdbLookup<Owner>(opts.asnDbs, 'owner', true, records)
      : opts.owners === false ? new NoOwnerLookup() : new RangeOwnerLookup(...bundled.asn, records);
    // With no owners, a place is one (place, owner) pair: the pair cache holds what a place cache would.
    const places = owner instanceof NoOwnerLookup ? 0 : records;
    const geo = opts.geoDbs?.length ? new MmdbLookup<Place>(opts.geoDbs, 'place', true, places)
      : new MmdbLookup<Place>(bundled.city, 'place', false, places);
    return new Enricher(geo, owner, size);
  }

  /**
   * Opens (and for the ASN tables, parses) what `open` would use with these options, for worker threads: they
   * take it with `adopt` and use the same memory, so N threads cost one copy of the data and one parse.
   */
  static share(opts: EnricherOptions = {}): SharedData {
    const bundled = bundledPaths();
    const mmdbs = [...(opts.geoDbs?.length ? opts.geoDbs : bundled.city), ...(opts.asnDbs ?? [])];
    const bundledAsn = !opts.asnDbs?.length && opts.owners !== false;
    return { files: shareData(mmdbs), asn: !bundledAsn ? {} : shareAsnTables([[bundled.asn[0], 4], [bundled.asn[1], 6]]) };
  }

  static adopt(shared: SharedData): void {
    adoptData(shared.files);
    adoptAsnTables(shared.asn);
  }

  /** The data sources in use (for logs, `--version` and the dashboard's attribution). */
  sources(): SourceInfo[] {
    return [this.place.info, this.owner.info];
  }

  /**
   * Loads what is otherwise loaded on first use (the IPv6 database and ranges): a long-running process pays it at
   * startup instead of stalling on its first IPv6 record.
   */
  warm(): void {
    const w = new Uint32Array([0x20014860, 0x48600000, 0, 0x8888]);
    this.locateV6(w, 0);
    this.locateV4(0x08080808);
  }

  locateV4(ip: number): Located {
    // Two ways a set, the last used first: a busy peer whose slot a passing address takes keeps the other way
    // (as many slots, about a third fewer misses on the bench's data than one way).
    const keys = this.ipKeys;
    const values = this.ipValues;
    const slot = (Math.imul(ip, 0x9e3779b1) >>> this.ipShift) << 1;
    if (keys[slot] === ip) return values[slot]!;
    if (keys[slot + 1] === ip) {
      const hit = values[slot + 1]!;
      keys[slot + 1] = keys[slot];
      values[slot + 1] = values[slot];
      keys[slot] = ip;
      values[slot] = hit;
      return hit;
    }
    keys[slot + 1] = keys[slot];
    values[slot + 1] = values[slot];
    const found = this.lookupV4(ip);
    keys[slot] = ip;
    values[slot] = found;
    return found;
  }

  private lookupV4(ip: number): Located {
    const pk = this.place.keyV4(ip);
    const ok = this.owner.keyV4(ip);
    const key = pairKey(pk, ok);
    let hit = this.byPair.get(key);
    if (hit === undefined) {
      hit = merge(this.place.value(pk), this.owner.value(ok));
      this.byPair.set(key, hit);
    }
    return hit;
  }

  locateV6(words: Uint32Array, o: number): Located {
    const a = words[o];
    const b = words[o + 1];
    const c = words[o + 2];
    const d = words[o + 3];
    const slot = Math.imul(a ^ Math.imul(b, 0x85ebca6b) ^ Math.imul(c, 0xc2b2ae35) ^ Math.imul(d, 0x27d4eb2f), 0x9e3779b1)
      >>> this.v6Shift;
    const keys = this.v6Keys;
    const at = slot * 4;
    const known = this.v6Values[slot];
    if (known !== undefined && keys[at] === a && keys[at + 1] === b && keys[at + 2] === c && keys[at + 3] === d) return known;
    const hit = this.lookupV6(words, o);
    keys[at] = a;
    keys[at + 1] = b;
    keys[at + 2] = c;
    keys[at + 3] = d;
    this.v6Values[slot] = hit;
    return hit;
  }

  private lookupV6(words: Uint32Array, o: number): Located {
    const pk = this.place.keyV6(words, o);
    const ok = this.owner.keyV6(words, o);
    const key = pairKey(pk, ok);
    let hit = this.byPair.get(key);
    if (hit === undefined) {
      hit = merge(this.place.value(pk), this.owner.value(ok));
      this.byPair.set(key, hit);
    }
    return hit;
  }
}

/** One number for a key pair while it fits in a double's 53 bits (always, for the bundled data), else a string. */
function pairKey(placeKey: number, ownerKey: number): number | string {
  return ownerKey < TWO_23 && placeKey < 2 ** 30 ? placeKey * TWO_23 + ownerKey : `${placeKey}:${ownerKey}`;
}

function merge(p: Place, o: Owner): Located {
  const geo: Geo = {
    country_code: p.country_code,
    country: p.country_code === null ? null : countryName(p.country_code),
    region: p.region,
    city: p.city,
    latitude: p.latitude,
    longitude: p.longitude,
    accuracy_km: p.accuracy_km,
    asn: o.asn,
    as_org: o.as_org,
  };
  const placeKey = `${geo.country_code ?? ''}\t${geo.region ?? ''}\t${geo.city ?? ''}`;
  // A place is a city or at least coordinates (a country-level answer has neither).
  const place = geo.city === null && geo.latitude === null ? null : places.intern(placeKey);
  return new Located(Object.freeze(geo), place?.text ?? placeKey, place?.id ?? 0,
    geo.country_code === null ? 0 : countries.intern(geo.country_code).id);
}

/**
 * Numbers for texts, stable for the life of the process (groups are keyed by them). Equal texts also share one
 * string object, so a Map lookup compares pointers rather than bytes. Bounded by the database: there are only so
 * many places and countries in it.
 */
class Interned {
  private readonly ids = new Map<string, { text: string; id: number }>();

  intern(text: string): { text: string; id: number } {
    let known = this.ids.get(text);
    if (known === undefined) this.ids.set(text, (known = { text, id: this.ids.size + 1 }));
    return known;
  }
}

const places = new Interned();
const countries = new Interned();
