import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { parseArgs } from 'node:util';
import { ServeConfig, serveEnv, validate } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { SERVE_HELP } from './help.js';

const OPTIONS = {
  config: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' }, 'mqtt-port': { type: 'string' },
  input: { type: 'string', multiple: true }, follow: { type: 'boolean' }, 'state-file': { type: 'string' },
  'from-end': { type: 'boolean' }, exclude: { type: 'string', multiple: true },
  speed: { type: 'string' }, demo: { type: 'boolean' }, 'no-demo': { type: 'boolean' }, 'demo-rate': { type: 'string' }, 'log-format': { type: 'string' },
  'geo-db': { type: 'string', multiple: true }, 'asn-db': { type: 'string', multiple: true }, 'ingest-token': { type: 'string' },
  'viewer-token': { type: 'string' }, 'max-body-bytes': { type: 'string' }, 'ingest-threads': { type: 'string' }, 'mqtt-url': { type: 'string' },
  'mqtt-username': { type: 'string' }, 'mqtt-password': { type: 'string' }, 'topic-prefix': { type: 'string' },
  'producer-id': { type: 'string' }, 'tick-seconds': { type: 'string' }, 'events-per-second': { type: 'string' },
  'web-root': { type: 'string' }, 'heap-mb': { type: 'string' }, 'home-region': { type: 'string' }, 'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

const NUMERIC = new Set(['port', 'mqttPort', 'speed', 'demoRate', 'maxBodyBytes', 'tickSeconds', 'eventsPerSecond', 'heapMb', 'ingestThreads']);
const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Options from the command line, in the schema's spelling (`--input` repeated becomes `inputs`). */
function fromArgs(values: Record<string, unknown>, positionals: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    if (k === 'config' || k === 'help' || v === undefined) continue;
    if (k === 'no-demo') {
      if (v === true) out.demo = false;
      continue;
    }
    const key = k === 'input' ? 'inputs' : camel(k);
    out[key] = NUMERIC.has(key) ? Number(v) : v;
  }
  if (positionals.length > 0) out.inputs = [...((out.inputs as string[]) ?? []), ...positionals];
  return out;
}

/** Command line over environment over config file over defaults; one validation for all of it. */
export function serveConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeConfig | null {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.values.help) return null;
  let file: Record<string, unknown> = {};
  if (typeof parsed.values.config === 'string') {
    try {
      file = JSON.parse(readFileSync(parsed.values.config, 'utf8'));
    } catch (err) {
      throw new UsageError(`--config ${parsed.values.config}: ${(err as Error).message}`);
    }
  }
  const merged = { ...file, ...serveEnv(env), ...fromArgs(parsed.values, parsed.positionals) };
  const cfg = validate(ServeConfig, merged);
  // With nothing to read, play the demo: a new user sees the map at once. Not when an ingest token or an external
  // broker says this server is meant for real traffic: made-up records would mix with it, and on a shared broker
  // they would reach every viewer of every producer.
  const meantForTraffic = cfg.ingestToken !== undefined || cfg.mqttUrl !== undefined;
  return cfg.inputs.length === 0 && !meantForTraffic && !('demo' in merged) ? { ...cfg, demo: true } : cfg;
}

export async function serveCommand(argv: string[]): Promise<number> {
  const cfg = serveConfig(argv);
  if (cfg === null) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  if (needsHeapLimit(cfg.heapMb)) return relaunch(cfg.heapMb);
  // Loaded only now: a parent that relaunches itself stays small while its child runs.
  const { startServer } = await import('../server/serve.js');
  const { default: pino } = await import('pino');
  const log = pino({ level: cfg.logLevel });
  // Process warnings (a database written over while in use, say) into the JSON log, instead of Node's own lines.
  process.removeAllListeners('warning');
  process.on('warning', (w: Error & { code?: string }) => log.warn({ code: w.code }, w.message));
  const server = await startServer(cfg, log);
  process.stderr.write(`ipgeolocator: dashboard at ${server.url}/  (MQTT over WebSockets at ${server.url.replace('http', 'ws')}/mqtt${server.mqttPort ? `, TCP on ${server.mqttPort}` : ''})\n`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      // Handled once, and still caught afterwards: Ctrl-C reaches a relaunched child twice (from the terminal and
      // from its parent), and the second must not kill it mid-flush.
      if (stopping) return;
      stopping = true;
      process.stderr.write(`ipgeolocator: ${signal}: stopping\n`);
      const force = setTimeout(() => process.exit(1), 8000);
      force.unref();
      void server.stop().then(resolve);
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}

/** True when this process's heap limit is well above the configured one (it was not started with it). */
function needsHeapLimit(heapMb: number): boolean {
  if (heapMb === 0 || process.env.IPGEO_RELAUNCHED === '1') return false;
  return getHeapStatistics().heap_size_limit > heapMb * 1.25 * 2 ** 20;
}

/**
 * Runs this same command again in a child Node.js with the heap limit (V8 takes it only at start), passing
 * signals on and exiting with the child's code: `ipgeolocator serve` is bounded however it is started.
 */
function relaunch(heapMb: number): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, `--max-old-space-size=${heapMb}`, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, IPGEO_RELAUNCHED: '1' } });
  const pass = (signal: NodeJS.Signals) => () => child.kill(signal);
  process.on('SIGTERM', pass('SIGTERM'));
  process.on('SIGINT', pass('SIGINT'));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128 + osConstants.signals[signal]))));
}
