import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { mmdblookup } from '../../test/mmdblookup.js';
import { classifyV4, PUBLIC } from '../classify/classify.js';
import { UsageError } from '../errors.js';
import { formatIPv4, parseIPv6 } from '../parse/address.js';
import { Enricher, type Geo } from './enricher.js';
import type { Place } from './adapters.js';
import { bundledPaths, NoOwnerLookup, type Lookup } from './sources.js';

const FIXTURES = new URL('../../test/fixtures/mmdb/', import.meta.url).pathname;
const bundled = bundledPaths();

function seeded(seed: number) {
  let a = seed;
  return () => {
    a = (Math.imul(a ^ (a >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return a;
  };
}

function publicV4Sample(n: number, seed: number): number[] {
  const next = seeded(seed);
  const out: number[] = [];
  while (out.length < n) {
    const ip = next();
    if (classifyV4(ip) === PUBLIC) out.push(ip);
  }
  return out;
}

function locate(e: Enricher, ip: string): Geo {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return e.locateV4(ip.split('.').reduce((a, o) => a * 256 + Number(o), 0)).geo;
  const w = new Uint32Array(4);
  assert.ok(parseIPv6(Buffer.from(ip), 0, ip.length, w, 0));
  return e.locateV6(w, 0).geo;
}

const close = (a: number | null, b: unknown) => a !== null && typeof b === 'number' && Math.abs(a - b) < 1e-5;

describe('the bundled DB-IP Lite City data, against libmaxminddb', () => {
  const enricher = Enricher.open();
  it('locates 300 random public IPv4 addresses exactly as mmdblookup does', () => {
    let found = 0;
    for (const n of publicV4Sample(300, 7)) {
      const ip = formatIPv4(n);
      const want = mmdblookup(bundled.city[0], ip) as Record<string, unknown> | null;
      const got = locate(enricher, ip);
      if (want === null) {
        assert.equal(got.country_code, null, ip);
        continue;
      }
      found++;
      assert.equal(got.country_code, want.country_code || null, ip);
      assert.equal(got.city, want.city || null, ip);
      assert.equal(got.region, want.state1 || null, ip);
      assert.ok(close(got.latitude, want.latitude) && close(got.longitude, want.longitude), ip);
    }
    assert.ok(found > 250, `only ${found} found`);
  });
  it('locates IPv6 addresses from the IPv6 file', () => {
    const next = seeded(11);
    for (let i = 0; i < 60; i++) {
      const prefix = ['2a00', '2600', '2400', '2804', '2001:4860', '2a03:2880'][i % 6];
      const ip = `${prefix}:${(next() & 0xffff).toString(16)}::${(next() & 0xffff).toString(16)}`;
      const want = mmdblookup(bundled.city[1], ip) as Record<string, unknown> | null;
      assert.equal(locate(enricher, ip).country_code, (want?.country_code as string) || null, ip);
    }
  });
  it('answers IPv6 addresses that share cache slots (a 4-slot cache) each with its own place, asked again and again', () => {
    const small = Enricher.open({ cacheSize: 16 });
    const next = seeded(23);
    // Same first words, differing further on: a slot check that looked at part of the address would mix them up.
    const ips = Array.from({ length: 80 }, (_, i) => `${['2a02:2e0', '2600:1f18', '2400:cb00', '2804:14c'][i % 4]}:`
      + `${(next() & 0xffff).toString(16)}:${(next() & 0xff).toString(16)}::${(next() & 0xffff).toString(16)}`);
    const want = new Map(ips.map((ip) => [ip, mmdblookup(bundled.city[1], ip) as Record<string, unknown> | null]));
    for (let pass = 0; pass < 3; pass++) {
      for (const ip of ips) {
        const got = locate(small, ip);
        assert.equal(got.country_code, (want.get(ip)?.country_code as string) || null, ip);
        assert.equal(got.city, (want.get(ip)?.city as string) || null, ip);
      }
    }
  });
  it('gives an English country name and ASN for a well-known address', () => {
    const g = locate(enricher, '8.8.8.8');
    assert.equal(g.country, 'United States');
    assert.equal(g.asn, 15169);
    assert.equal(g.as_org, 'Google LLC');
  });
  it('names its sources, with the DB-IP attribution the licence requires', () => {
    assert.ok(enricher.sources().some((s) => /IP Geolocation by DB-IP/.test(String(s.attribution))));
  });
  it('without owners (a report by place only), gives the same places and no AS number', () => {
    const placesOnly = Enricher.open({ owners: false });
    for (const ip of ['8.8.8.8', '2001:4860:4860::8888', ...publicV4Sample(50, 5).map(formatIPv4)]) {
      const full = locate(enricher, ip);
      assert.deepEqual(locate(placesOnly, ip), { ...full, asn: null, as_org: null }, ip);
    }
  });
});

describe('the bundled ASN table, against a second reading of the same data', () => {
  // The package also ships the ranges with integer bounds: a plain bisection over those is our reference.
  const rows = readFileSync(join(bundled.asn[0], '..', 'asn-ipv4-num.csv'), 'utf8').trim().split('\n').map((l) => {
    const [first, last, asn, ...org] = l.split(',');
    return { first: Number(first), last: Number(last), asn: Number(asn), org: org.join(',').replace(/^"|"$/g, '').replaceAll('""', '"') };
  });
  const reference = (ip: number) => {
    let lo = 0;
    let hi = rows.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (rows[mid].first <= ip) lo = mid;
      else hi = mid - 1;
    }
    return rows[lo].first <= ip && ip <= rows[lo].last ? rows[lo] : null;
  };
  it('answers 2000 random addresses the same', () => {
    const enricher = Enricher.open();
    for (const ip of publicV4Sample(2000, 3)) {
      const want = reference(ip);
      const got = enricher.locateV4(ip).geo;
      assert.equal(got.asn, want?.asn ?? null, formatIPv4(ip));
      assert.equal(got.as_org, want === null || want.org === '' ? null : want.org, formatIPv4(ip));
    }
  });
});

describe('MaxMind-layout databases (GeoIP2 City, GeoLite2 ASN) and IPinfo', () => {
  const enricher = Enricher.open({
    geoDbs: [join(FIXTURES, 'GeoIP2-City-Test.mmdb')], asnDbs: [join(FIXTURES, 'GeoLite2-ASN-Test.mmdb')],
  });
  const cases = ['81.2.69.142', '81.2.69.143', '2.125.160.216', '2.125.160.223', '89.160.20.120', '1.128.0.1', '12.81.92.1',
    '8.8.8.8', '2001:480::1', '2a02:cf40::1', '2600:6000::1', '::ffff:81.2.69.142'];
  for (const ip of cases) {
    it(`${ip} matches mmdblookup`, () => {
      const city = mmdblookup(join(FIXTURES, 'GeoIP2-City-Test.mmdb'), ip) as Record<string, any> | null;
      const asn = mmdblookup(join(FIXTURES, 'GeoLite2-ASN-Test.mmdb'), ip) as Record<string, any> | null;
      const got = locate(enricher, ip.replace('::ffff:', ''));
      assert.equal(got.country_code, city?.country?.iso_code ?? null);
      assert.equal(got.city, city?.city?.names?.en ?? null);
      assert.equal(got.region, city?.subdivisions?.[0]?.names?.en ?? null);
      assert.equal(got.accuracy_km, city?.location?.accuracy_radius ?? null);
      assert.equal(got.latitude === null ? null : Math.round(got.latitude * 1e4), city?.location ? Math.round(city.location.latitude * 1e4) : null);
      assert.equal(got.asn, asn?.autonomous_system_number ?? null);
      assert.equal(got.as_org, asn?.autonomous_system_organization ?? null);
    });
  }
  it('uses the country, not the registered country', () => assert.equal(locate(enricher, '2.125.160.216').country_code, 'GB'));
  it('reads IPinfo Lite: country and owner from one file, "AS15169" as a number', () => {
    const ipinfo = join(FIXTURES, 'ipinfo-lite-test.mmdb');
    const e = Enricher.open({ geoDbs: [ipinfo], asnDbs: [ipinfo] });
    assert.deepEqual(locate(e, '8.8.8.8'), {
      country_code: 'US', country: 'United States', region: null, city: null, latitude: null, longitude: null,
      accuracy_km: null, asn: 15169, as_org: 'Google LLC',
    });
  });
  it('refuses a database of the wrong kind at startup, saying which option to use', () => {
    assert.throws(() => Enricher.open({ geoDbs: [join(FIXTURES, 'GeoLite2-ASN-Test.mmdb')] }),
      (e: Error) => e instanceof UsageError && /ASN database.*--asn-db/.test(e.message));
    assert.throws(() => Enricher.open({ asnDbs: [join(FIXTURES, 'GeoIP2-City-Test.mmdb')] }),
      (e: Error) => e instanceof UsageError && /location database.*--geo-db/.test(e.message));
  });
  it('refuses a file that is not an MMDB', () => {
    assert.throws(() => Enricher.open({ geoDbs: [join(FIXTURES, 'make-fixtures.pl')] }), UsageError);
    assert.throws(() => Enricher.open({ geoDbs: ['/nonexistent.mmdb'] }), /cannot read the MMDB file/);
  });
});

describe('the address caches', () => {
  it('give each IPv4 address its own answer, whichever way of its set holds it', () => {
    // A place source that names each address, so any mix-up shows in the answer.
    const named: Lookup<Place> = {
      info: { path: '', type: 'test', built: null, attribution: null },
      keyV4: (ip) => ip + 1,
      keyV6: () => 0,
      value: (key) => ({ country_code: 'NL', region: null, city: `a${key - 1}`, latitude: 52, longitude: 5, accuracy_km: null }),
    };
    const enricher = new Enricher(named, new NoOwnerLookup(), 16); // 8 sets of 2
    const ips = Array.from({ length: 40 }, (_, i) => 0x0b000000 + i * 977);
    let seed = 3;
    for (let n = 0; n < 5000; n++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      // Mostly a few busy addresses (so the second way gets hit and promoted), now and then any other.
      const ip = ips[(seed >>> 8) % 8 === 0 ? (seed >>> 12) % 40 : (seed >>> 12) % 3];
      assert.equal(enricher.locateV4(ip).geo.city, `a${ip}`);
    }
  });

  it('tells addresses apart by every word, however many share a slot', () => {
    // A place source that names each address by its last two words, so any mix-up shows in the answer.
    const named: Lookup<Place> = {
      info: { path: '', type: 'test', built: null, attribution: null },
      keyV4: () => 0,
      keyV6: (w, o) => w[o + 2] * 64 + w[o + 3] + 1,
      value: (key) => ({ country_code: 'NL', region: null, city: `c${(key - 1) >> 6}d${(key - 1) & 63}`, latitude: 52,
        longitude: 5, accuracy_km: null }),
    };
    const enricher = new Enricher(named, new NoOwnerLookup(), 16); // 4 IPv6 slots
    const w = new Uint32Array(4);
    for (let pass = 0; pass < 3; pass++) {
      for (let c = 0; c < 8; c++) {
        for (let d = 0; d < 8; d++) {
          w.set([0x2a0202e0, 0x10000, c, d]);
          assert.equal(enricher.locateV6(w, 0).geo.city, `c${c}d${d}`);
        }
      }
    }
  });
});
