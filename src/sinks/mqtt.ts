import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';

/** Where live messages go: the embedded broker, or an external one. */
export interface Publisher {
  publish(topic: string, payload: string | Buffer, retain: boolean): void;
  /** Messages that could not be sent (broker unreachable, buffer full). */
  readonly dropped: number;
  /** Waits until what was published has left this process (for a Lambda about to be frozen). */
  flush?(): Promise<void>;
  close(): Promise<void>;
}

export interface ExternalOptions {
  url: string;
  username?: string;
  password?: string;
  clientId: string;
  log: Logger;
  /** Non-retained messages kept while disconnected; older ones are dropped first. */
  bufferMessages?: number;
}

/**
 * Publishes to an existing broker (Mosquitto, EMQX, HiveMQ, AWS IoT Core) — the scale-out path. Reconnects by
 * itself. While disconnected it keeps the latest retained message per topic (summaries, stats: only the newest
 * matters) and a bounded queue of the rest, so memory stays bounded however long the broker is away.
 */
export class ExternalPublisher implements Publisher {
  private readonly client: MqttClient;
  private readonly retained = new Map<string, string | Buffer>();
  private readonly queue: Array<[string, string | Buffer]> = [];
  private readonly cap: number;
  dropped = 0;

  constructor(private readonly opts: ExternalOptions) {
    this.cap = opts.bufferMessages ?? 1000;
    this.client = mqtt.connect(opts.url, {
      clientId: opts.clientId, username: opts.username, password: opts.password, reconnectPeriod: 1000,
      connectTimeout: 10_000, queueQoSZero: false, clean: true,
    });
    this.client.on('connect', () => {
      opts.log.info({ url: opts.url }, 'Connected to the external MQTT broker.');
      for (const [topic, payload] of this.retained) this.client.publish(topic, payload, { qos: 0, retain: true });
      this.retained.clear();
      for (const [topic, payload] of this.queue.splice(0)) this.client.publish(topic, payload, { qos: 0 });
    });
    this.client.on('error', (err) => opts.log.warn({ err: err.message }, 'External MQTT broker error.'));
    this.client.on('offline', () => opts.log.warn({ url: opts.url }, 'External MQTT broker unreachable; buffering.'));
  }

  /** Resolves once connected (for startup checks and tests). */
  ready(timeoutMs = 10_000): Promise<void> {
    if (this.client.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no connection to ${this.opts.url} within ${timeoutMs} ms`)), timeoutMs);
      this.client.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  publish(topic: string, payload: string | Buffer, retain: boolean): void {
    if (this.client.connected) {
      this.client.publish(topic, payload, { qos: 0, retain });
      return;
    }
    if (retain) {
      this.retained.set(topic, payload);
      return;
    }
    if (this.queue.length >= this.cap) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push([topic, payload]);
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
