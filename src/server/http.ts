import { gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { secretMatches } from '../broker/secret.js';
import type { ServeConfig } from '../config/schema.js';
import type { LiveFilter } from '../aggregate/live/filter.js';
import { WINDOWS, type WindowName } from '../aggregate/live/live.js';
import { isGzip, type InputFormat } from '../sources/decode.js';
import { readBody } from './body.js';
import { metricsText } from './metrics.js';
import type { LivePipeline } from '../pipeline/live.js';

export interface HttpDeps {
  cfg: ServeConfig;
  pipeline: LivePipeline;
  log: Logger;
  viewers: () => number;
  /** Registers the dashboard's routes (static files); absent when there is no built dashboard. */
  dashboard?: (app: FastifyInstance) => Promise<void>;
}

const NUMERIC_FILTERS = ['asn', 'protocol', 'port'] as const;
const TEXT_FILTERS = ['country', 'place', 'action', 'direction', 'iface'] as const;

/** A filter from query parameters, or the reason it is invalid. */
function filterOf(q: Record<string, string | undefined>): LiveFilter | null | string {
  const f: LiveFilter = {};
  for (const k of TEXT_FILTERS) if (q[k] !== undefined && q[k] !== '') f[k] = q[k];
  for (const k of NUMERIC_FILTERS) {
    if (q[k] === undefined || q[k] === '') continue;
    const n = Number(q[k]);
    if (!Number.isInteger(n) || n < 0) return `${k} must be a whole number`;
    f[k] = n;
  }
  return Object.keys(f).length === 0 ? null : f;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}


/**
 * The HTTP side of `serve`: health, stats and metrics, the three ingest endpoints, and the dashboard. Ingest
 * bodies are taken raw (any content type) up to the size limit, gunzipped when the request says so, and decoded
 * by the same core as files.
 */
export async function buildHttp(deps: HttpDeps): Promise<FastifyInstance> {
  const { cfg, pipeline } = deps;
  const app = Fastify({
    loggerInstance: deps.log.child({ component: 'http' }, { level: 'warn' }) as never,
  }) as unknown as FastifyInstance;
  app.removeAllContentTypeParsers();
  // The only body reader, and the one that enforces --max-body-bytes (Fastify's bodyLimit applies only to its own).
  app.addContentTypeParser('*', (req, payload, done) => {
    readBody(payload, cfg.maxBodyBytes, Number(req.headers['content-length'] ?? NaN)).then((b) => done(null, b), done);
  });

  app.get('/healthz', async () => ({ status: 'ok', uptime_seconds: Math.round((Date.now() - pipeline.started) / 1000) }));
  app.get('/api/stats', async () => ({ ...pipeline.stats(), viewers: deps.viewers() }));
  app.get('/metrics', async (_req, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return metricsText(pipeline, deps.viewers());
  });

  app.get('/api/summary', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const window = (q.window ?? '1m') as WindowName;
    if (!(window in WINDOWS)) return reply.code(400).send({ error: `window must be one of ${Object.keys(WINDOWS).join(', ')}` });
    const filter = filterOf(q);
    if (typeof filter === 'string') return reply.code(400).send({ error: filter });
    return pipeline.summary(window, filter);
  });
  app.get('/api/config', async () => ({
    v: 1, producer: pipeline.producer, topicPrefix: cfg.topicPrefix, mqttPath: '/mqtt', mqttUrl: null,
    viewerTokenRequired: cfg.viewerToken !== undefined, homeRegion: cfg.homeRegion ?? null, windows: Object.keys(WINDOWS),
    attribution: pipeline.attribution(), filterApi: true,
  }));

  const authorize = (req: FastifyRequest) => {
    if (cfg.ingestToken === undefined) return;
    const auth = req.headers.authorization;
    const bearer = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
    const key = req.headers['x-amz-firehose-access-key'];
    const presented = bearer ?? (typeof key === 'string' ? key : undefined);
    if (presented === undefined) throw new HttpError(401, 'An ingest token is required: send "Authorization: Bearer <token>" or the Firehose access key.');
    if (!secretMatches(presented, cfg.ingestToken)) throw new HttpError(403, 'The ingest token is wrong.');
  };

  /** The raw body, gunzipped when Content-Encoding says gzip (bounded, so a zip bomb is a 413). */
  const bodyOf = (req: FastifyRequest): Buffer => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (String(req.headers['content-encoding'] ?? '').toLowerCase() !== 'gzip') return raw;
    try {
      return gunzipSync(raw, { maxOutputLength: cfg.maxBodyBytes });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || /Cannot create a Buffer larger/.test((err as Error).message)) {
        throw new HttpError(413, `The decompressed body is larger than ${cfg.maxBodyBytes} bytes.`);
      }
      throw new HttpError(400, `The body is not valid gzip (${(err as Error).message}).`);
    }
  };

  const plainIngest = (path: string, name: string, format: InputFormat) => {
    app.post(path, async (req, reply) => {
      authorize(req);
      const body = bodyOf(req);
      const r = await pipeline.ingest(name, body, isGzip(body) ? 'auto' : format, true);
      reply.code(r.error !== undefined ? 400 : 200);
      return { accepted: r.accepted, rejected: r.rejected, control_messages: r.controlMessages, rejections: r.rejections, ...(r.error ? { error: r.error } : {}) };
    });
  };
  plainIngest('/ingest/cloudwatch', 'http:cloudwatch', 'json');
  plainIngest('/ingest/lines', 'http:lines', 'text');
  registerFirehose(app, deps, authorize, bodyOf);

  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err instanceof HttpError ? err.status : err.statusCode === 413 ? 413 : (err.statusCode ?? 500);
    const message = status === 413 ? `The body is larger than ${cfg.maxBodyBytes} bytes.` : err.message;
    if (status >= 500) deps.log.error({ err }, 'Request failed.');
    if (req.url.startsWith('/ingest/firehose')) return firehoseError(req, reply, status, message);
    reply.code(status).send({ error: message });
  });
  if (deps.dashboard) await deps.dashboard(app);
  return app;
}

/** Request ids already delivered: Firehose retries a batch with the same id, which must not count twice. */
class SeenIds {
  private young = new Set<string>();
  private old = new Set<string>();
  has(id: string): boolean {
    return this.young.has(id) || this.old.has(id);
  }
  add(id: string): void {
    if (this.young.size >= 10_000) {
      this.old = this.young;
      this.young = new Set();
    }
    this.young.add(id);
  }
}

function requestIdOf(req: FastifyRequest): string {
  const h = req.headers['x-amz-firehose-request-id'];
  return typeof h === 'string' ? h : '';
}

function firehoseError(req: FastifyRequest, reply: FastifyReply, status: number, message: string) {
  reply.code(status).type('application/json').send({ requestId: requestIdOf(req), timestamp: Date.now(), errorMessage: message.slice(0, 8192) });
}

/**
 * The Amazon Data Firehose HTTP-endpoint protocol (flow-logs.md §2c): the access key in a header, a JSON body of
 * base64 records, a JSON answer that echoes the request id; only 200 counts as delivered, 413 is not retried.
 */
function registerFirehose(app: FastifyInstance, deps: HttpDeps, authorize: (r: FastifyRequest) => void,
  bodyOf: (r: FastifyRequest) => Buffer): void {
  const seen = new SeenIds();
  app.post('/ingest/firehose', async (req, reply) => {
    authorize(req);
    const body = bodyOf(req);
    let requestId = requestIdOf(req);
    let parsed: { requestId?: unknown; records?: unknown };
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpError(400, 'The body is not JSON: expected {"requestId", "timestamp", "records": [{"data": base64}]}.');
    }
    if (typeof parsed?.requestId === 'string') requestId ||= parsed.requestId;
    if (!Array.isArray(parsed?.records)) throw new HttpError(400, 'The body has no "records" array.');
    if (requestId !== '' && seen.has(requestId)) {
      deps.log.info({ requestId }, 'Ignored a repeated Firehose delivery.');
      return { requestId, timestamp: Date.now() };
    }
    const r = await deps.pipeline.ingest('http:firehose', body, 'json', true);
    if (r.error !== undefined) throw new HttpError(400, r.error);
    if (requestId !== '') seen.add(requestId);
    if (r.rejected > 0) deps.log.warn({ requestId, rejected: r.rejected, first: r.rejections[0] }, 'Firehose delivery had rejected records.');
    reply.type('application/json');
    return { requestId, timestamp: Date.now() };
  });
}
