import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Located } from '../../enrich/enricher.js';
import { CELL_WIDTH, CellTable } from './cells.js';

const geo = { country_code: 'DE', country: 'Germany', region: null, city: null, latitude: null, longitude: null, accuracy_km: null, asn: null, as_org: null };

describe('CellTable', () => {
  it('keeps every cell and its counts apart through growth, as a Map of composite keys does', () => {
    const table = new CellTable(4);
    const locations = Array.from({ length: 50 }, () => new Located(geo, 'DE\t\t', 0, 1));
    const want = new Map<string, number>();
    let seed = 1;
    for (let n = 0; n < 20000; n++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const loc = locations[seed % 50];
      const combo = (seed >>> 8) % 7 === 0 ? 0x1fffffff : (seed >>> 8) % 300;
      const iface = (seed >>> 16) % 5 - 1; // -1 is "(other)"
      const slot = table.slot(loc, combo, iface, `eni-${iface}`);
      table.counts[slot * CELL_WIDTH] += 1;
      table.counts[slot * CELL_WIDTH + 2] += n;
      const key = `${loc.id}/${combo}/${iface}`;
      want.set(key, (want.get(key) ?? 0) + n);
      assert.equal(table.find(loc, combo, iface, `eni-${iface}`), slot);
    }
    const got = new Map<string, number>();
    for (let slot = 0; slot < table.capacity; slot++) {
      if (table.locations[slot] === undefined) continue;
      const key = `${table.locations[slot]!.id}/${table.comboOf(slot)}/${table.interfaces[slot].slice(4)}`;
      got.set(key, table.counts[slot * CELL_WIDTH + 2]);
    }
    assert.equal(table.size, want.size);
    assert.deepEqual(got, want);
    assert.equal(table.find(new Located(geo, 'DE\t\t', 0, 1), 1, 1, 'eni-1'), -1);
  });
  it('keeps two locations apart even when their ids are equal (ids wrap in a long run)', () => {
    const table = new CellTable();
    const loc = new Located(geo, 'DE\t\t', 0, 1);
    const twin = Object.assign(Object.create(Located.prototype) as Located, { ...loc });
    assert.equal(twin.id, loc.id);
    const a = table.slot(loc, 7, 1, 'eni-1');
    const b = table.slot(twin, 7, 1, 'eni-1');
    assert.notEqual(a, b);
    assert.equal(table.find(loc, 7, 1, 'eni-1'), a);
    assert.equal(table.find(twin, 7, 1, 'eni-1'), b);
  });
});
