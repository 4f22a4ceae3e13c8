// npm run bench: measures the batch commands on generated flow logs beside a naive implementation, in one run
// on this machine, and writes docs/BENCHMARKS.md. Sizes: BENCH_SIZES=1000000,10000000 (default).
import { spawnSync, execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { generate } from './generate.mjs';
import { stages } from './stages.mjs';
import { serveBench } from './serve.mjs';

const root = new URL('..', import.meta.url).pathname;
const out = `${root}bench/out`;
mkdirSync(out, { recursive: true });
const sizes = (process.env.BENCH_SIZES ?? '1000000,10000000').split(',').map(Number);
const label = (n) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);

async function input(n) {
  const path = `${out}/flows-${label(n).toLowerCase()}.log`;
  if (!existsSync(path)) {
    console.error(`generating ${path}`);
    await generate(path, n, 42);
  }
  return path;
}

/** Runs the CLI and reads its own summary (time, records/s, peak memory) from stderr. */
function cli(args) {
  const devnull = openSync('/dev/null', 'w');
  const r = spawnSync(process.execPath, [`${root}bin/ipgeolocator.js`, ...args, '--no-progress'],
    { stdio: ['ignore', devnull, 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26 });
  closeSync(devnull);
  const m = /time: ([\d.]+) s, ([\d,]+) records\/s, peak memory (\d+) MiB/.exec(r.stderr);
  if (r.status !== 0 || m === null) throw new Error(`ipgeolocator ${args.join(' ')} failed:\n${r.stderr}`);
  return { seconds: Number(m[1]), recordsPerSecond: Number(m[2].replaceAll(',', '')), peakMiB: Number(m[3]) };
}

function naive(path) {
  const r = spawnSync(process.execPath, [`${root}bench/naive.mjs`, path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const j = JSON.parse(r.stdout);
  return { seconds: j.seconds, recordsPerSecond: j.recordsPerSecond, peakMiB: Math.round(j.peakMiB) };
}

const REPORT = ['report', '--by', 'src_country,src_city,action'];
const results = { date: new Date().toISOString(), cpus: cpus().length, cpu: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version, commit: execSync('git rev-parse --short HEAD', { cwd: root }).toString().trim(), runs: [], stages: null };

// BENCH_BATCH=0 re-measures only the live path and keeps the batch results of the last full run.
const previous = process.env.BENCH_BATCH === '0' ? JSON.parse(readFileSync(`${out}/results.json`, 'utf8')) : null;
if (previous) {
  results.runs = previous.runs;
  results.stages = previous.stages;
  results.batchCommit = previous.batchCommit ?? previous.commit;
}
for (const n of previous ? [] : sizes) {
  const path = await input(n);
  const run = (name, f) => {
    console.error(`${label(n)} ${name}…`);
    const r = f();
    results.runs.push({ size: n, name, ...r });
    console.error(`  ${(r.recordsPerSecond / 1e6).toFixed(3)} M records/s, ${r.seconds.toFixed(2)} s, ${r.peakMiB} MiB`);
  };
  if (n <= 2_000_000) run('naive report (readline + split + ipaddr.js + maxmind)', () => naive(path));
  run('report, 1 thread', () => cli([...REPORT, path, '--jobs', '1']));
  run('report, all cores', () => cli([...REPORT, path, '--jobs', '0', '--segment-bytes', String(4 << 20)]));
  run('enrich → NDJSON, 1 thread', () => cli(['enrich', path, '--jobs', '1']));
  run('enrich → NDJSON, all cores', () => cli(['enrich', path, '--jobs', '0', '--segment-bytes', String(4 << 20)]));
}
if (!previous) {
  console.error('stages…');
  results.stages = stages(await input(sizes[0]));
  results.batchCommit = results.commit;
}
if (process.env.BENCH_SERVE !== '0') {
  results.serve = await serveBench({ long: process.env.BENCH_LONG === '1' });
  // A short re-run keeps the last 10-minute memory curve, marked with the commit it was measured at.
  if (!results.serve.memory && previous?.serve?.memory) {
    results.serve.memory = previous.serve.memory;
    results.serve.memoryCommit = previous.serve.memoryCommit ?? previous.commit;
  }
}
writeFileSync(`${out}/results.json`, JSON.stringify(results, null, 2));
writeFileSync(`${root}docs/BENCHMARKS.md`, render(results));
console.error('wrote docs/BENCHMARKS.md');

function renderServe(s) {
  const k = (x) => `${Math.round(x / 1000)}k`;
  const lat = s.latency.map((l) => `| ${k(l.rate)} records/s (sent ${k(l.achieved)}/s) | 100 | ${l.p50} | ${l.p99} | ${l.max} | ${l.samples} | ${l.peakMiB} |`);
  const mem = s.memory ? `\nMemory of a \`serve --demo --demo-rate 20000\` process${s.memoryCommit ? ` (measured at commit ${s.memoryCommit})` : ''}, one sample a minute (RSS, MiB): ${s.memory.filter((m) => m.minute !== undefined).map((m) => m.rssMiB).join(', ')}; peak ${s.memory.find((m) => m.peakMiB)?.peakMiB} MiB.\n` : '\nThe 10-minute memory run is skipped unless BENCH_LONG=1.\n';
  return `## serve: the live path

A \`serve\` process on this machine, fed by HTTP ingest (\`POST /ingest/lines\`, 20,000 lines a request, two requests in
flight) from the benchmark process, which also runs the MQTT.js viewers — both share the same two cores.

- Ingest → parse → classify → enrich → aggregate → publish: **${k(s.throughputNoViewers)} records/s** with no viewer,
  **${k(s.throughput100Viewers)} records/s** with 100 MQTT-over-WebSocket viewers subscribed to every topic (peak ${s.peakMiBAfterThroughput} MiB).

Ingest-to-viewer latency: each line carries its send time; every viewer measures, for each sampled event it receives,
now minus that time (events are batched every 100 ms, so about 50 ms of it is batching by design).

| input rate | viewers | p50 ms | p99 ms | max ms | samples | server peak MiB |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${lat.join('\n')}

The dashboard in Debian's Chromium (1920×1080, headless, software rendering) while 100k records/s flow in:
**${s.dashboard.fps.toFixed(1)} frames/s**, worst frame ${Math.round(s.dashboard.worstFrameMs)} ms, ${s.dashboard.domNodes} DOM nodes.
${mem}
`;
}

function render(r) {
  const rate = (x) => (x.recordsPerSecond / 1e6).toFixed(3);
  const rows = r.runs.map((x) => `| ${label(x.size)} | ${x.name} | ${rate(x)} | ${x.seconds.toFixed(2)} | ${x.peakMiB} |`);
  const naiveRun = r.runs.find((x) => x.name.startsWith('naive'));
  const ratio = (name) => {
    const x = r.runs.find((y) => y.size === naiveRun?.size && y.name === name);
    return naiveRun && x ? `${(x.recordsPerSecond / naiveRun.recordsPerSecond).toFixed(1)}×` : 'n/a';
  };
  const stageRows = Object.entries(r.stages).map(([k, v]) => `| ${k} | ${(v.recordsPerSecond / 1e6).toFixed(2)} | ${(1e9 / v.recordsPerSecond).toFixed(0)} |`);
  const bySize = (name) => r.runs.filter((x) => x.name === name).map((x) => `${label(x.size)}: ${x.seconds.toFixed(1)} s, ${x.peakMiB} MiB`).join('; ');
  return `# Benchmarks

Measured by \`npm run bench\` (bench/run.mjs) on ${r.date.slice(0, 10)} (batch at commit ${r.batchCommit}, live path at ${r.commit}): ${r.cpus} × ${r.cpu}, ${r.memGiB} GiB,
Node.js ${r.node}. Inputs are generated by bench/generate.mjs (seed 42): VPC Flow Logs version 2 lines with Zipf-popular
public clients over the whole IPv4 space, scanners on 22/23/3389/445 (mostly REJECT), outbound API calls, east-west
traffic, 4 % IPv6 and 1 % NODATA. Each number is one cold run of the real CLI (start-up and database loading included),
read from its own summary line; \`peak memory\` is the process's maximum resident set, all threads together.
This machine is shared and noisy: runs of the same command differ by up to ±20 %.

## End to end

| input | command | M records/s | seconds | peak MiB |
| --- | --- | ---: | ---: | ---: |
${rows.join('\n')}

\`report --by src_country,src_city,action\` against the naive baseline in the same run: 1 thread ${ratio('report, 1 thread')},
all cores ${ratio('report, all cores')}; \`enrich\`: ${ratio('enrich → NDJSON, 1 thread')} and ${ratio('enrich → NDJSON, all cores')}.

How cost grows with input (time should grow linearly, memory stay flat):
- report, 1 thread — ${bySize('report, 1 thread')}
- report, all cores — ${bySize('report, all cores')}
- enrich, all cores — ${bySize('enrich → NDJSON, all cores')}

## Where the time goes (one thread, 1M records already in memory, warm, best of two)

| stages | M records/s | ns/record |
| --- | ---: | ---: |
${stageRows.join('\n')}

Each row adds one stage to the one above; the difference between rows is that stage's cost.

${r.serve ? renderServe(r.serve) : ''}
## Notes

- The naive baseline (bench/naive.mjs) is what one writes first: readline, \`split(' ')\`, \`ipaddr.js\` to classify,
  the \`maxmind\` reader with its defaults. It is measured here, in the same run, because absolute numbers on this
  machine vary from day to day.
- Start-up (reading the 63 MB IPv4 and, on the first IPv6 address, the 71 MB IPv6 city database, and indexing the
  ASN ranges) is about 0.5–1 s of every run; it is why 1M-record runs look slower than 10M-record ones.
- "All cores" splits plain-text files into segments read by worker threads that share one copy of the databases;
  gzip and JSON inputs are read by one thread.
`;
}
