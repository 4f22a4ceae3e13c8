import { setImmediate as nextTurn } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import type { BucketData } from '../aggregate/live/bucket.js';
import { SecondCounter } from '../aggregate/live/counter.js';
import type { PlaceInfo } from '../aggregate/live/summary.js';
import { Enricher, type SharedData } from '../enrich/enricher.js';
import { FlowView } from '../enrich/flow-view.js';
import type { InputFormat } from '../sources/decode.js';
import { formatOption } from './batch.js';
import { EventSampler, type Sample } from './events.js';
import { Intake, newSourceStats, type IngestResult, type SourceStats } from './intake.js';

/** What an ingest thread needs to know, from the serve configuration. */
export interface IngestSetup {
  geoDb: string[];
  asnDb: string[];
  cacheSize: number;
  logFormat?: string;
  maxLineBytes: number;
  maxDocumentBytes: number;
  eventsPerSecond: number;
  eventIntervalMs: number;
}

export type IngestRequest =
  | { type: 'ingest'; id: number; name: string; body: Uint8Array; format: InputFormat }
  | { type: 'events'; id: number }
  | { type: 'second'; id: number };

/** A second counted on an ingest thread, with the names its tables use. */
export interface SecondData {
  bucket: BucketData;
  places: Array<[string, PlaceInfo]>;
  orgs: Array<[number, string | null]>;
  newestEnd: number;
}

export type IngestReply =
  | { type: 'ingest'; id: number; result: IngestResult; source: SourceStats }
  | { type: 'events'; id: number; sample: Sample }
  | { type: 'second'; id: number; second: SecondData }
  | { type: 'error'; id: number; error: string }
  /** A process warning of the thread (a database written over, say), for the server's log. */
  | { type: 'warning'; id: number; message: string; code?: string };

/**
 * One ingest thread's share of the live path: it decodes, parses, locates and counts the bodies it is given, and
 * hands over its sampled events and its counted second when the main thread asks (every 50 ms and every tick).
 * Stateless between requests but for those counts, so any request can go to any thread.
 */
export class IngestShard {
  private readonly counter = new SecondCounter();
  private readonly sampler: EventSampler;
  private readonly intake: Intake;

  constructor(setup: IngestSetup) {
    const view = new FlowView(Enricher.open({ geoDbs: setup.geoDb, asnDbs: setup.asnDb, cacheSize: setup.cacheSize }));
    view.warm();
    this.sampler = new EventSampler(setup.eventsPerSecond, setup.eventIntervalMs, Math.random, true);
    this.intake = new Intake(view, this.counter, this.sampler, {
      format: formatOption(setup.logFormat), maxLineBytes: setup.maxLineBytes, maxDocumentBytes: setup.maxDocumentBytes,
      clock: Date.now,
    });
  }

  async handle(m: IngestRequest): Promise<IngestReply> {
    if (m.type === 'ingest') {
      const source = newSourceStats(m.name);
      const body = Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength);
      return { type: 'ingest', id: m.id, result: await this.intake.ingest(m.name, source, body, m.format), source };
    }
    if (m.type === 'events') return { type: 'events', id: m.id, sample: this.sampler.takeSample() };
    return { type: 'second', id: m.id, second: await this.takeSecond() };
  }

  /**
   * Flattens the second in steps, between turns of the event loop: a busy second takes this thread tens of
   * milliseconds, and the bodies and event requests that arrive meanwhile (counted into the next second) should
   * not wait that long.
   */
  private async takeSecond(): Promise<SecondData> {
    const places = new Map<string, PlaceInfo>();
    const orgs = new Map<number, string | null>();
    const steps = this.counter.closeSecond(0, places, orgs);
    let step = steps.next();
    for (; !step.done; step = steps.next()) await nextTurn();
    const bucket = step.value;
    return { bucket: bucket.toData(), places: [...places], orgs: [...orgs], newestEnd: this.counter.newestEnd };
  }
}

if (parentPort !== null && workerData?.ipgeolocatorIngest === true) {
  const port = parentPort;
  Enricher.adopt(workerData.shared as SharedData);
  const shard = new IngestShard(workerData.setup as IngestSetup);
  // To the server's JSON log, not printed on this thread's stderr.
  process.removeAllListeners('warning');
  process.on('warning', (w: Error & { code?: string }) => {
    port.postMessage({ type: 'warning', id: 0, message: w.message, code: w.code } satisfies IngestReply);
  });
  port.on('message', (m: IngestRequest) => {
    shard.handle(m).then(
      (reply) => port.postMessage(reply),
      (err) => port.postMessage({ type: 'error', id: m.id, error: (err as Error).message } satisfies IngestReply),
    );
  });
  port.postMessage({ type: 'ready' });
}
