import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlowLogGenerator } from '../../sources/demo/generator.js';
import { Enricher } from '../../enrich/enricher.js';
import { FlowView } from '../../enrich/flow-view.js';
import { DEFAULT_FORMAT } from '../../parse/format.js';
import { FlowLine } from '../../parse/line.js';
import { estimateOf, HyperLogLog, mix32 } from './hll.js';
import { LiveAggregator } from './live.js';
import { IngestShard } from '../../pipeline/ingest-worker.js';
import { Bucket, factKey, SECOND_CAPS } from './bucket.js';
import { OTHER } from './tally.js';
import type { PlaceInfo, WindowSummary } from './summary.js';
import { runToEnd, SecondCounter } from './counter.js';
import type { Tables } from './bucket.js';
import type { TallyTable } from './tally.js';

const view = new FlowView(Enricher.open());
const line = new FlowLine(DEFAULT_FORMAT);

/** Feeds generated records, n per second for `seconds` seconds, and keeps what a naive count needs. */
function feed(agg: LiveAggregator, start: number, seconds: number, perSecond: number, gen: FlowLogGenerator) {
  const seen: Array<{ t: number; country: string | null; reject: boolean; bytes: number }> = [];
  for (let s = 0; s < seconds; s++) {
    agg.tick(start + s);
    for (let i = 0; i < perSecond; i++) {
      const text = Buffer.from(gen.line());
      assert.equal(line.parse(text, 0, text.length), null);
      view.read(line);
      agg.add(line, view);
      if (view.remote !== null && !line.isStatusRecord()) {
        seen.push({ t: start + s, country: view.remote.geo.country_code, reject: line.action === 2, bytes: line.nums[9] });
      }
    }
  }
  agg.tick(start + seconds);
  return seen;
}

describe('live windows', () => {
  const start = 1_800_000_000 - (1_800_000_000 % 60) + 17;
  const agg = new LiveAggregator(start);
  const seen = feed(agg, start, 200, 50, new FlowLogGenerator({ seed: 3, clients: 300 }));
  const now = start + 200;

  it('1m holds exactly the records of the last 60 closed seconds', () => {
    const s = agg.summary('1m', 'test', now * 1000);
    const inWindow = seen.filter((r) => r.t >= now - 60);
    assert.equal(s.totals.records, inWindow.length);
    assert.equal(s.totals.rejects, inWindow.filter((r) => r.reject).length);
    assert.equal(s.totals.bytes, inWindow.reduce((a, r) => a + r.bytes, 0));
    const us = inWindow.filter((r) => r.country === 'US').length;
    assert.equal(s.countries.find((c) => c.key === 'US')?.records ?? 0, us);
    assert.equal(s.series.t.length, 60);
    assert.equal(s.series.records.reduce((a, b) => a + b, 0), inWindow.length);
  });
  it('15m and 1h hold everything so far (the run is shorter than both)', () => {
    for (const w of ['15m', '1h'] as const) {
      const s = agg.summary(w, 'test', now * 1000);
      assert.equal(s.totals.records, seen.length, w);
      assert.equal(s.series.records.reduce((a, b) => a + b, 0), seen.length, w);
    }
  });
  it('narrows a window to a filter, exactly', () => {
    const s = agg.filtered('1m', { country: 'US', action: 'REJECT' }, 'test', now * 1000);
    const want = seen.filter((r) => r.t >= now - 60 && r.country === 'US' && r.reject);
    assert.equal(s.totals.records, want.length);
    assert.equal(s.totals.bytes, want.reduce((a, r) => a + r.bytes, 0));
    assert.deepEqual(s.countries.map((c) => c.key), want.length ? ['US'] : []);
    assert.equal(s.series.records.reduce((a, b) => a + b, 0), want.length);
    assert.deepEqual(s.filter, { country: 'US', action: 'REJECT' });
  });
  it('forgets what left the window', () => {
    const later = new LiveAggregator(start);
    feed(later, start, 30, 20, new FlowLogGenerator({ seed: 4 }));
    later.tick(start + 30 + 61);
    const s = later.summary('1m', 'test', (start + 91) * 1000);
    assert.equal(s.totals.records, 0);
    assert.equal(s.countries.length, 0);
    assert.ok(later.summary('15m', 'test', (start + 91) * 1000).totals.records > 0);
  });
  it('gives every table row the same total as the window', () => {
    const s = agg.summary('15m', 'test', now * 1000);
    for (const table of [s.countries, s.asns, s.ports, s.actions, s.directions, s.interfaces]) {
      assert.equal(table.reduce((a, r) => a + r.records, 0), s.totals.records);
    }
  });
});

describe('one window, every table', () => {
  it('counts each key exactly as a naive per-record count does', () => {
    const start = 1_800_000_000 - (1_800_000_000 % 60) + 3;
    const agg = new LiveAggregator(start);
    const gen = new FlowLogGenerator({ seed: 9, clients: 400, scanners: 80 });
    const want: Record<string, Map<string, number>> = {};
    const count = (table: string, key: unknown) => {
      const m = (want[table] ??= new Map());
      m.set(String(key), (m.get(String(key)) ?? 0) + 1);
    };
    const col = DEFAULT_FORMAT.col;
    const countryPorts = new Map<string, [number, number]>();
    for (let s = 0; s < 5; s++) {
      agg.tick(start + s);
      for (let i = 0; i < 400; i++) {
        const text = Buffer.from(gen.line());
        assert.equal(line.parse(text, 0, text.length), null);
        view.read(line);
        agg.add(line, view);
        const remote = view.remote;
        if (remote === null || line.isStatusRecord()) continue;
        const service = Math.min(line.nums[col.srcport], line.nums[col.dstport]);
        count('countries', remote.geo.country_code ?? '??');
        if (remote.geo.city !== null) count('places', `${remote.geo.city}|${remote.geo.region}`);
        count('asns', remote.geo.asn ?? 0);
        count('ports', `${line.nums[col.protocol]}/${service}`);
        count('actions', line.text(col.action));
        count('interfaces', line.text(col.interfaceId));
        const cp = `${remote.geo.country_code ?? '??'} ${line.nums[col.protocol]}/${service}`;
        const [r, b] = countryPorts.get(cp) ?? [0, 0];
        countryPorts.set(cp, [r + 1, b + line.nums[col.bytes]]);
      }
    }
    agg.tick(start + 5);
    // Each country's three busiest ports (by records, then bytes), as a summary lists them.
    const ranked = [...countryPorts].sort((a, b) => b[1][0] - a[1][0] || b[1][1] - a[1][1]);
    for (const c of agg.summary('1m', 'test', (start + 5) * 1000).countries) {
      const ports = ranked.filter(([k]) => k.startsWith(`${c.key} `)).slice(0, 3).map(([k]) => k.split(' ')[1]);
      assert.deepEqual(c.top_ports, ports, c.key);
    }
    // The window's own tables (summaries cut them to what a viewer needs).
    const tables = (agg as unknown as { windows: Record<string, Tables> }).windows['1m'];
    const got = (t: TallyTable<string | number>, key: (k: string) => string = (k) => k) => {
      const out = new Map<string, number>();
      t.forEach((k, records) => out.set(key(String(k)), records));
      return out;
    };
    const place = (k: string) => {
      const [, region, city] = k.split('\t');
      return `${city}|${region === '' ? null : region}`;
    };
    assert.deepEqual(got(tables.countries), want.countries);
    assert.deepEqual(got(tables.places, place), want.places);
    assert.deepEqual(got(tables.asns), want.asns);
    assert.deepEqual(got(tables.ports), want.ports);
    assert.deepEqual(got(tables.actions), want.actions);
    assert.deepEqual(got(tables.interfaces), want.interfaces);
  });
});

describe('a tick in steps', () => {
  it('ends with the same windows as one tick, records added between its steps counting in the next second', () => {
    const start = 1_800_000_000 - (1_800_000_000 % 60) + 40;
    const whole = new LiveAggregator(start);
    const stepped = new LiveAggregator(start);
    const gen = new FlowLogGenerator({ seed: 12, clients: 50_000, scanners: 5000 });
    const texts = Array.from({ length: 30_000 }, () => Buffer.from(gen.line()));
    const add = (agg: LiveAggregator, from: number, to: number) => {
      for (let i = from; i < to; i++) {
        assert.equal(line.parse(texts[i], 0, texts[i].length), null);
        view.read(line);
        agg.add(line, view);
      }
    };
    add(whole, 0, 20_000);
    add(stepped, 0, 20_000);
    whole.tick(start + 1);
    add(whole, 20_000, 30_000);
    const steps = stepped.tickSteps(start + 1);
    let n = 0;
    while (!steps.next().done) if (++n === 2) add(stepped, 20_000, 30_000);
    assert.ok(n > 2, `the second was flattened in ${n} steps: too few to test interleaving`);
    whole.tick(start + 2);
    stepped.tick(start + 2);
    for (const w of ['1m', '15m', '1h'] as const) {
      assert.deepEqual(stepped.summary(w, 'test', 0), whole.summary(w, 'test', 0), w);
    }
    const series = whole.summary('1m', 'test', 0).series;
    assert.ok(series.records.at(-1)! > 0 && series.records.at(-2)! > series.records.at(-1)!, 'both seconds counted');
  });
});

describe('seconds counted on ingest threads', () => {
  // Rows of equal counts may come in either order: compare each table as a set of rows.
  const normal = (x: unknown): unknown => {
    if (Array.isArray(x)) {
      const items = x.map(normal);
      return items.every((i) => typeof i === 'object' && i !== null && 'key' in i)
        ? items.sort((a, b) => String((a as { key: unknown }).key).localeCompare(String((b as { key: unknown }).key))) : items;
    }
    if (typeof x === 'object' && x !== null) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, normal(v)]));
    return x;
  };
  /**
   * Equal, but for what depends on the order records were seen in: remote addresses are a heavy-hitter sketch
   * whose undercounts do (the busiest must be the same), and a place shows the coordinates of the first address
   * seen in it (the same city, so close).
   */
  const sameWindow = (got: WindowSummary, want: WindowSummary, label: string) => {
    const { addresses: a, places: p, ...rest } = got;
    const { addresses: b, places: q, ...wantRest } = want;
    assert.deepEqual(normal(rest), normal(wantRest), label);
    assert.deepEqual(new Set(a.slice(0, 5).map((x) => x.key)), new Set(b.slice(0, 5).map((x) => x.key)), label);
    const at = new Map(q.map((x) => [x.key, x]));
    assert.deepEqual(normal(p.map(({ latitude, longitude, ...x }) => x)), normal(q.map(({ latitude, longitude, ...x }) => x)), label);
    for (const x of p) assert.ok(Math.abs(x.latitude! - at.get(x.key)!.latitude!) < 1 && Math.abs(x.longitude! - at.get(x.key)!.longitude!) < 1, x.key);
  };
  it('make the same windows as counting every record on one thread', async () => {
    const start = 1_800_000_000 - (1_800_000_000 % 60) + 50;
    const whole = new LiveAggregator(start);
    const split = new LiveAggregator(start);
    const setup = { geoDb: [], asnDb: [], cacheSize: 10_000, maxLineBytes: 65536, maxDocumentBytes: 1 << 24, eventsPerSecond: 200, eventIntervalMs: 50 };
    const shards = [new IngestShard(setup), new IngestShard(setup)];
    const gen = new FlowLogGenerator({ seed: 21, clients: 40, scanners: 10 });
    let id = 0;
    for (let s = 0; s < 15; s++) {
      const texts = Array.from({ length: 3000 }, () => gen.line());
      for (const t of texts) {
        const b = Buffer.from(t);
        assert.equal(line.parse(b, 0, b.length), null);
        view.read(line);
        whole.add(line, view);
      }
      for (let i = 0; i < texts.length; i += 3) {
        const b = Buffer.from(texts[i]);
        line.parse(b, 0, b.length);
        view.read(line);
        split.add(line, view);
      }
      for (const [k, shard] of shards.entries()) {
        const body = Buffer.from(texts.filter((_, i) => i % 3 === k + 1).join('\n'));
        const reply = await shard.handle({ type: 'ingest', id: ++id, name: 'http:lines', body, format: 'text' });
        assert.ok(reply.type === 'ingest' && reply.result.accepted === 1000);
        const second = await shard.handle({ type: 'second', id: ++id });
        assert.ok(second.type === 'second');
        // What crosses between threads is a structured clone.
        const { bucket, places, orgs, newestEnd } = structuredClone(second.second);
        split.arrive(Bucket.fromData(bucket, SECOND_CAPS), places, orgs, newestEnd);
      }
      whole.tick(start + s + 1);
      split.tick(start + s + 1);
    }
    for (const w of ['1m', '15m', '1h'] as const) sameWindow(split.summary(w, 'test', 0), whole.summary(w, 'test', 0), w);
    const filter = { country: 'US', action: 'REJECT' };
    const filtered = whole.filtered('1m', filter, 'test', 0);
    assert.ok(filtered.totals.records > 0);
    sameWindow(split.filtered('1m', filter, 'test', 0), filtered, 'filtered');
  });
});

describe('memory over a long run', () => {
  it('stops growing once the hour is full, however many distinct peers there are', () => {
    const agg = new LiveAggregator(1_900_000_000);
    // Fresh random peers every minute: the worst case for cardinality.
    const gen = new FlowLogGenerator({ seed: 8, clients: 200_000, scanners: 50_000 });
    const at: number[] = [];
    const pooled: number[] = [];
    for (let minute = 0; minute < 75; minute++) {
      feed(agg, 1_900_000_000 + minute * 60, 60, 12, gen);
      at.push(agg.footprint().entries);
      pooled.push(agg.footprint().sharedKeys);
    }
    const f = agg.footprint();
    assert.equal(f.buckets, 60 + 60 + 1);
    const afterHour = at.slice(62);
    assert.ok(Math.max(...afterHour) <= Math.min(...afterHour) * 1.15, `still growing after an hour: ${afterHour.join(', ')}`);
    assert.ok(at[61] > at[10] * 2, 'the test feeds enough distinct keys to fill the hour');
    // The minutes' shared keys (see KeyPool): pruned once keys of minutes gone pile up past its slack, so they stop
    // growing with the hour too. The slack is five minutes of new keys, which this stream reaches after the hour.
    assert.ok(pooled.slice(61).some((n, i) => n < pooled[60 + i]), `shared keys never pruned: ${pooled.join(', ')}`);
    assert.ok(pooled[61] > pooled[10] * 2, 'the pool holds the hour\'s keys');
  });
});

describe('busy streams (more keys than the tables hold)', () => {
  it('keep the busiest keys exact and every table adding up, in the sliding 1m and the rebuilt 15m', () => {
    // Seconds as ingest threads hand them over, each with ~1,300 places from a Zipf-like spread: more than the
    // second's cap. A table that kept the first keys it met, or windows that subtracted minute buckets, failed here.
    let seed = 11;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 2 ** 24;
    const start = 1_900_000_000 - (1_900_000_000 % 60);
    const agg = new LiveAggregator(start);
    const history: Array<Map<string, number>> = [];
    const seconds = 16 * 60 + 25;
    for (let s = 0; s < seconds; s++) {
      const counts = new Map<string, number>();
      for (let i = 0; i < 1600; i++) {
        const expected = 700 / (i + 1);
        const n = Math.floor(expected + rnd());
        if (n > 0) counts.set(`C${i % 7}\tregion\tplace ${i}`, n);
      }
      const b = new Bucket(0, SECOND_CAPS);
      // In an order unrelated to size, as hash order is.
      const shuffled = [...counts];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
      }
      for (const [key, n] of shuffled) {
        const country = key.slice(0, 2);
        b.places.add(key, n, n, 100 * n, 0);
        b.countries.add(country, n, n, 100 * n, 0);
        const fact = { country, place: key, asn: 0, port: '6/22', protocol: 6, action: 'ACCEPT', direction: 'inbound', iface: 'eni-1' };
        if (b.facts.size < b.facts.cap) b.facts.add(factKey(fact), n, n, 100 * n, 0);
        else b.facts.add(OTHER, n, n, 100 * n, 0);
        b.totals.records += n;
      }
      history.push(counts);
      agg.arrive(b, [], [], 0);
      agg.tick(start + s + 1);
    }
    const now = start + seconds;
    for (const [window, since] of [['1m', now - 60], ['15m', now - (now % 60) - 14 * 60]] as const) {
      const exact = new Map<string, number>();
      let total = 0;
      for (let s = since - start; s < seconds; s++) {
        for (const [k, n] of history[s]) {
          exact.set(k, (exact.get(k) ?? 0) + n);
          total += n;
        }
      }
      const tables = (agg as unknown as { windows: Record<string, Tables> }).windows[window];
      assert.equal(tables.totals.records, total, window);
      let sum = 0;
      tables.places.forEach((key, n) => {
        sum += n;
        if (key !== '(other)') assert.ok(n <= exact.get(key)!, `${window}: ${key} above its truth`);
      });
      assert.equal(sum, total, `${window}: the places table adds up to the total`);
      const busiest = [...exact].sort((a, b) => b[1] - a[1]).slice(0, 50);
      for (const [key, n] of busiest) assert.equal(tables.places.get(key)?.records, n, `${window}: ${key}`);
      // Narrowed to a country: most of its records are in combinations the facts could not keep, yet the totals
      // are the country's, and every table adds up to them.
      const c3 = [...exact].filter(([k]) => k.startsWith('C3')).reduce((a, [, n]) => a + n, 0);
      const f = agg.filtered(window, { country: 'C3' }, 'test', now * 1000);
      assert.equal(f.totals.records, c3, `${window}: filtered total`);
      assert.deepEqual(f.countries.map((r) => [r.key, r.records]), [['C3', c3]]);
      const shown = new Map(f.places.map((r) => [r.key, r.records]));
      for (const [key, n] of [...exact].filter(([k]) => k.startsWith('C3')).sort((a, b) => b[1] - a[1]).slice(0, 20)) {
        assert.equal(shown.get(key), n, `${window}: ${key} in the filtered view`);
      }
      for (const table of ['asns', 'ports', 'actions'] as const) assert.equal(f[table].reduce((a, r) => a + r.records, 0), c3, table);
      assert.equal(f.series.records.reduce((a, b) => a + b, 0), c3, `${window}: filtered series`);
    }
  });
});

describe('names of places', () => {
  it('keeps the name of every place a window lists, though the hour keeps other places than the last minute', () => {
    // 7,000 places in turn over an hour and more: more names than are kept, so they are pruned every minute. Each
    // window keeps its own busiest places, and every one of them must still have a name for the map to draw it.
    const start = 1_900_000_000 - (1_900_000_000 % 60);
    const agg = new LiveAggregator(start);
    const info = (key: string): PlaceInfo => ({ country_code: 'XX', region: null, city: key, latitude: 1, longitude: 2 });
    const end = 61 * 60 + 5;
    for (let s = 0; s < end; s++) {
      const b = new Bucket(0, SECOND_CAPS);
      const names: Array<[string, PlaceInfo]> = [];
      for (let j = 0; j < 10; j++) {
        const key = `XX\t\tplace ${(s * 10 + j) % 7000}`;
        const n = 1000 + ((s * 7 + j * 13) % 5000);
        b.places.add(key, n, n, n, 0);
        b.totals.records += n;
        names.push([key, info(key)]);
      }
      agg.arrive(b, names, [], 0);
      agg.tick(start + s + 1);
    }
    for (const window of ['1m', '15m', '1h'] as const) {
      const s = agg.summary(window, 'test', (start + end) * 1000);
      const unnamed = s.places.filter((p) => p.latitude === null).map((p) => p.key);
      assert.deepEqual(unnamed, [], `${window}: places without a name`);
    }
  });
});

describe('sketches', () => {
  it('HyperLogLog estimates within 5 % and merges like a union', () => {
    const a = new HyperLogLog();
    const b = new HyperLogLog();
    for (let i = 0; i < 50_000; i++) a.addHash(mix32(i));
    for (let i = 25_000; i < 100_000; i++) b.addHash(mix32(i));
    assert.ok(Math.abs(a.estimate() - 50_000) < 2500, String(a.estimate()));
    a.merge(b.registers);
    assert.ok(Math.abs(estimateOf(a.registers) - 100_000) < 5000, String(a.estimate()));
    const small = new HyperLogLog();
    for (let i = 0; i < 100; i++) small.addHash(mix32(i * 7919));
    assert.ok(Math.abs(small.estimate() - 100) <= 3, String(small.estimate()));
  });
});

describe('a second flattened early when its cells pass the limit', () => {
  it('gives the same bucket and names as a second counted whole', () => {
    const gen = new FlowLogGenerator({ seed: 33, clients: 300, scanners: 60 });
    const whole = new SecondCounter(Infinity);
    const spilling = new SecondCounter(7);
    for (let i = 0; i < 2000; i++) {
      const text = Buffer.from(gen.line());
      assert.equal(line.parse(text, 0, text.length), null);
      view.read(line);
      whole.add(line, view);
      spilling.add(line, view);
    }
    const close = (c: SecondCounter) => {
      const places = new Map<string, PlaceInfo>();
      const orgs = new Map<number, string | null>();
      return { bucket: runToEnd(c.closeSecond(60, places, orgs)), places, orgs };
    };
    const a = close(whole);
    const b = close(spilling);
    const table = (t: TallyTable<string | number>) => new Map(t.top(t.size).map(([k, v]) => [k, v]));
    for (const name of ['countries', 'places', 'asns', 'ports', 'protocols', 'actions', 'directions', 'interfaces', 'facts', 'countryPorts'] as const) {
      assert.ok(a.bucket[name].size < a.bucket[name].cap, `${name} stays under its cap, so no (other) row differs`);
      assert.deepEqual(table(b.bucket[name]), table(a.bucket[name]), name);
    }
    assert.deepEqual(b.bucket.totals, a.bucket.totals);
    assert.equal(b.bucket.start, 60);
    assert.deepEqual(new Set(b.places.keys()), new Set(a.places.keys()));
    assert.deepEqual(new Set(b.orgs.keys()), new Set(a.orgs.keys()));
    assert.equal(b.bucket.distinct.estimate(), a.bucket.distinct.estimate());
    // Remote addresses are a heavy-hitter sketch, whose counts depend on how the parts were merged; the busiest
    // must be the same.
    assert.deepEqual(new Set(b.bucket.addresses.top(5).map((h) => h.key)), new Set(a.bucket.addresses.top(5).map((h) => h.key)));
  });
});
