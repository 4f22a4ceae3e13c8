import { getHeapStatistics } from 'node:v8';
import { hostname } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import { Bucket, SECOND_CAPS } from '../aggregate/live/bucket.js';
import type { LiveFilter } from '../aggregate/live/filter.js';
import { LiveAggregator, type WindowName } from '../aggregate/live/live.js';
import type { WindowSummary } from '../aggregate/live/summary.js';
import type { ServeConfig } from '../config/schema.js';
import { Enricher } from '../enrich/enricher.js';
import { FlowView } from '../enrich/flow-view.js';
import type { RejectCounts } from '../errors.js';
import type { FlowReader } from '../parse/reader.js';
import type { InputFormat } from '../sources/decode.js';
import type { Publisher } from '../sinks/mqtt.js';
import { formatOption } from './batch.js';
import { EventSampler, type Sample } from './events.js';
import type { IngestPool } from './ingest-pool.js';
import { Intake, newSourceStats, type IngestResult, type SourceStats } from './intake.js';

export type { IngestResult, SourceStats };

/** How often sampled events go out: a viewer sees a record about this long after it arrived, at worst. */
export const EVENT_INTERVAL_MS = 50;
const SLOW_WINDOWS_EVERY = 5;

/**
 * The live pipeline behind `serve`: every source gets its own FlowReader (its own format and header state), all
 * feed one classify → enrich → aggregate path, and a timer publishes the windows, a sample of events and the
 * pipeline's health. Nothing here waits on a viewer: publishing is fire-and-forget into the broker.
 */
export class LivePipeline {
  readonly producer: string;
  readonly started = Date.now();
  readonly sources = new Map<string, SourceStats>();
  readonly inputErrors: string[] = [];
  summariesPublished = 0;
  private readonly view: FlowView;
  private readonly aggregator: LiveAggregator;
  private readonly sampler: EventSampler;
  /** Records read on this thread (files, stdin, the demo, and ingest when there are no ingest threads). */
  private readonly intake: Intake;
  /** Counts of what ingest threads read. */
  private readonly remote = { lines: 0, records: 0, publicRecords: 0 };
  private pool: IngestPool | null = null;
  /** True while the event timer waits for the ingest threads' samples. */
  private takingEvents = false;
  private tickTimer: NodeJS.Timeout | null = null;
  /** The timer's tick while it runs in steps. */
  private ticking: Generator<void, void> | null = null;
  private eventTimer: NodeJS.Timeout | null = null;
  private ticks = 0;
  /** True while the timer's tick waits for the ingest threads' seconds. */
  private gathering = false;
  /** How long the event loop was held up: everything live (ingest, publishing, viewers) waits behind it. */
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });

  constructor(private readonly cfg: ServeConfig, private readonly publisher: Publisher, private readonly log: Logger,
    private readonly clock: () => number = Date.now) {
    this.producer = cfg.producerId ?? hostname();
    this.view = new FlowView(Enricher.open({ geoDbs: cfg.geoDb, asnDbs: cfg.asnDb, cacheSize: cfg.cacheSize }));
    this.aggregator = new LiveAggregator(Math.floor(clock() / 1000));
    this.sampler = new EventSampler(cfg.eventsPerSecond, EVENT_INTERVAL_MS);
    this.intake = new Intake(this.view, this.aggregator.counter, this.sampler, {
      format: formatOption(cfg.logFormat), maxLineBytes: cfg.maxLineBytes, maxDocumentBytes: cfg.maxBodyBytes * 4, clock,
    });
  }

  /** Every rejection, by reason. */
  get rejects(): RejectCounts {
    return this.intake.rejects;
  }

  /** Lines read (records plus rejected lines). */
  get lines(): number {
    return this.intake.lines + this.remote.lines;
  }

  get records(): number {
    return this.intake.records + this.remote.records;
  }

  get publicRecords(): number {
    return this.intake.publicRecords + this.remote.publicRecords;
  }

  private source(name: string): SourceStats {
    let s = this.sources.get(name);
    if (s === undefined) {
      s = newSourceStats(name);
      // Bounded: sources are configured inputs and a few ingest endpoints, but files in a followed directory come
      // and go; forget the quietest when there are too many.
      if (this.sources.size >= 256) this.sources.delete(this.sources.keys().next().value!);
      this.sources.set(name, s);
    }
    return s;
  }

  /** A reader that feeds this pipeline, for one source (a file, stdin, the demo). */
  reader(name: string): FlowReader {
    return this.intake.reader(name, this.source(name));
  }

  /**
   * Decodes and reads one HTTP body (any shape the core decodes), on an ingest thread when there are some.
   * `handOver`: the caller is done with `body`, whose memory may then move to the thread (see IngestPool.ingest).
   */
  async ingest(name: string, body: Buffer, format: InputFormat, handOver = false): Promise<IngestResult> {
    if (this.pool === null) return this.intake.ingest(name, this.source(name), body, format);
    const { result, source } = await this.pool.ingest(name, body, format, handOver);
    const mine = this.source(name);
    mine.records += source.records;
    mine.rejected += source.rejected;
    mine.publicRecords += source.publicRecords;
    mine.newestEnd = Math.max(mine.newestEnd, source.newestEnd);
    mine.lastArrival = Math.max(mine.lastArrival, source.lastArrival);
    this.remote.lines += source.records + source.rejected;
    this.remote.records += source.records;
    this.remote.publicRecords += source.publicRecords;
    for (const [code, n] of result.byCode) this.rejects.add(code, n);
    return result;
  }

  /** Reads an already parsed JSON envelope (a Lambda event): same decoding as a body, without re-serialising it. */
  ingestValue(name: string, value: unknown): IngestResult {
    return this.intake.ingestValue(name, this.source(name), value);
  }

  /**
   * Starts ingest threads (`--ingest-threads`; none when 0): HTTP bodies are then read beside the main thread,
   * which keeps serving requests and viewers.
   */
  async startIngestThreads(threads: number): Promise<void> {
    if (threads <= 0) return;
    const { IngestPool } = await import('./ingest-pool.js');
    const cfg = this.cfg;
    this.pool = await IngestPool.start({
      geoDb: cfg.geoDb, asnDb: cfg.asnDb, cacheSize: cfg.cacheSize, logFormat: cfg.logFormat, maxLineBytes: cfg.maxLineBytes,
      maxDocumentBytes: cfg.maxBodyBytes * 4, eventsPerSecond: cfg.eventsPerSecond, eventIntervalMs: EVENT_INTERVAL_MS,
    }, threads, this.log);
  }

  /** Adds the seconds the ingest threads counted since the last call to the second this thread closes next. */
  private async gatherSeconds(): Promise<void> {
    if (this.pool === null) return;
    for (const s of await this.pool.takeSeconds()) {
      this.aggregator.arrive(Bucket.fromData(s.bucket, SECOND_CAPS), s.places, s.orgs, s.newestEnd);
    }
  }

  start(): void {
    // A server loads all its data up front: no first-IPv6-record stall of a few hundred milliseconds later.
    this.view.warm();
    this.loopDelay.enable();
    this.tickTimer = setInterval(() => void this.tickInTurns(), this.cfg.tickSeconds * 1000);
    this.eventTimer = setInterval(() => void this.eventsInTurn(), EVENT_INTERVAL_MS);
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
    if (this.ticking !== null || this.gathering) return;
    this.gathering = true;
    try {
      await this.gatherSeconds();
    } finally {
      this.gathering = false;
    }
    if (this.ticking !== null) return;
    const steps = (this.ticking = this.tickSteps(false, false));
    try {
      while (!steps.next().done) await nextTurn();
    } finally {
      if (this.ticking === steps) this.ticking = null;
    }
  }

  /** The event timer: this thread's sample, merged with the ingest threads' when there are some. */
  private async eventsInTurn(): Promise<void> {
    if (this.pool === null) return this.publishEvents();
    if (this.takingEvents) return;
    this.takingEvents = true;
    try {
      this.publishEvents(await this.pool.takeEvents());
    } finally {
      this.takingEvents = false;
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

  /** Publishes the events sampled since the last call (here, and on the ingest threads when given their samples). */
  publishEvents(others: Sample[] = []): void {
    const { events, skipped } = this.sampler.takeMerged(others);
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

  /** Stops the timers after a last tick, so what was read before shutdown (on any thread) is published. */
  async stop(): Promise<void> {
    this.loopDelay.disable();
    if (this.tickTimer !== null) clearInterval(this.tickTimer);
    if (this.eventTimer !== null) clearInterval(this.eventTimer);
    if (this.pool !== null) {
      this.publishEvents(await this.pool.takeEvents());
      await this.gatherSeconds();
      await this.pool.close();
      this.pool = null;
    } else {
      this.publishEvents();
    }
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
