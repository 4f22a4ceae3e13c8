import type { EnrichConfig } from '../config/schema.js';
import { Enricher } from '../enrich/enricher.js';
import { FlowView } from '../enrich/flow-view.js';
import type { Rejection } from '../errors.js';
import type { FlowLine } from '../parse/line.js';
import { runBatch, type BatchResult } from '../pipeline/batch.js';
import { Progress, type RunSummary } from './summary.js';

export type Consumer = (line: FlowLine, view: FlowView) => void;

/**
 * The part `enrich` and `report` share: read the inputs, classify and locate each record, count, select (public
 * only unless --all) and hand selected records to the command. Rejections go to stderr as `WHERE: reason`.
 */
export async function runSelected(cfg: EnrichConfig, consume: Consumer,
  afterPiece?: () => Promise<void> | undefined): Promise<{ result: BatchResult; summary: RunSummary }> {
  const view = new FlowView(Enricher.open({ geoDbs: cfg.geoDb, asnDbs: cfg.asnDb, cacheSize: cfg.cacheSize }));
  const summary: RunSummary = { emitted: 0, flows: 0, publicFlows: 0, statusRecords: 0, seconds: 0 };
  const progress = new Progress(cfg.progress ?? process.stderr.isTTY === true);
  const started = process.hrtime.bigint();
  let result: BatchResult | null = null;
  const onRecord = (line: FlowLine) => {
    view.read(line);
    if (line.isStatusRecord()) summary.statusRecords++;
    else {
      summary.flows++;
      if (view.hasPublic) summary.publicFlows++;
    }
    if (cfg.all || (view.hasPublic && !line.isStatusRecord())) {
      summary.emitted++;
      consume(line, view);
    }
  };
  const onReject = (r: Rejection) => process.stderr.write(`${r.where}: ${r.detail} [${r.code}]\n`);
  result = await runBatch(cfg, {
    onRecord,
    onReject,
    afterPiece: () => {
      progress.tick(result?.reader.records ?? summary.flows + summary.statusRecords);
      return afterPiece?.();
    },
  });
  progress.done();
  summary.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { result, summary };
}

/** Exit status: 1 when an input failed or (with --strict) any line was rejected, else 0. */
export function exitCode(cfg: EnrichConfig, result: BatchResult): number {
  if (result.inputErrors.length > 0) return 1;
  if (cfg.strict && result.reader.rejects.total > 0) return 1;
  return 0;
}
