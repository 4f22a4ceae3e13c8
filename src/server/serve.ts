import { isIP } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { EmbeddedBroker } from '../broker/embedded.js';
import type { ServeConfig } from '../config/schema.js';
import { ExternalPublisher, type Publisher } from '../sinks/mqtt.js';
import { buildHttp } from './http.js';
import { Inputs } from './inputs.js';
import { defaultIngestThreads } from '../pipeline/ingest-pool.js';
import { LivePipeline } from '../pipeline/live.js';
import { dashboardRoutes } from './static.js';

export interface RunningServer {
  url: string;
  httpPort: number;
  mqttPort: number | null;
  pipeline: LivePipeline;
  inputs: Inputs;
  broker: EmbeddedBroker | null;
  /** Stops taking input, publishes what was read, saves follow positions, closes everything. */
  stop(): Promise<void>;
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));

/**
 * `serve`: components built in dependency order (publisher → pipeline → HTTP → broker listeners → inputs) and
 * stopped in reverse.
 */
export async function startServer(cfg: ServeConfig, log: Logger = pino({ level: cfg.logLevel })): Promise<RunningServer> {
  if (!isLoopback(cfg.host) && cfg.ingestToken === undefined && cfg.viewerToken === undefined) {
    log.warn({ host: cfg.host }, 'Listening beyond loopback with no --ingest-token and no --viewer-token: anyone who can reach this port can send data and watch it.');
  }
  let broker: EmbeddedBroker | null = null;
  let publisher: Publisher;
  if (cfg.mqttUrl !== undefined) {
    publisher = new ExternalPublisher({
      url: cfg.mqttUrl, username: cfg.mqttUsername, password: cfg.mqttPassword, log,
      clientId: `ipgeolocator-${cfg.producerId ?? process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    });
  } else {
    broker = await EmbeddedBroker.create({ topicPrefix: cfg.topicPrefix, viewerToken: cfg.viewerToken, viewerBufferBytes: cfg.viewerBufferBytes, log });
    publisher = broker;
  }
  const pipeline = new LivePipeline(cfg, publisher, log);
  // Before the port opens: a body that comes in at once finds its threads ready.
  await pipeline.startIngestThreads(cfg.ingestThreads ?? defaultIngestThreads());
  const http: FastifyInstance = await buildHttp({
    cfg, pipeline, log, viewers: () => broker?.viewers ?? 0, dashboard: dashboardRoutes(cfg),
  });
  await http.listen({ host: cfg.host, port: cfg.port });
  const httpPort = (http.server.address() as AddressInfo).port;
  let mqttPort: number | null = null;
  if (broker !== null) {
    broker.attachWebSocket(http.server);
    if (cfg.mqttPort > 0) {
      try {
        mqttPort = await broker.listenTcp(cfg.mqttPort, cfg.host);
      } catch (err) {
        // The page and WebSocket viewers still work; say why TCP does not, and how to fix it.
        log.warn({ port: cfg.mqttPort, err: (err as Error).message }, 'MQTT over TCP is off: the port is taken. Choose another with --mqtt-port (0 turns it off).');
      }
    }
  }
  pipeline.start();
  const inputs = new Inputs(cfg, pipeline, log);
  await inputs.start();
  const url = `http://${cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host}:${httpPort}`;
  log.info({ url, mqtt: mqttPort, websocket: `${url.replace('http', 'ws')}/mqtt`, sources: pipeline.sources.size }, 'Serving.');
  let stopping: Promise<void> | null = null;
  return {
    url, httpPort, mqttPort, pipeline, inputs, broker,
    stop: () => (stopping ??= (async () => {
      inputs.stop();
      await pipeline.stop();
      await publisher.close();
      await http.close();
      log.info('Stopped.');
    })()),
  };
}
