import { z } from 'zod';
import { DIMENSION_NAMES } from '../aggregate/dimensions.js';
import { DEFAULT_CACHE } from '../enrich/enricher.js';
import { UsageError } from '../errors.js';
import { INPUT_FORMATS } from '../sources/decode.js';

/**
 * All configuration, validated here and nowhere else. Every command's options are one strict schema (unknown keys
 * are errors) with named defaults; `validate` turns every problem into one message that lists them all.
 */

export const DEFAULTS = {
  maxLineBytes: 64 * 1024,
  maxDocumentBytes: 256 * 1024 * 1024,
  cacheSize: DEFAULT_CACHE,
  /** A report's segments make a few numbers each; enrich's make 4–5 times their size of NDJSON, which waits in
   * memory for its turn to be written: smaller segments, as fast, keep less of it (docs/BENCHMARKS.md). */
  segmentBytes: 2 * 1024 * 1024,
  enrichSegmentBytes: 1024 * 1024,
  parallelMinBytes: 32 * 1024 * 1024,
} as const;

function segmentBytes(byDefault: number) {
  return z.number().int().min(4096).max(1024 * 1024 * 1024).default(byDefault);
}

/**
 * Glob patterns (picomatch) for files under a directory input to leave out: matched against the path below the
 * directory given, and a pattern without a slash against the file name (`*.json`, `**\/CloudTrail/**`).
 */
const exclude = z.array(z.string().min(1)).default([]);

const common = {
  inputs: z.array(z.string().min(1)).default(['-']),
  exclude,
  /** The flow-log format of inputs without a header line; AWS's default 14 fields when absent. */
  logFormat: z.string().min(1).optional(),
  inputFormat: z.enum(INPUT_FORMATS).default('auto'),
  geoDb: z.array(z.string().min(1)).default([]),
  asnDb: z.array(z.string().min(1)).default([]),
  /** Every record, not only those with a public endpoint (NODATA/SKIPDATA included). */
  all: z.boolean().default(false),
  strict: z.boolean().default(false),
  maxLineBytes: z.number().int().min(256).max(16 * 1024 * 1024).default(DEFAULTS.maxLineBytes),
  maxDocumentBytes: z.number().int().min(1024).max(2 ** 31).default(DEFAULTS.maxDocumentBytes),
  cacheSize: z.number().int().min(16).max(10_000_000).default(DEFAULTS.cacheSize),
  progress: z.boolean().optional(),
  /** Worker threads for large plain-text files; 0 = one per core, 1 = none. */
  jobs: z.number().int().min(0).max(64).default(0),
  /** Bytes of a file each worker reads at a time. */
  segmentBytes: segmentBytes(DEFAULTS.segmentBytes),
  /** Smallest file worth splitting across threads. */
  parallelMinBytes: z.number().int().min(0).default(DEFAULTS.parallelMinBytes),
};

export const EnrichConfig = z.object({ ...common, segmentBytes: segmentBytes(DEFAULTS.enrichSegmentBytes) }).strict();
export type EnrichConfig = z.infer<typeof EnrichConfig>;

export const ReportConfig = z.object({
  ...common,
  by: z.array(z.enum(DIMENSION_NAMES as [string, ...string[]])).min(1, 'give at least one dimension with --by'),
  top: z.number().int().positive().optional(),
  output: z.enum(['tsv', 'csv', 'json']).default('tsv'),
}).strict();
export type ReportConfig = z.infer<typeof ReportConfig>;

/** Parses options against a schema; throws one UsageError listing every problem. */
export function validate<T extends z.ZodType>(schema: T, options: unknown): z.infer<T> {
  const result = schema.safeParse(options);
  if (result.success) return Object.freeze(result.data) as z.infer<T>;
  const problems = result.error.issues.map((i) => {
    const path = i.path.length ? `--${String(i.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : 'options';
    return `  ${path}: ${i.message}`;
  });
  throw new UsageError(`invalid options:\n${problems.join('\n')}`);
}

/** `serve`: the live pipeline, the embedded broker and the dashboard in one process. */
export const ServeConfig = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  /** Plain-TCP MQTT listener; 0 disables it. */
  mqttPort: z.number().int().min(0).max(65535).default(1883),
  inputs: z.array(z.string().min(1)).default([]),
  follow: z.boolean().default(false),
  exclude,
  /** Where --follow keeps its read positions. */
  stateFile: z.string().min(1).optional(),
  /**
   * With --follow, on a first start (no positions saved yet): what the files hold already is skipped, and only what
   * comes after is read (a year of synced history would otherwise flood the live windows at start).
   */
  fromEnd: z.boolean().default(false),
  /** Replay speed by record time: N × real time; 0 = as fast as possible. */
  speed: z.number().min(0).default(0),
  demo: z.boolean().default(false),
  demoRate: z.number().int().min(1).max(1_000_000).default(300),
  logFormat: z.string().min(1).optional(),
  geoDb: z.array(z.string().min(1)).default([]),
  asnDb: z.array(z.string().min(1)).default([]),
  cacheSize: z.number().int().min(16).max(10_000_000).default(DEFAULTS.cacheSize),
  maxLineBytes: z.number().int().min(256).max(16 * 1024 * 1024).default(DEFAULTS.maxLineBytes),
  ingestToken: z.string().min(8, 'use at least 8 characters').optional(),
  viewerToken: z.string().min(8, 'use at least 8 characters').optional(),
  /** Largest HTTP ingest body (Firehose sends at most 64 MiB). */
  maxBodyBytes: z.number().int().min(1024).max(1024 * 1024 * 1024).default(64 * 1024 * 1024),
  /** Publish to this broker instead of the embedded one: mqtt(s)://… or ws(s)://… */
  mqttUrl: z.string().regex(/^(mqtts?|wss?):\/\//, 'must start with mqtt://, mqtts://, ws:// or wss://').optional(),
  mqttUsername: z.string().optional(),
  mqttPassword: z.string().optional(),
  topicPrefix: z.string().regex(/^[^#+\s]+[^/#+\s]$|^[^/#+\s]$/, 'a topic prefix without wildcards, spaces or a trailing /').default('ipgeolocator'),
  producerId: z.string().min(1).max(64).optional(),
  /** Seconds between summary updates for the 1m window (15m and 1h refresh every 5 ticks). */
  tickSeconds: z.number().min(0.1).max(60).default(1),
  /**
   * Threads that read HTTP ingest bodies beside the main thread (0 = read them on the main thread); absent = one
   * per core, at most 4 (none on a single core).
   */
  ingestThreads: z.number().int().min(0).max(16).optional(),
  /** Most enriched events a second sent to viewers on <prefix>/events. */
  eventsPerSecond: z.number().int().min(0).max(10_000).default(200),
  /**
   * Old-generation heap limit in MiB for the serve process (0 = Node's default). Left to itself V8 lets a
   * long-running heap grow towards a quarter of RAM before collecting in earnest; the live state needs ~300 MiB.
   */
  heapMb: z.number().int().refine((n) => n === 0 || n >= 256, 'must be 0 (Node\'s default) or at least 256').default(1024),
  /** A viewer whose unsent data exceeds this is disconnected. */
  viewerBufferBytes: z.number().int().min(64 * 1024).default(8 * 1024 * 1024),
  /** Built dashboard files to serve at /. */
  webRoot: z.string().optional(),
  /** AWS region of the network, for arcs on the map when records carry no `region` field. */
  homeRegion: z.string().optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
}).strict();
export type ServeConfig = z.infer<typeof ServeConfig>;

/** Environment variables for `serve` options: IPGEO_ + the option in upper snake case (IPGEO_MQTT_PORT). */
export function serveEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const shape = ServeConfig.shape as Record<string, z.ZodType>;
  for (const key of Object.keys(shape)) {
    const name = `IPGEO_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    out[key] = coerce(shape[key], raw);
  }
  return out;
}

/** Environment values are text: turn them into what the option's schema expects. */
function coerce(schema: z.ZodType, raw: string): unknown {
  const sample = schema.safeParse(undefined);
  const def = sample.success ? sample.data : undefined;
  if (typeof def === 'number' || (schema instanceof z.ZodOptional && schema.unwrap() instanceof z.ZodNumber)) return Number(raw);
  if (typeof def === 'boolean') return raw === '1' || raw.toLowerCase() === 'true';
  if (Array.isArray(def)) return raw.split(',').map((s) => s.trim()).filter(Boolean);
  return raw;
}
