import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ServeConfig } from '../config/schema.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.ico': 'image/x-icon',
};

/**
 * The page may load only what this server serves and talk only to it (and to a broker URL it was configured
 * with); no inline script, no framing. Data from logs is rendered as text by the page, and this is the backstop.
 */
export function contentSecurityPolicy(extraConnect: string[] = []): string {
  return [
    "default-src 'self'", "script-src 'self'", "worker-src blob:", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
    `connect-src 'self' ${extraConnect.join(' ')}`.trim(), "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The dashboard's files (built by Vite into web/dist), when present. */
export function dashboardRoutes(cfg: ServeConfig): ((app: FastifyInstance) => Promise<void>) | undefined {
  const root = cfg.webRoot ?? new URL('../../web/dist', import.meta.url).pathname;
  // MQTT.js keeps its keep-alive timers in a blob worker so background tabs are not throttled into disconnects.
  const csp = contentSecurityPolicy(cfg.mqttUrl?.startsWith('ws') ? [new URL(cfg.mqttUrl).origin] : []);
  return async (app) => {
    app.get('/*', async (req, reply) => {
      const path = new URL(req.url, 'http://x').pathname;
      const file = normalize(join(root, path === '/' ? 'index.html' : path));
      if (!file.startsWith(root) || !existsSync(file)) {
        if (path !== '/') return reply.code(404).send({ error: 'not found' });
        reply.type('text/plain; charset=utf-8');
        return 'ipgeolocator is running. The dashboard is not built: run "npm run build:web". Topics: see docs/topics.md.\n';
      }
      reply.type(TYPES[extname(file)] ?? 'application/octet-stream');
      reply.header('content-security-policy', csp);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('cache-control', path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      return readFile(file);
    });
  };
}
