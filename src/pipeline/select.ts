import type { FlowView } from '../enrich/flow-view.js';
import type { FlowLine } from '../parse/line.js';

export type Consumer = (line: FlowLine, view: FlowView) => void;

/** What happened to the records of a run, beside what the reader counted. */
export interface Counts {
  /** Records handed to the command (written by enrich, aggregated by report). */
  emitted: number;
  /** Records that are traffic (not NODATA/SKIPDATA). */
  flows: number;
  publicFlows: number;
  statusRecords: number;
}

export const zeroCounts = (): Counts => ({ emitted: 0, flows: 0, publicFlows: 0, statusRecords: 0 });

export function addCounts(into: Counts, c: Counts): void {
  into.emitted += c.emitted;
  into.flows += c.flows;
  into.publicFlows += c.publicFlows;
  into.statusRecords += c.statusRecords;
}

/**
 * Classifies and locates each record, counts it, and hands the selected ones to the command: records with a
 * public endpoint by default, every record (status records included) with `all`.
 */
export function selector(view: FlowView, all: boolean, counts: Counts, consume: Consumer): (line: FlowLine) => void {
  return (line) => {
    view.read(line);
    const status = line.isStatusRecord();
    if (status) counts.statusRecords++;
    else {
      counts.flows++;
      if (view.hasPublic) counts.publicFlows++;
    }
    if (all || (view.hasPublic && !status)) {
      counts.emitted++;
      consume(line, view);
    }
  };
}
