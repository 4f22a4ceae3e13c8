import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { UsageError } from '../errors.js';
import { serveConfig } from './serve.js';

describe('serve configuration: one schema, three sources', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'ipgeo-cfg-')), 'c.json');
  writeFileSync(file, JSON.stringify({ port: 9000, topicPrefix: 'from-file', eventsPerSecond: 10, inputs: ['a.log'] }));

  it('takes the command line over the environment over the file over defaults', () => {
    const cfg = serveConfig(['--config', file, '--port', '9100'], { IPGEO_PORT: '9050', IPGEO_TOPIC_PREFIX: 'from-env', IPGEO_FOLLOW: 'true' })!;
    assert.equal(cfg.port, 9100);
    assert.equal(cfg.topicPrefix, 'from-env');
    assert.equal(cfg.eventsPerSecond, 10);
    assert.equal(cfg.follow, true);
    assert.equal(cfg.host, '127.0.0.1');
    assert.deepEqual(cfg.inputs, ['a.log']);
  });
  it('plays the demo when there is no input', () => {
    assert.equal(serveConfig([], {})!.demo, true);
    assert.equal(serveConfig(['x.log'], {})!.demo, false);
    // A server fed only by HTTP ingest has no input either: it must be able to say no to the demo.
    assert.equal(serveConfig(['--no-demo'], {})!.demo, false);
    assert.equal(serveConfig([], { IPGEO_DEMO: 'false' })!.demo, false);
    // Nor when it is set up for real traffic, unless asked.
    assert.equal(serveConfig(['--ingest-token', 'long-enough-token'], {})!.demo, false);
    assert.equal(serveConfig(['--mqtt-url', 'mqtt://broker.example'], {})!.demo, false);
    assert.equal(serveConfig(['--mqtt-url', 'mqtt://broker.example', '--demo'], {})!.demo, true);
  });
  it('lists every problem at once, by option name', () => {
    assert.throws(() => serveConfig(['--port', '70000', '--topic-prefix', 'a/#', '--mqtt-url', 'http://x'], {}), (e: Error) =>
      e instanceof UsageError && /--port/.test(e.message) && /--topic-prefix/.test(e.message) && /--mqtt-url/.test(e.message));
    assert.throws(() => serveConfig(['--frobnicate'], {}), UsageError);
    assert.throws(() => serveConfig(['--ingest-token', 'short'], {}), /at least 8 characters/);
  });
});
