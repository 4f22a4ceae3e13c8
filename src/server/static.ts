import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ServeConfig } from '../config/schema.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.ico': 'image/x-icon',
};

/** The dashboard's files (built by Vite into web/dist), when present. */
export function dashboardRoutes(cfg: ServeConfig): ((app: FastifyInstance) => Promise<void>) | undefined {
  const root = cfg.webRoot ?? new URL('../../web/dist', import.meta.url).pathname;
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
      return readFile(file);
    });
  };
}
