import { DIRECTION_NAMES } from '../classify/endpoints.js';
import type { FlowView } from '../enrich/flow-view.js';
import type { FlowLine } from '../parse/line.js';

/**
 * Picks the enriched events viewers see: at most `perInterval` per interval, a uniform sample of everything that
 * arrived in it (reservoir sampling, Vitter's algorithm R), so a browser never drowns at 100 k records/s and the
 * sample still shows the real mix. Only sampled records are turned into objects.
 */
export class EventSampler {
  private reservoir: object[] = [];
  private seen = 0;
  skippedTotal = 0;
  publishedTotal = 0;

  constructor(private readonly perInterval: number, private readonly random: () => number = Math.random) {}

  offer(line: FlowLine, view: FlowView): void {
    const i = this.seen++;
    if (i < this.perInterval) this.reservoir.push(eventOf(line, view));
    else {
      const j = Math.floor(this.random() * (i + 1));
      if (j < this.perInterval) this.reservoir[j] = eventOf(line, view);
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
    return { events, skipped };
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
