import { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import type { Logger } from 'pino';
import type { Publisher } from './mqtt.js';

/** The part of the IoT data-plane client we use (so tests can stand in for AWS's endpoint, which cannot exist here). */
export interface IotClient {
  send(command: PublishCommand): Promise<unknown>;
}

/**
 * Publishes to AWS IoT Core through its HTTPS data plane (the Lambda's way: no connection to keep across
 * invocations). Publishes run concurrently; `flush()` waits for them, and a failed one is counted and logged,
 * never thrown into the pipeline.
 */
export class IotPublisher implements Publisher {
  private pending: Array<Promise<void>> = [];
  dropped = 0;
  published = 0;

  constructor(private readonly client: IotClient, private readonly log: Logger) {}

  static forEndpoint(endpoint: string, log: Logger): IotPublisher {
    const url = endpoint.startsWith('https://') ? endpoint : `https://${endpoint}`;
    return new IotPublisher(new IoTDataPlaneClient({ endpoint: url }), log);
  }

  publish(topic: string, payload: string | Buffer, retain: boolean): void {
    const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
    this.pending.push(this.client.send(new PublishCommand({ topic, payload: body, qos: 0, retain, contentType: 'application/json' }))
      .then(() => { this.published++; }, (err: Error) => {
        this.dropped++;
        this.log.warn({ topic, err: err.message }, 'Publishing to AWS IoT Core failed.');
      }));
  }

  async flush(): Promise<void> {
    const now = this.pending;
    this.pending = [];
    await Promise.all(now);
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
