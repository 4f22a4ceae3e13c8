// Memory of the live tables over two hours of simulated time (fed as fast as they go, so it takes about a minute):
// the hour window fills with minute buckets for 60 minutes, then should stay flat however long the stream runs.
// node --expose-gc bench/plateau.mjs [RECORDS_PER_SECOND] → JSON lines {minute, heapMiB, entries}
import { FlowLine } from '../dist/parse/line.js';
import { DEFAULT_FORMAT } from '../dist/parse/format.js';
import { Enricher } from '../dist/enrich/enricher.js';
import { FlowView } from '../dist/enrich/flow-view.js';
import { LiveAggregator } from '../dist/aggregate/live/live.js';
import { FlowLogGenerator } from '../dist/sources/demo/generator.js';

const perSecond = Number(process.argv[2] ?? 400);
const view = new FlowView(Enricher.open());
view.warm();
const line = new FlowLine(DEFAULT_FORMAT);
// Many distinct peers, so every capped table fills.
const gen = new FlowLogGenerator({ seed: 5, clients: 200_000, scanners: 20_000 });
const start = 1_800_000_000 - (1_800_000_000 % 60);
const live = new LiveAggregator(start);
for (let s = 0; s <= 7200; s++) {
  live.tick(start + s);
  for (let i = 0; i < perSecond; i++) {
    const text = Buffer.from(gen.line());
    if (line.parse(text, 0, text.length) !== null) continue;
    view.read(line);
    live.add(line, view);
  }
  if (s % 600 === 0) {
    live.summary('1h', 'bench', (start + s) * 1000);
    global.gc();
    console.log(JSON.stringify({ minute: s / 60, heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20), entries: live.footprint().entries }));
  }
}
