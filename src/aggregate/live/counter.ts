import type { FlowView } from '../../enrich/flow-view.js';
import { formatIPv4 } from '../../parse/address.js';
import { Action, LogStatus, type FlowLine } from '../../parse/line.js';
import { TextCache } from '../../parse/text-cache.js';
import { SecondAccumulator, packCombo } from './accumulator.js';
import type { Bucket } from './bucket.js';
import { hashWords, mix32 } from './hll.js';
import type { PlaceInfo } from './summary.js';

/**
 * Cells (remote location × protocol/port/action/direction × interface) a second may hold before they are
 * flattened into a bucket early. Without it a second's table grew with its distinct cells, which a busy stream
 * or a scan across many ports makes nearly one a record (the bench's data: 25k cells in 100k records), so its
 * memory followed the rate. A bucket's tables are capped, and buckets add up exactly as seconds do into minutes.
 */
export const SPILL_CELLS = 32_000;

/** Runs steps made to be spread over turns of the event loop (see LiveAggregator.tickSteps) all at once. */
export function runToEnd<T>(steps: Generator<void, T>): T {
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/**
 * The service side of a flow: the lower of its two ports. Each connection is logged once per direction, and the
 * ephemeral side (32768 and up on Linux, 49152 and up elsewhere) says nothing about the service; keying on it
 * would also flood the table with one row per connection.
 */
export function servicePort(src: number, dst: number): number {
  if (Number.isNaN(src)) return dst;
  if (Number.isNaN(dst)) return src;
  return Math.min(src, dst);
}

/**
 * Counts records into the second in progress: the per-record half of the live aggregates. The window side
 * (LiveAggregator) owns one; each ingest thread owns another and hands its seconds over as Buckets.
 */
export class SecondCounter {
  private acc = new SecondAccumulator();
  private readonly interfaces = new TextCache();
  /** Parts of the second in progress flattened early (see SPILL_CELLS), with the names their tables use. */
  private spilled: Bucket | null = null;
  private spilledPlaces = new Map<string, PlaceInfo>();
  private spilledOrgs = new Map<number, string | null>();
  /** Most cells a part of this second held (so the next second starts with room for as many). */
  private busiest = 0;
  /** Newest record `end` (Unix seconds) counted. */
  newestEnd = 0;

  constructor(private readonly spillCells = SPILL_CELLS) {}

  /** Counts one parsed, classified and located record. */
  add(line: FlowLine, view: FlowView): void {
    const acc = this.acc;
    if (line.logStatus === LogStatus.nodata) acc.nodata++;
    else if (line.logStatus === LogStatus.skipdata) acc.skipdata++;
    if (line.isStatusRecord()) return;
    acc.flows++;
    const col = line.format.col;
    if (col.end >= 0 && line.nums[col.end] > this.newestEnd) this.newestEnd = line.nums[col.end];
    const remote = view.remote;
    if (remote === null) return;
    const ep = view.endpoints;
    const remoteIsSrc = view.remoteIsSource;
    const k = remoteIsSrc ? ep.srcCol : ep.dstCol;
    const v4 = remoteIsSrc ? ep.srcV4 : ep.dstV4;
    const nums = line.nums;
    const port = servicePort(col.srcport < 0 ? NaN : nums[col.srcport], col.dstport < 0 ? NaN : nums[col.dstport]);
    const protocol = col.protocol < 0 || Number.isNaN(nums[col.protocol]) ? -1 : nums[col.protocol];
    acc.add(remote, packCombo(protocol, Number.isNaN(port) ? -1 : port, line.action, ep.direction),
      col.interfaceId < 0 ? '-' : this.interfaces.get(line.buf, line.starts[col.interfaceId], line.ends[col.interfaceId]),
      col.interfaceId < 0 ? 0 : this.interfaces.id,
      v4 >= 0 ? v4 : (line.text(k) ?? '-'), v4 >= 0 ? mix32(v4) : hashWords(line.v6, k * 4),
      col.packets < 0 ? 0 : nums[col.packets] || 0, col.bytes < 0 ? 0 : nums[col.bytes] || 0,
      line.action === Action.reject ? 1 : 0);
    if (acc.cellCount >= this.spillCells) this.spill();
  }

  private spill(): void {
    const part = runToEnd(this.acc.close(0, this.spilledPlaces, this.spilledOrgs, formatIPv4));
    if (this.spilled === null) this.spilled = part;
    else this.spilled.addBucket(part);
    this.busiest = Math.max(this.busiest, this.acc.cellCount);
    this.acc = new SecondAccumulator(this.acc);
  }

  /**
   * Closes the second in progress into a Bucket (in steps: see LiveAggregator.tickSteps), noting the names of
   * places and organisations its tables use in `places` and `orgs`. Records added meanwhile count in the next
   * second, which starts sized like this one so a busy stream does not regrow it.
   */
  *closeSecond(start: number, places: Map<string, PlaceInfo>, orgs: Map<number, string | null>): Generator<void, Bucket> {
    const closing = this.acc;
    const spilled = this.spilled;
    const spilledPlaces = this.spilledPlaces;
    const spilledOrgs = this.spilledOrgs;
    this.acc = new SecondAccumulator(closing, this.busiest);
    this.busiest = 0;
    this.spilled = null;
    this.spilledPlaces = new Map();
    this.spilledOrgs = new Map();
    const done = yield* closing.close(start, places, orgs, formatIPv4);
    if (spilled !== null) {
      done.addBucket(spilled);
      for (const [key, info] of spilledPlaces) if (!places.has(key)) places.set(key, info);
      for (const [asn, org] of spilledOrgs) if (!orgs.has(asn)) orgs.set(asn, org);
    }
    return done;
  }

  /** Forgets the second in progress. */
  reset(): void {
    this.acc = new SecondAccumulator();
    this.spilled = null;
    this.spilledPlaces = new Map();
    this.spilledOrgs = new Map();
  }
}
