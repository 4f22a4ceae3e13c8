import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Located, type Geo } from '../enrich/enricher.js';
import { GeoJsonArena } from './geo-json.js';

function answer(i: number): Located {
  const geo: Geo = {
    country_code: 'DE', country: 'Germany', region: i % 3 === 0 ? null : `Region ${i}`, city: `Stadt-${'ü'.repeat(i % 7)}${i}`,
    latitude: 50 + i / 1000, longitude: 8.25, accuracy_km: null, asn: 3320 + i, as_org: i % 2 ? 'Deutsche "Telekom" AG' : null,
  };
  return new Located(geo, `DE\t\t${i}`, i, 1);
}

function bytesOf(arena: GeoJsonArena, loc: Located): string {
  return Buffer.from(arena.bytesOf(loc)).toString('utf8');
}

test('an answer asked for reads back as its JSON, alone and as the second of a pair, across many block switches', () => {
  // Blocks of a few answers each: switches, copies from the previous block and remakes happen all the time.
  const arena = new GeoJsonArena(2000);
  const answers = Array.from({ length: 40 }, (_, i) => answer(i));
  let seed = 7;
  const pick = () => answers[(seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % (seed & 1 ? 5 : answers.length)];
  for (let step = 0; step < 5000; step++) {
    const a = pick();
    const b = pick();
    const n = arena.ready(a);
    const m = arena.ready(b);
    // Both are present after the second call, as the NDJSON writer relies on.
    assert.equal(bytesOf(arena, a), JSON.stringify(a.geo), `step ${step}`);
    assert.equal(bytesOf(arena, b), JSON.stringify(b.geo), `step ${step}`);
    assert.equal(n, Buffer.byteLength(JSON.stringify(a.geo)));
    assert.equal(m, Buffer.byteLength(JSON.stringify(b.geo)));
  }
});

test('an answer too large for a block is refused rather than written past it', () => {
  const arena = new GeoJsonArena(64);
  assert.throws(() => arena.ready(answer(1)), /does not fit a JSON block/);
});
