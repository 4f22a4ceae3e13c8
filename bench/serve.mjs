// The live path, measured end to end with real parts: a `serve` process, HTTP ingest, real MQTT-over-WebSocket
// viewers (MQTT.js) and Debian's Chromium for the dashboard's frame rate. node bench/serve.mjs [--long]
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';
import { FlowLogGenerator } from '../dist/sources/demo/generator.js';
import { viewers } from './viewers.mjs';

const root = new URL('..', import.meta.url).pathname;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startServe(extra = []) {
  const port = await freePort();
  const proc = spawn(process.execPath, [`${root}bin/ipgeolocator.js`, 'serve', '--port', String(port), '--mqtt-port', '0',
    '--log-level', 'error', '--tick-seconds', '1', ...(extra.includes('--demo') ? [] : ['--no-demo']), ...extra], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
    } catch { await sleep(100); }
  }
  // The serving process reports its own memory (`serve` runs itself again with its heap limit, so proc.pid may
  // be the small parent that waits for it).
  const stats = async () => (await fetch(`http://127.0.0.1:${port}/api/stats`)).json();
  const memory = async () => (await stats()).memory;
  const peakMiB = async () => (await memory()).peak_rss;
  const rssMiB = async () => (await memory()).rss;
  return { port, url: `http://127.0.0.1:${port}`, stats, peakMiB, rssMiB, stop: () => new Promise((r) => { proc.once('exit', r); proc.kill('SIGTERM'); }) };
}

async function post(url, body) {
  const r = await fetch(`${url}/ingest/lines`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
  return r.json();
}

/**
 * Ingest as fast as it goes for `seconds`, `inFlight` requests at a time: records/s through the whole pipeline.
 * With two in flight an ingest thread waits for its next body while a reply goes back and the next request comes
 * (about 15 % of its time in a profile); a sender with more in flight, as Firehose delivers, keeps it busy.
 */
async function throughput(server, seconds, inFlight = 2) {
  const gen = new FlowLogGenerator({ seed: 7 });
  const bodies = Array.from({ length: 8 }, () => stamped(Array.from({ length: 20_000 }, () => gen.line()), 0));
  const until = Date.now() + seconds * 1000;
  let records = 0;
  const before = (await server.stats()).records;
  const started = Date.now();
  await Promise.all(Array.from({ length: inFlight }, async (_, w) => {
    for (let i = w; Date.now() < until; i += inFlight) {
      // Not `records += (await …)`: that reads `records` before the await, and the other request's additions
      // in the meantime would be lost (this undercounted by half until 2026-11-27).
      const accepted = (await post(server.url, bodies[i % bodies.length])).accepted;
      records += accepted;
    }
  }));
  const elapsed = (Date.now() - started) / 1000;
  // The server's own count is the check on ours.
  const counted = (await server.stats()).records - before;
  if (counted !== records) throw new Error(`the server read ${counted} records, the responses said ${records}`);
  return records / elapsed;
}

/**
 * Sends `rate` records/s for `seconds` in 20 batches a second, each line stamped with its send time. The lines are
 * generated beforehand (a pool of up to 400,000, used in turn), so that building them neither delays a send nor
 * takes the cores from the server while it is measured. Returns the rate achieved and when sending started.
 */
async function steady(server, rate, seconds) {
  const gen = new FlowLogGenerator({ seed: 11 });
  // Split from one string: flat slices of it, which join copies fast (each generated line is a rope of pieces, and
  // joining 5,000 of those took ~20 ms a batch, most of the sender's time).
  const pool = Array.from({ length: Math.min(rate * seconds, 400_000) }, () => gen.line()).join('\n').split('\n');
  const per = Math.max(1, Math.round(rate / 20));
  const t0 = Date.now();
  let sent = 0;
  for (let i = 0; i < seconds * 20; i++) {
    const due = t0 + i * 50;
    if (due > Date.now()) await sleep(due - Date.now());
    const from = (i * per) % pool.length;
    void post(server.url, stamped(pool.slice(from, from + per), Date.now()));
    sent += per;
  }
  await sleep(1500);
  return { achieved: sent / ((Date.now() - t0 - 1500) / 1000), t0 };
}

const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status resource-id\n';

/** A body of lines whose `resource-id` field carries the send time (ms), so a viewer can tell each event's latency. */
const stamped = (lines, stamp) => `${HEADER}${lines.join(` ${stamp}\n`)} ${stamp}\n`;

/** Latency percentiles of the events sent in [from, to). */
function latencyOf(v, from, to) {
  const a = v.latencies.filter((_, i) => v.sent[i] >= from && v.sent[i] < to);
  return { samples: a.length, p50: pct(a, 50), p99: pct(a, 99), max: pct(a, 100) };
}

const WARM_UP_SECONDS = 5;
const pct = (a, p) => (a.length ? a.slice().sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor((p / 100) * a.length))] : null);

async function fps(server, seconds) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(`${server.url}/?w=1m`);
  await page.waitForFunction(() => document.querySelector('#connection')?.textContent === 'live');
  await sleep(2000);
  const result = await page.evaluate(async (ms) => new Promise((resolve) => {
    let frames = 0;
    let worst = 0;
    let last = performance.now();
    const start = last;
    const tick = (t) => {
      frames++;
      worst = Math.max(worst, t - last);
      last = t;
      if (t - start < ms) requestAnimationFrame(tick);
      else resolve({ fps: (frames * 1000) / (t - start), worstFrameMs: worst, domNodes: document.getElementsByTagName('*').length });
    };
    requestAnimationFrame(tick);
  }), seconds * 1000);
  await browser.close();
  return result;
}

export async function serveBench({ long = false } = {}) {
  const out = {};
  let server = await startServe();
  console.error('serve: ingest throughput, no viewers…');
  out.throughputNoViewers = await throughput(server, 15);
  console.error('serve: ingest throughput, no viewers, four requests in flight…');
  out.throughputNoViewers4 = await throughput(server, 15, 4);
  const v100 = await viewers(server.port, 100);
  console.error('serve: ingest throughput, 100 viewers…');
  out.throughput100Viewers = await throughput(server, 15);
  await v100.close();
  out.peakMiBAfterThroughput = await server.peakMiB();
  await server.stop();
  // The same on the main thread alone (--ingest-threads 0): what the ingest threads buy and cost.
  server = await startServe(['--ingest-threads', '0']);
  console.error('serve: ingest throughput, no viewers, main thread only…');
  out.throughputMainThread = await throughput(server, 15);
  await server.stop();
  out.latency = [];
  for (const [rate, threads] of [[10_000, null], [100_000, null], [100_000, 0]]) {
    server = await startServe(['--events-per-second', '200', ...(threads === null ? [] : ['--ingest-threads', String(threads)])]);
    const v = await viewers(server.port, 100);
    console.error(`serve: latency at ${rate} records/s with 100 viewers${threads === 0 ? ', main thread only' : ''}…`);
    // The first seconds after start-up are reported apart: V8 is still compiling the hot path and the caches are
    // cold, which says how a restart feels, not how the steady state does.
    const { achieved, t0 } = await steady(server, rate, WARM_UP_SECONDS + 20);
    const warm = t0 + WARM_UP_SECONDS * 1000;
    const peakMiB = await server.peakMiB();
    const seen = await v.close();
    out.latency.push({ rate, threads, achieved, ...latencyOf(seen, warm, Infinity), coldStart: latencyOf(seen, 0, warm), peakMiB });
    await server.stop();
  }
  server = await startServe(['--events-per-second', '200']);
  console.error('serve: dashboard frame rate in Chromium at 100k records/s…');
  const load = steady(server, 100_000, 25);
  // The rate the server read while the browser was measured: the sender is checked, not trusted (before
  // 2026-11-28 it built its lines as it sent them, fell behind once Chromium took its share of the cores, and
  // the page was measured at about 58k records/s).
  const before = { records: (await server.stats()).records, at: Date.now() };
  out.dashboard = await fps(server, 15);
  out.dashboard.recordsPerSecond = ((await server.stats()).records - before.records) / ((Date.now() - before.at) / 1000);
  await load;
  await server.stop();
  if (long) {
    console.error('serve: memory over 10 minutes of demo traffic at 20k records/s…');
    server = await startServe(['--demo', '--demo-rate', '20000']);
    out.memory = [];
    for (let m = 0; m <= 10; m++) {
      const mem = (await server.stats()).memory;
      // The JS heap's live part beside RSS: the 1h window fills with minute buckets for an hour by design, and
      // V8 commits heap beyond what is live; the two apart tell a growing live set from a growing heap.
      out.memory.push({ minute: m, rssMiB: mem.rss, heapUsedMiB: mem.heap_used, heapTotalMiB: mem.heap_total });
      if (m < 10) await sleep(60_000);
    }
    out.memory.push({ peakMiB: await server.peakMiB() });
    await server.stop();
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await serveBench({ long: process.argv.includes('--long') }), null, 1));
  process.exit(0);
}
