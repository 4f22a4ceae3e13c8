// Where the time goes: the same in-memory input through growing prefixes of the pipeline.
// node bench/stages.mjs FILE [RECORDS]
import { readFileSync } from 'node:fs';
import { FlowReader } from '../dist/parse/reader.js';
import { DEFAULT_FORMAT } from '../dist/parse/format.js';
import { Endpoints } from '../dist/classify/endpoints.js';
import { Enricher } from '../dist/enrich/enricher.js';
import { FlowView } from '../dist/enrich/flow-view.js';
import { GroupBy } from '../dist/aggregate/group-by.js';
import { NdjsonWriter } from '../dist/sinks/ndjson.js';
import { LiveAggregator } from '../dist/aggregate/live/live.js';

const CHUNK = 1 << 20;

function run(data, onRecord) {
  const reader = new FlowReader({ format: DEFAULT_FORMAT }, onRecord, () => {});
  reader.begin('bench');
  const t = process.hrtime.bigint();
  for (let s = 0; s < data.length; s += CHUNK) reader.chunk(data.subarray(s, s + CHUNK));
  reader.end();
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  return { seconds, records: reader.records };
}

export function stages(file) {
  const data = readFileSync(file);
  const enricher = Enricher.open();
  const view = new FlowView(enricher);
  const ep = new Endpoints();
  const writer = new NdjsonWriter(null);
  const steps = {
    'parse': () => {},
    'parse+classify': (line) => ep.read(line),
    'parse+classify+locate': (line) => view.read(line),
    'parse+classify+locate+aggregate': (() => {
      const g = new GroupBy(['src_country', 'src_city', 'action']);
      return (line) => { view.read(line); if (view.hasPublic) g.add(line, view); };
    })(),
    // serve's live tables, one second closed every 100k records (the rate the bench's serve reaches).
    'parse+classify+locate+live': (() => {
      const live = new LiveAggregator(0);
      let n = 0;
      let second = 0;
      return (line) => { view.read(line); live.add(line, view); if (++n % 100_000 === 0) live.tick(++second); };
    })(),
    'parse+classify+locate+ndjson': (line) => {
      view.read(line);
      if (view.hasPublic) writer.write(line, view);
      // Dropped, not flushed: a flush waits for the stream's 'drain', which never comes inside this loop, and the
      // held output (hundreds of MiB) would be measured as the writer's cost.
      if (writer.pending > 8 << 20) writer.take();
    },
  };
  run(data, steps['parse+classify+locate']); // warm caches and JIT once, as a long run would be
  // Rounds of every stage in turn, best of three per stage: a slow spell of this machine then slows one run of
  // each stage rather than all runs of one, which would make a stage look dearer than the one after it.
  const out = {};
  for (let round = 0; round < 3; round++) {
    for (const [name, fn] of Object.entries(steps)) {
      const r = run(data, fn);
      if (out[name] === undefined || r.seconds < out[name].seconds) out[name] = { seconds: r.seconds, recordsPerSecond: r.records / r.seconds };
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [k, v] of Object.entries(stages(process.argv[2]))) console.log(k.padEnd(36), `${(v.recordsPerSecond / 1e6).toFixed(2)} M/s`, `${v.seconds.toFixed(3)} s`);
}
