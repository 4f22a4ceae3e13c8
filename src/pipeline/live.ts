import { getHeapStatistics } from 'node:v8';
import { hostname } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { LiveFilter } from '../aggregate/live/bucket.js';
import { LiveAggregator, type WindowName } from '../aggregate/live/live.js';
import type { WindowSummary } from '../aggregate/live/summary.js';
import type { ServeConfig } from '../config/schema.js';
import { Enricher } from '../enrich/enricher.js';
import { FlowView } from '../enrich/flow-view.js';
import { RejectCounts, type Rejection } from '../errors.js';
import { formatOption } from './batch.js';
import { FlowReader } from '../parse/reader.js';
import type { FlowLine } from '../parse/line.js';
import { decodeStream, type InputFormat } from '../sources/decode.js';
import { dispatchJson } from '../sources/envelopes.js';
import type { Publisher } from '../sinks/mqtt.js';
import { EventSampler } from './events.js';
import { feedPiece } from './feed.js';

/** Per-source health: how much came in and how fresh it is. */
export interface SourceStats {
  name: string;
  records: number;
  rejected: number;
  /** Newest record `end` (Unix seconds) seen from this source. */
  newestEnd: number;
  lastArrival: number;
}

/** What one HTTP ingest request did. */
export interface IngestResult {
  accepted: number;
  rejected: number;
  controlMessages: number;
  rejections: Array<{ where: string; code: string; detail: string }>;
  /** Set when the body itself could not be decoded to its end. */
  error?: string;
}

/** How often sampled events go out: a viewer sees a record about this long after it arrived, at worst. */
export const EVENT_INTERVAL_MS = 50;
const SLOW_WINDOWS_EVERY = 5;
const FIRST_REJECTIONS = 10;

/**
 * The live pipeline behind `serve`: every source gets its own FlowReader (its own format and header state), all
 * feed one classify → enrich → aggregate path, and a timer publishes the windows, a sample of events and the
 * pipeline's health. Nothing here waits on a viewer: publishing is fire-and-forget into the broker.
 */
export class LivePipeline {
  readonly producer: string;
  readonly started = Date.now();
  readonly rejects = new RejectCounts();
  readonly sources = new Map<string, SourceStats>();
  readonly inputErrors: string[] = [];
  /** Lines read (records plus rejected lines). */
  lines = 0;
  records = 0;
  publicRecords = 0;
  summariesPublished = 0;
  private readonly view: FlowView;
  private readonly aggregator: LiveAggregator;
  private readonly sampler: EventSampler;
  private readonly format;
  private tickTimer: NodeJS.Timeout | null = null;
  /** The timer's tick while it runs in steps. */
  private ticking: Generator<void, void> | null = null;
  private eventTimer: NodeJS.Timeout | null = null;
  private ticks = 0;
  /** How long the event loop was held up: everything live (ingest, publishing, viewers) waits behind it. */
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });

  constructor(private readonly cfg: ServeConfig, private readonly publisher: Publisher, private readonly log: Logger,
    private readonly clock: () => number = Date.now) {
    this.producer = cfg.producerId ?? hostname();
    this.view = new FlowView(Enricher.open({ geoDbs: cfg.geoDb, asnDbs: cfg.asnDb, cacheSize: cfg.cacheSize }));
    this.aggregator = new LiveAggregator(Math.floor(clock() / 1000));
    this.sampler = new EventSampler(cfg.eventsPerSecond, EVENT_INTERVAL_MS);
    this.format = formatOption(cfg.logFormat);
  }

  private source(name: string): SourceStats {
    let s = this.sources.get(name);
    if (s === undefined) {
      s = { name, records: 0, rejected: 0, newestEnd: 0, lastArrival: 0 };
      // Bounded: sources are configured inputs and a few ingest endpoints, but files in a followed directory come
      // and go; forget the quietest when there are too many.
      if (this.sources.size >= 256) this.sources.delete(this.sources.keys().next().value!);
      this.sources.set(name, s);
    }
    return s;
  }

  /** A reader that feeds this pipeline, for one source (a file, stdin, the demo, an ingest request). */
  reader(name: string, onReject?: (r: Rejection) => void): FlowReader {
    const stats = this.source(name);
    const onRecord = (line: FlowLine) => {
      this.lines++;
      this.records++;
      stats.records++;
      stats.lastArrival = this.clock();
      const e = line.format.col.end >= 0 ? line.nums[line.format.col.end] : NaN;
      if (e > stats.newestEnd) stats.newestEnd = e;
      this.view.read(line);
      this.aggregator.add(line, this.view);
      if (this.view.hasPublic && !line.isStatusRecord()) {
        this.publicRecords++;
        this.sampler.offer(line, this.view);
      }
    };
    const reader = new FlowReader({ format: this.format, maxLineBytes: this.cfg.maxLineBytes }, onRecord, (r) => {
      this.lines++;
      stats.rejected++;
      this.rejects.add(r.code);
      onReject?.(r);
    });
    reader.begin(name);
    return reader;
  }

  /** Decodes and reads one HTTP body (any shape the core decodes). */
  async ingest(name: string, body: Buffer, format: InputFormat): Promise<IngestResult> {
    const { result, reader } = this.ingestReader(name);
    try {
      for await (const piece of decodeStream(once(body), name, { format, maxDocumentBytes: this.cfg.maxBodyBytes * 4 })) {
        if (feedPiece(reader, piece)) result.controlMessages++;
      }
    } catch (err) {
      result.error = (err as Error).message;
    }
    reader.end();
    result.accepted = reader.records;
    return result;
  }

  /** Reads an already parsed JSON envelope (a Lambda event): same decoding as a body, without re-serialising it. */
  ingestValue(name: string, value: unknown): IngestResult {
    const { result, reader } = this.ingestReader(name);
    for (const piece of dispatchJson(value, name)) if (feedPiece(reader, piece)) result.controlMessages++;
    reader.end();
    result.accepted = reader.records;
    return result;
  }

  /** A reader for one request, noting its first rejections in the result. */
  private ingestReader(name: string): { result: IngestResult; reader: FlowReader } {
    const result: IngestResult = { accepted: 0, rejected: 0, controlMessages: 0, rejections: [] };
    const reader = this.reader(name, (r) => {
      result.rejected++;
      if (result.rejections.length < FIRST_REJECTIONS) result.rejections.push({ where: r.where, code: r.code, detail: r.detail });
    });
    return { result, reader };
  }

  start(): void {
    // A server loads all its data up front: no first-IPv6-record stall of a few hundred milliseconds later.
    this.view.warm();
    this.loopDelay.enable();
    this.tickTimer = setInterval(() => void this.tickInTurns(), this.cfg.tickSeconds * 1000);
    this.eventTimer = setInterval(() => this.publishEvents(), EVENT_INTERVAL_MS);
  }

  /**
   * Closes the seconds passed and publishes the windows (all of them with `every`) and health. With
   * `includeCurrent` the second in progress is closed too, so what was just read is in the windows published now
   * (a Lambda publishes once per invocation, right after reading).
   */
  tick(every = false, includeCurrent = false): void {
    this.finishTickInTurns();
    for (const _ of this.tickSteps(every, includeCurrent));
  }

  /**
   * The timer's tick, one step per turn of the event loop: ingest requests run between the steps instead of
   * waiting behind a whole tick (flattening a busy second and sending each window to every viewer). A tick still
   * running when the timer fires again is left to finish; the next one closes every second passed.
   */
  private async tickInTurns(): Promise<void> {
    if (this.ticking !== null) return;
    const steps = (this.ticking = this.tickSteps(false, false));
    try {
      while (!steps.next().done) await nextTurn();
    } finally {
      if (this.ticking === steps) this.ticking = null;
    }
  }

  /** Runs the rest of a tick in progress at once, so a tick that must happen now cannot interleave with it. */
  private finishTickInTurns(): void {
    const steps = this.ticking;
    this.ticking = null;
    if (steps !== null) for (const _ of steps);
  }

  private *tickSteps(every: boolean, includeCurrent: boolean): Generator<void, void> {
    const now = this.clock();
    yield* this.aggregator.tickSteps(Math.floor(now / 1000) + (includeCurrent ? 1 : 0));
    // The slow windows go out on different ticks: each is a large message to every viewer, and sending both at
    // once holds up everything behind them (events included) for longer.
    const n = this.ticks++;
    const windows: WindowName[] = ['1m'];
    if (every || n % SLOW_WINDOWS_EVERY === 0) windows.push('15m');
    if (every || n === 0 || n % SLOW_WINDOWS_EVERY === Math.floor(SLOW_WINDOWS_EVERY / 2)) windows.push('1h');
    for (const w of windows) {
      yield;
      this.publisher.publish(this.topic(`summary/${w}`), JSON.stringify(this.aggregator.summary(w, this.producer, now)), true);
      this.summariesPublished++;
    }
    this.publisher.publish(this.topic('stats'), JSON.stringify(this.stats()), true);
  }

  /** Publishes the events sampled since the last call. */
  publishEvents(): void {
    const { events, skipped } = this.sampler.take();
    if (events.length === 0 && skipped === 0) return;
    this.publisher.publish(this.topic('events'), JSON.stringify({ v: 1, producer: this.producer, at: this.clock(), events, skipped }), false);
  }

  topic(suffix: string): string {
    return `${this.cfg.topicPrefix}/${suffix}`;
  }

  /** The attributions the data sources require (DB-IP's licence asks for a link on pages that show its data). */
  attribution(): Array<{ text: string; url: string | null }> {
    return this.view.sources().flatMap((s) => (s.attribution === null ? [] : [{ text: s.attribution, url: /https?:\/\/[^)\s]+/.exec(s.attribution)?.[0] ?? null }]));
  }

  /** A window, narrowed to a filter when one is given (GET /api/summary). */
  summary(window: WindowName, filter: LiveFilter | null): WindowSummary {
    const now = this.clock();
    return filter === null ? this.aggregator.summary(window, this.producer, now)
      : this.aggregator.filtered(window, filter, this.producer, now);
  }

  /** Pipeline health, as published on <prefix>/stats and served at /api/stats. */
  stats(): object {
    const now = this.clock();
    const nowSec = Math.floor(now / 1000);
    return {
      v: 1,
      producer: this.producer,
      at: now,
      uptime_seconds: Math.round((now - this.started) / 1000),
      lines: this.lines,
      records: this.records,
      public_records: this.publicRecords,
      rejected: this.rejects.total,
      rejected_by_reason: this.rejects.toJSON(),
      events: { published: this.sampler.publishedTotal, skipped: this.sampler.skippedTotal },
      summaries_published: this.summariesPublished,
      publish_dropped: this.publisher.dropped,
      sources: [...this.sources.values()].map((s) => ({
        name: s.name, records: s.records, rejected: s.rejected, newest_end: s.newestEnd || null,
        lag_seconds: s.newestEnd ? Math.max(0, nowSec - s.newestEnd) : null,
        last_arrival: s.lastArrival || null,
      })),
      input_errors: this.inputErrors.slice(-10),
      memory: memoryMiB(),
      event_loop_delay_ms: { p50: ms(this.loopDelay.percentile(50)), p99: ms(this.loopDelay.percentile(99)), max: ms(this.loopDelay.max) },
    };
  }

  /** Stops the timers after a last tick, so what was read before shutdown is published. */
  stop(): void {
    this.loopDelay.disable();
    if (this.tickTimer !== null) clearInterval(this.tickTimer);
    if (this.eventTimer !== null) clearInterval(this.eventTimer);
    this.publishEvents();
    this.tick();
  }
}

const ms = (ns: number) => Math.round(ns / 1e5) / 10;

function memoryMiB(): Record<string, number> {
  const m = process.memoryUsage();
  const mib = (n: number) => Math.round(n / 2 ** 20);
  return {
    rss: mib(m.rss), peak_rss: Math.round(process.resourceUsage().maxRSS / 1024), heap_used: mib(m.heapUsed),
    heap_total: mib(m.heapTotal), heap_limit: mib(getHeapStatistics().heap_size_limit), array_buffers: mib(m.arrayBuffers),
    external: mib(m.external),
  };
}

async function* once(body: Buffer): AsyncGenerator<Buffer> {
  yield body;
}
