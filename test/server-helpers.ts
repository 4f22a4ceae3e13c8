import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { ServeConfig, validate } from '../src/config/schema.js';
import { startServer, type RunningServer } from '../src/server/serve.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A real server on loopback with ephemeral ports and no demo, unless told otherwise. */
export async function testServer(overrides: Partial<ServeConfig> = {}): Promise<RunningServer> {
  const cfg = validate(ServeConfig, { port: 0, mqttPort: await freePort(), tickSeconds: 0.2, logLevel: 'silent', ...overrides });
  return startServer(cfg, pino({ level: 'silent' }));
}

/** An MQTT-over-WebSocket viewer; rejects when refused or closed before CONNACK (connectAsync alone would wait). */
export async function wsClient(server: RunningServer, opts: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const client = mqtt.connect(`ws://127.0.0.1:${server.httpPort}/mqtt`, {
    clientId: `test-${Math.random().toString(16).slice(2)}`, reconnectPeriod: 0, connectTimeout: 5000,
    ...(opts.password !== undefined ? { username: 'viewer' } : {}), ...opts,
  });
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', (err) => { client.end(true); reject(err); });
    client.once('close', () => reject(new Error('Connection refused: closed before CONNACK')));
  });
}

/** Collects messages on a topic filter. */
export function collect(client: MqttClient): Array<{ topic: string; json: any; retain: boolean }> {
  const got: Array<{ topic: string; json: any; retain: boolean }> = [];
  client.on('message', (topic, payload, packet) => got.push({ topic, json: JSON.parse(payload.toString()), retain: packet.retain }));
  return got;
}

export async function waitFor<T>(what: string, check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'ipgeo-serve-'));
}

/** Debian's Mosquitto on a free port, as an independent broker. */
export async function mosquitto(): Promise<{ port: number; proc: ChildProcess; stop: () => Promise<void> }> {
  const port = await freePort();
  const dir = tempDir();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  const proc = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(true));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port, proc,
    stop: () => new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    }),
  };
}
