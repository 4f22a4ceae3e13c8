import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Enricher } from '../enrich/enricher.js';
import { FlowView } from '../enrich/flow-view.js';
import { DEFAULT_FORMAT } from '../parse/format.js';
import { FlowLine } from '../parse/line.js';
import { EventSampler, mergeSamples } from './events.js';

const view = new FlowView(Enricher.open());
const line = new FlowLine(DEFAULT_FORMAT);

/** A record whose `bytes` field numbers it, so a sample tells which records it took. */
function offer(sampler: EventSampler, n: number): void {
  const text = Buffer.from(`2 123456789010 eni-1 8.8.8.8 10.0.0.1 443 50000 6 1 ${n} 1418530010 1418530070 ACCEPT OK`);
  assert.equal(line.parse(text, 0, text.length), null);
  view.read(line);
  sampler.offer(line, view);
}

/** A seeded generator (mulberry32), so the test draws the same numbers every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe('EventSampler', () => {
  it('sends the rate asked for, also below one event an interval', () => {
    for (const [perSecond, intervalMs] of [[200, 50], [5, 50], [3, 100], [1, 50], [0, 50]]) {
      const sampler = new EventSampler(perSecond, intervalMs, seeded(1));
      const intervals = (10 * 1000) / intervalMs; // ten seconds
      let sent = 0;
      let largest = 0;
      for (let k = 0; k < intervals; k++) {
        for (let n = 0; n < 50; n++) offer(sampler, n + 1);
        const { events, skipped } = sampler.take();
        assert.equal(events.length + skipped, 50);
        sent += events.length;
        largest = Math.max(largest, events.length);
      }
      assert.equal(sent, perSecond * 10, `${perSecond}/s in ${intervalMs} ms intervals`);
      assert.ok(largest <= Math.ceil((perSecond * intervalMs) / 1000), 'never more than an interval\'s share at once');
    }
  });
  it('samples every record of an interval with the same chance', () => {
    // 100 records an interval, 10 kept: each record should be kept in about 10 % of 4000 intervals.
    const sampler = new EventSampler(200, 50, seeded(7));
    const kept = new Array(101).fill(0);
    for (let k = 0; k < 4000; k++) {
      for (let n = 1; n <= 100; n++) offer(sampler, n);
      for (const e of sampler.take().events as Array<{ bytes: number }>) kept[e.bytes]++;
    }
    const counts = kept.slice(1);
    assert.equal(counts.reduce((a, b) => a + b, 0), 4000 * 10);
    // Binomial(4000, 0.1): mean 400, sd 19; the first and the last records must not be favoured.
    for (let n = 0; n < 100; n++) assert.ok(Math.abs(counts[n] - 400) < 100, `record ${n + 1} kept ${counts[n]} times`);
    const firstTen = counts.slice(0, 10).reduce((a, b) => a + b, 0);
    const lastTen = counts.slice(90).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(firstTen - lastTen) < 300, `first ten ${firstTen}, last ten ${lastTen}`);
  });
  it('merges samples taken on other threads into one uniform sample within the budget', () => {
    // Three streams in one interval: 90, 10 and 0 records here, on "thread A" and on "thread B". Records are
    // numbered 1–100 over all of them; each should be published in about 10 % of the intervals, whatever its
    // stream, and the total never exceeds the budget of 10.
    const random = seeded(3);
    const main = new EventSampler(200, 50, random);
    const a = new EventSampler(200, 50, random, true);
    const b = new EventSampler(200, 50, random, true);
    const kept = new Array(101).fill(0);
    for (let k = 0; k < 4000; k++) {
      for (let n = 1; n <= 90; n++) offer(main, n);
      for (let n = 91; n <= 100; n++) offer(a, n);
      const { events, skipped } = main.takeMerged([a.takeSample(), b.takeSample()]);
      assert.equal(events.length, 10);
      assert.equal(skipped, 90);
      for (const e of events as Array<{ bytes: number }>) kept[e.bytes]++;
    }
    const counts = kept.slice(1);
    for (let n = 0; n < 100; n++) assert.ok(Math.abs(counts[n] - 400) < 100, `record ${n + 1} kept ${counts[n]} times`);
    const threadA = counts.slice(90).reduce((x, y) => x + y, 0);
    assert.ok(Math.abs(threadA - 4000) < 400, `thread A's 10 % of records got ${threadA} of 40000 picks`);
    assert.equal(main.publishedTotal, 40000);
  });
  it('takes everything when the streams together saw less than the budget', () => {
    const events = mergeSamples([{ events: [{ n: 1 }], seen: 1, budget: 10 }, { events: [{ n: 2 }, { n: 3 }], seen: 2, budget: 10 }], 10, seeded(5));
    assert.deepEqual(events.map((e) => (e as { n: number }).n).sort(), [1, 2, 3]);
  });
});
