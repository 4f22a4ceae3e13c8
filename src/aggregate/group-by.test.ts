import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { V2 } from '../../test/samples.js';
import { Enricher } from '../enrich/enricher.js';
import { FlowView } from '../enrich/flow-view.js';
import { DEFAULT_FORMAT } from '../parse/format.js';
import { FlowReader } from '../parse/reader.js';
import { FlowLogGenerator } from '../sources/demo/generator.js';
import { DrainedGroups, GroupBy } from './group-by.js';

const enricher = Enricher.open();

/** Groups the lines two ways: with GroupBy, and with one Map keyed by the plain values read off the view. */
function both(text: string, dims: string[]) {
  const view = new FlowView(enricher);
  const group = new GroupBy(dims);
  const plain = new Map<string, number[]>();
  const reader = new FlowReader({ format: DEFAULT_FORMAT }, (line) => {
    view.read(line);
    if (!view.hasPublic) return;
    group.add(line, view);
    const col = line.format.col;
    const key = JSON.stringify([view.src?.geo.country_code ?? null, view.src?.geo.city ?? null,
      view.src?.geo.region ?? null, line.text(col.action), Number.isNaN(line.nums[col.dstport]) ? null : line.nums[col.dstport]]);
    const t = plain.get(key) ?? [0, 0, 0];
    plain.set(key, [t[0] + 1, t[1] + line.nums[col.packets], t[2] + line.nums[col.bytes]]);
  }, (r) => assert.fail(`${r.where}: ${r.detail}`));
  reader.begin('test');
  reader.chunk(Buffer.from(text));
  reader.end();
  return { group, plain };
}

describe('GroupBy', () => {
  it('finds each group once, whether by composite code or by the nested keys', () => {
    const gen = new FlowLogGenerator({ seed: 11, clients: 3000, scanners: 200 });
    // Ports past the coded range and an action that is not ACCEPT/REJECT have no code: they take the nested path.
    const odd = [V2.accept.replace(' 22 6 ', ' 65535 6 '), V2.accept.replace('ACCEPT', 'DROP'), V2.accept];
    const lines = [...Array.from({ length: 30000 }, () => gen.line()), ...odd, ...odd];
    const { group, plain } = both(`${lines.join('\n')}\n`, ['src_country', 'src_city', 'action', 'dst_port']);
    const got = new Map<string, number[]>();
    for (const { keys, totals } of group.rows()) {
      const city = keys[1] === null ? [null, null] : String(keys[1]).split('\t').slice(1).reverse().map((x) => x || null);
      got.set(JSON.stringify([keys[0], ...city, keys[2], keys[3]]), [totals.records, totals.packets, totals.bytes]);
    }
    assert.equal(group.groups, plain.size);
    assert.deepEqual(got, plain);
    assert.ok(plain.size > 1000, 'enough groups to mean something');
  });
});

describe('GroupBy by address', () => {
  it('counts each address pair once: IPv4 found by code, IPv6 (no code) by its text', () => {
    const gen = new FlowLogGenerator({ seed: 13, clients: 3000, scanners: 200 });
    const lines = [...Array.from({ length: 20000 }, () => gen.line()), V2.ipv6, V2.ipv6];
    const view = new FlowView(enricher);
    const group = new GroupBy(['srcaddr', 'dstaddr']);
    const plain = new Map<string, number>();
    const reader = new FlowReader({ format: DEFAULT_FORMAT }, (line) => {
      view.read(line);
      if (!view.hasPublic) return;
      group.add(line, view);
      const key = JSON.stringify([line.text(line.format.col.srcaddr), line.text(line.format.col.dstaddr)]);
      plain.set(key, (plain.get(key) ?? 0) + 1);
    }, (r) => assert.fail(r.detail));
    reader.begin('t');
    reader.chunk(Buffer.from(`${lines.join('\n')}\n`));
    reader.end();
    const got = new Map(group.rows().map((r) => [JSON.stringify(r.keys), r.totals.records]));
    assert.deepEqual(got, plain);
    assert.equal(got.get(JSON.stringify(V2.ipv6.split(' ').slice(3, 5))), 2);
    assert.ok([...plain.keys()].filter((k) => k.includes(':')).length > 10, 'IPv6 pairs from the generator too');
  });
});

describe('GroupBy drains (how threads hand segments over)', () => {
  // Coded dimensions find groups by number in each thread and by key text when merged; interface_id has no code,
  // so there every thread uses the nested maps.
  for (const dims of [['src_country', 'src_city', 'action'], ['srcaddr', 'dst_port'], ['interface_id', 'srcaddr']]) {
    it(`merging drained segments of two threads gives what one GroupBy counts (${dims.join(',')})`, () => {
      const gen = new FlowLogGenerator({ seed: 12, clients: 2000, scanners: 100 });
      const segments = Array.from({ length: 12 }, () => Array.from({ length: 800 }, () => gen.line()).join('\n'));
      const view = new FlowView(enricher);
      const feed = (text: string, into: GroupBy) => {
        const reader = new FlowReader({ format: DEFAULT_FORMAT }, (line) => {
          view.read(line);
          if (view.hasPublic) into.add(line, view);
        }, (r) => assert.fail(r.detail));
        reader.begin('t');
        reader.chunk(Buffer.from(`${text}\n`));
        reader.end();
      };
      const whole = new GroupBy(dims);
      for (const s of segments) feed(s, whole);

      const threads = [new GroupBy(dims), new GroupBy(dims)];
      const announced = [new DrainedGroups(), new DrainedGroups()];
      const merged = new GroupBy(dims);
      // Thread 1 first reads segment 5 and that read is thrown away (as when a header earlier changed the format):
      // its groups are announced, its counts never merged.
      feed(segments[5], threads[1]);
      announced[1].learn(threads[1].drain().added);
      segments.forEach((s, i) => {
        // Segment 0 and 7 are read by the merging thread itself, as a gzip file between split ones is: its own
        // groups and the merged ones must be the same groups.
        if (i === 0 || i === 7) {
          feed(s, merged);
          return;
        }
        const t = i % 2;
        feed(s, threads[t]);
        const d = threads[t].drain();
        announced[t].learn(d.added);
        merged.mergeDrained(announced[t], d.counts);
      });
      const table = (g: GroupBy) => new Map(g.rows().map((r) => [JSON.stringify(r.keys), [r.totals.records, r.totals.packets, r.totals.bytes]]));
      assert.deepEqual(table(merged), table(whole));
      assert.equal(merged.groups, whole.groups);
      assert.ok(whole.groups > 300, `${whole.groups} groups`);
      // A drain hands over the groups counted since the last one, not every group the thread knows.
      assert.equal(threads[0].drain().counts.length, 0);
      const public1 = segments[2].split('\n').find((l) => / (ACCEPT|REJECT) OK$/.test(l) && !/ 10\./.test(l.split(' ')[3]))!;
      feed(Array(5).fill(public1).join('\n'), threads[0]);
      const once = threads[0].drain();
      assert.deepEqual([...once.counts].filter((_, i) => i % 4 === 1), [5], 'one group, five records');
      assert.equal(once.added.length, 0, 'no new groups');
    });
  }
});
