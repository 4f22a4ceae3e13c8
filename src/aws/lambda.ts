import pino from 'pino';
import { ServeConfig, validate } from '../config/schema.js';
import { EVENT_INTERVAL_MS, LivePipeline } from '../pipeline/live.js';
import { IotPublisher } from '../sinks/iot.js';
import { ExternalPublisher, type Publisher } from '../sinks/mqtt.js';

/**
 * The AWS Lambda handler behind a CloudWatch Logs subscription filter: the same core and the same topics as
 * `serve`. Each invocation decodes the subscription event, parses, classifies, enriches and adds the records to
 * this container's windows, then publishes the summaries, a sample of events and the stats — a handful of
 * messages per invocation, not one per record as the original proof of concept did. A warm container keeps its
 * windows between invocations; each container is a producer, and viewers merge producers.
 *
 * Environment: IPGEO_LOG_FORMAT (the flow log's format; AWS's default 14 fields when absent), IPGEO_TOPIC_PREFIX,
 * IPGEO_IOT_ENDPOINT (the account's iot:Data-ATS endpoint) or IPGEO_MQTT_URL (any broker; with
 * IPGEO_MQTT_USERNAME / IPGEO_MQTT_PASSWORD), IPGEO_EVENTS_PER_INVOCATION, IPGEO_DATA_DIR (packaged geo data).
 */
export interface LambdaResult {
  records: number;
  rejected: number;
  controlMessages: number;
  published: number;
  durationMs: number;
}

interface State {
  pipeline: LivePipeline;
  publisher: Publisher & { flush?: () => Promise<void> };
  external: ExternalPublisher | null;
  log: pino.Logger;
}

let state: State | null = null;

function configFrom(env: NodeJS.ProcessEnv): ServeConfig {
  return validate(ServeConfig, {
    logFormat: env.IPGEO_LOG_FORMAT || undefined,
    topicPrefix: env.IPGEO_TOPIC_PREFIX || undefined,
    // The sampler fills one batch per event interval of `eventsPerSecond`; a Lambda publishes one batch per invocation.
    eventsPerSecond: (1000 / EVENT_INTERVAL_MS) * (env.IPGEO_EVENTS_PER_INVOCATION ? Number(env.IPGEO_EVENTS_PER_INVOCATION) : 50),
    producerId: (env.IPGEO_PRODUCER_ID || `lambda-${env.AWS_LAMBDA_LOG_STREAM_NAME?.slice(-12) ?? process.pid}`).slice(0, 64),
    mqttUrl: env.IPGEO_MQTT_URL || undefined,
    mqttUsername: env.IPGEO_MQTT_USERNAME || undefined,
    mqttPassword: env.IPGEO_MQTT_PASSWORD || undefined,
    logLevel: (env.IPGEO_LOG_LEVEL as ServeConfig['logLevel']) || 'info',
  });
}

/** Builds the pipeline once per container (the geo data is read once, on the first invocation). */
export function init(env: NodeJS.ProcessEnv = process.env, publisher?: Publisher): State {
  const cfg = configFrom(env);
  // Lambda collects stdout; a local run keeps stdout for results and logs to stderr.
  const log = pino({ level: cfg.logLevel, base: { producer: cfg.producerId } }, pino.destination(env.IPGEO_LOG_STDERR === '1' ? 2 : 1));
  let external: ExternalPublisher | null = null;
  if (publisher === undefined) {
    if (cfg.mqttUrl !== undefined) {
      external = new ExternalPublisher({ url: cfg.mqttUrl, username: cfg.mqttUsername, password: cfg.mqttPassword, log, clientId: cfg.producerId! });
      publisher = external;
    } else if (env.IPGEO_IOT_ENDPOINT) {
      publisher = IotPublisher.forEndpoint(env.IPGEO_IOT_ENDPOINT, log);
    } else {
      throw new Error('Set IPGEO_IOT_ENDPOINT (AWS IoT Core) or IPGEO_MQTT_URL (any MQTT broker) for the Lambda to publish to.');
    }
  }
  return { pipeline: new LivePipeline(cfg, publisher, log), publisher, external, log };
}

export async function handler(event: unknown): Promise<LambdaResult> {
  state ??= init();
  return invoke(state, event);
}

export async function invoke(s: State, event: unknown): Promise<LambdaResult> {
  const started = Date.now();
  const r = s.pipeline.ingestValue('cloudwatch', event);
  if (r.rejected > 0) s.log.warn({ rejected: r.rejected, first: r.rejections.slice(0, 3) }, 'Rejected lines in this invocation.');
  s.pipeline.publishEvents();
  s.pipeline.tick(true, true);
  if (s.external !== null) await s.external.ready();
  await s.publisher.flush?.();
  const result: LambdaResult = {
    records: r.accepted, rejected: r.rejected, controlMessages: r.controlMessages,
    published: s.pipeline.summariesPublished, durationMs: Date.now() - started,
  };
  s.log.info(result, 'Invocation done.');
  return result;
}

/** Ends the MQTT connection (local runs); a Lambda container is frozen instead. */
export async function shutdown(): Promise<void> {
  if (state !== null) await state.publisher.close();
  state = null;
}
