import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LiveAggregator } from '../src/aggregate/live/live.js';
import { Enricher } from '../src/enrich/enricher.js';
import { FlowView } from '../src/enrich/flow-view.js';
import { formatIPv4 } from '../src/parse/address.js';
import { DEFAULT_FORMAT } from '../src/parse/format.js';
import { FlowReader } from '../src/parse/reader.js';
import { FlowLogGenerator } from '../src/sources/demo/generator.js';
import { merge } from '../web/src/store.js';

describe('dashboard: several producers merged', () => {
  it('adds the busiest addresses as lower bounds, with an error that covers what each producer may have missed', () => {
    const gen = new FlowLogGenerator({ seed: 21 });
    const view = new FlowView(Enricher.open());
    const producers = [new LiveAggregator(0), new LiveAggregator(0)];
    // Exact counts of remote addresses over both producers, taken the way the live tables pick the remote side.
    const truth = new Map<string, number>();
    const readers = producers.map((live) => new FlowReader({ format: DEFAULT_FORMAT }, (line) => {
      view.read(line);
      live.add(line, view);
      if (line.isStatusRecord() || view.remote === null) return;
      const ep = view.endpoints;
      const v4 = view.remoteIsSource ? ep.srcV4 : ep.dstV4;
      const key = v4 >= 0 ? formatIPv4(v4) : line.text(view.remoteIsSource ? ep.srcCol : ep.dstCol)!;
      truth.set(key, (truth.get(key) ?? 0) + 1);
    }, () => {}));
    readers.forEach((r) => r.begin('test'));
    for (let second = 1; second <= 30; second++) {
      readers.forEach((r, i) => r.chunk(Buffer.from(Array.from({ length: 3000 + 2000 * i }, () => `${gen.line()}\n`).join(''))));
      producers.forEach((p) => p.tick(second));
    }
    const merged = merge(producers.map((p, i) => p.summary('1m', `p${i}`, Date.now())))!;
    assert.ok(merged.addresses.length > 50, 'the union of both lists');
    for (const row of merged.addresses) {
      const n = truth.get(row.key) ?? 0;
      assert.ok(row.records <= n && n <= row.records + row.error, `${row.key}: ${n} records, listed ${row.records} + ${row.error}`);
    }
    const busiest = [...truth].reduce((a, b) => (b[1] > a[1] ? b : a));
    assert.equal(merged.addresses[0].key, busiest[0]);
  });
});
