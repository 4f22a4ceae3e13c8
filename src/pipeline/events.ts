import { DIRECTION_NAMES } from '../classify/endpoints.js';
import type { FlowView } from '../enrich/flow-view.js';
import type { FlowLine } from '../parse/line.js';

/**
 * Picks the enriched events viewers see: `perSecond` at most, a uniform sample of everything that arrived in each
 * interval (reservoir sampling, Vitter's algorithm R), so a browser never drowns at 100 k records/s and the sample
 * still shows the real mix. Only sampled records are turned into objects.
 */
export class EventSampler {
  private reservoir: object[] = [];
  private seen = 0;
  /** This interval's share of `perSecond`; the fractions left over carry to the next (5/s in 50 ms intervals). */
  private size = 0;
  private credit = 0;
  skippedTotal = 0;
  publishedTotal = 0;

  constructor(private readonly perSecond: number, private readonly intervalMs: number,
    private readonly random: () => number = Math.random) {
    this.nextInterval();
  }

  offer(line: FlowLine, view: FlowView): void {
    const i = this.seen++;
    if (i < this.size) this.reservoir.push(eventOf(line, view));
    else {
      const j = Math.floor(this.random() * (i + 1));
      if (j < this.size) this.reservoir[j] = eventOf(line, view);
    }
  }

  /** The interval's sample and how many were left out; starts the next interval. */
  take(): { events: object[]; skipped: number } {
    const events = this.reservoir;
    const skipped = this.seen - events.length;
    this.reservoir = [];
    this.seen = 0;
    this.skippedTotal += skipped;
    this.publishedTotal += events.length;
    this.nextInterval();
    return { events, skipped };
  }

  private nextInterval(): void {
    this.credit += (this.perSecond * this.intervalMs) / 1000;
    this.size = Math.floor(this.credit + 1e-9);
    this.credit = Math.max(0, this.credit - this.size);
  }
}

/** The `enrich` shape of a record, as an object. */
export function eventOf(line: FlowLine, view: FlowView): object {
  return {
    ...line.toRecord(),
    direction: DIRECTION_NAMES[view.endpoints.direction],
    src_geo: view.src?.geo ?? null,
    dst_geo: view.dst?.geo ?? null,
  };
}
