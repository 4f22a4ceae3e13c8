import type { FlowView } from '../../enrich/flow-view.js';
import { Action, LogStatus, type FlowLine } from '../../parse/line.js';
import { TextCache } from '../../parse/text-cache.js';
import { SecondAccumulator, packCombo } from './accumulator.js';
import { hashWords, mix32 } from './hll.js';

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
  /** Newest record `end` (Unix seconds) counted. */
  newestEnd = 0;

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
  }

  /** Hands over what was counted so far and starts a new second (sized like the last, so it does not regrow). */
  takeSecond(): SecondAccumulator {
    const closing = this.acc;
    this.acc = new SecondAccumulator(closing);
    return closing;
  }

  /** Forgets the second in progress. */
  reset(): void {
    this.acc = new SecondAccumulator();
  }
}
