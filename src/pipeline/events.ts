import { DIRECTION_NAMES } from '../classify/endpoints.js';
import type { FlowView } from '../enrich/flow-view.js';
import type { FlowLine } from '../parse/line.js';

/**
 * Picks the enriched events viewers see: `perSecond` at most, a uniform sample of everything that arrived in each
 * interval (reservoir sampling, Vitter's algorithm R), so a browser never drowns at 100 k records/s and the sample
 * still shows the real mix. Only sampled records are turned into objects.
 */
/** A uniform sample of the `seen` records of one interval, of at most `budget` events. */
export interface Sample {
  events: object[];
  seen: number;
  budget: number;
}

export class EventSampler {
  private reservoir: object[] = [];
  private seen = 0;
  /** This interval's share of `perSecond`; the fractions left over carry to the next (5/s in 50 ms intervals). */
  private size = 0;
  private credit = 0;
  skippedTotal = 0;
  publishedTotal = 0;

  /**
   * With `roundUp`, every interval holds the most the rate can give one (no carried fractions): an ingest thread
   * samples that many, so its share of a merged sample never runs short (see mergeSamples).
   */
  constructor(private readonly perSecond: number, private readonly intervalMs: number,
    private readonly random: () => number = Math.random, private readonly roundUp = false) {
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
    return this.takeMerged([]);
  }

  /**
   * This interval's sample merged with samples of the same interval taken elsewhere (ingest threads): one
   * uniform sample of everything that arrived, within this sampler's budget. Starts the next interval.
   */
  takeMerged(others: Sample[]): { events: object[]; skipped: number } {
    const mine = this.takeSample();
    const merged = others.length === 0 ? mine.events : mergeSamples([mine, ...others], mine.budget, this.random);
    const skipped = [mine, ...others].reduce((n, s) => n + s.seen, 0) - merged.length;
    this.skippedTotal += skipped;
    this.publishedTotal += merged.length;
    return { events: merged, skipped };
  }

  /** The interval's sample as it stands, without counting it as published; starts the next interval. */
  takeSample(): Sample {
    const sample = { events: this.reservoir, seen: this.seen, budget: this.size };
    this.reservoir = [];
    this.seen = 0;
    this.nextInterval();
    return sample;
  }

  private nextInterval(): void {
    if (this.roundUp) {
      this.size = Math.ceil((this.perSecond * this.intervalMs) / 1000 - 1e-9);
      return;
    }
    this.credit += (this.perSecond * this.intervalMs) / 1000;
    this.size = Math.floor(this.credit + 1e-9);
    this.credit = Math.max(0, this.credit - this.size);
  }
}

/**
 * One uniform sample of at most `budget` from the union of disjoint streams, each given as a uniform sample of
 * what it saw: each pick chooses a stream with odds equal to its share of the records not yet picked, then a
 * random event of that stream's sample not yet taken — sampling without replacement from the union, done in two
 * steps. A stream's sample must hold at least as many events as could be picked from it (min(seen, budget)).
 */
export function mergeSamples(samples: Sample[], budget: number, random: () => number = Math.random): object[] {
  const left = samples.map((s) => s.seen);
  const pools = samples.map((s) => s.events.slice());
  let total = left.reduce((a, b) => a + b, 0);
  const out: object[] = [];
  while (out.length < budget && total > 0) {
    let r = Math.floor(random() * total);
    let i = 0;
    while (r >= left[i]) r -= left[i++];
    const pool = pools[i];
    if (pool.length === 0) {
      // Only if a stream sampled fewer than it should have: take nothing more from it.
      total -= left[i];
      left[i] = 0;
      continue;
    }
    const j = Math.floor(random() * pool.length);
    out.push(pool[j]);
    pool[j] = pool[pool.length - 1];
    pool.pop();
    left[i]--;
    total--;
  }
  return out;
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
