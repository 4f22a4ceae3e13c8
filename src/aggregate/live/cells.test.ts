import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Located } from '../../enrich/enricher.js';
import { CellTable } from './cells.js';

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
      table.rows[table.countsOf(slot)] += 1;
      table.rows[table.countsOf(slot) + 2] += n;
      const key = `${loc.id}/${combo}/${iface}`;
      want.set(key, (want.get(key) ?? 0) + n);
      assert.equal(table.find(loc, combo, iface), slot);
    }
    const got = new Map<string, number>();
    for (let slot = 0; slot < table.capacity; slot++) {
      if (table.locations[slot] === undefined) continue;
      const key = `${table.locations[slot]!.id}/${table.comboOf(slot)}/${table.interfaces[slot].slice(4)}`;
      got.set(key, table.rows[table.countsOf(slot) + 2]);
    }
    assert.equal(table.size, want.size);
    assert.deepEqual(got, want);
    assert.equal(table.find(new Located(geo, 'DE\t\t', 0, 1), 1, 1), -1);
  });
  it('keeps locations apart however long the run: ids never repeat, even past 2^32 where hashes do', () => {
    const table = new CellTable();
    const counter = Located as unknown as { count: number };
    const saved = counter.count;
    try {
      counter.count = 2 ** 32 - 1;
      const a = new Located(geo, 'DE\t\t', 0, 1);
      counter.count = 2 ** 33 - 1;
      const b = new Located(geo, 'DE\t\t', 0, 1);
      assert.deepEqual([a.id, b.id], [2 ** 32, 2 ** 33]);
      const sa = table.slot(a, 7, 1, 'eni-1');
      const sb = table.slot(b, 7, 1, 'eni-1');
      assert.notEqual(sa, sb, 'ids equal in their low 32 bits hash alike; their cells must stay apart');
      assert.equal(table.find(a, 7, 1), sa);
      assert.equal(table.find(b, 7, 1), sb);
      assert.equal(table.locations[sb], b);
    } finally {
      counter.count = saved;
    }
  });
});
