import type { EnrichConfig } from '../config/schema.js';
import { Enricher } from '../enrich/enricher.js';
import { FlowView } from '../enrich/flow-view.js';
import type { Rejection } from '../errors.js';
import { FlowReader } from '../parse/reader.js';
import { formatOption, readInput, RunStats } from '../pipeline/batch.js';
import { SegmentPool } from '../pipeline/parallel.js';
import { inspectFile, jobCount, spreadable } from '../pipeline/plan.js';
import { selector, zeroCounts, type Consumer } from '../pipeline/select.js';
import { needsOwners, type Job, type SegmentResult, type WorkerSetup } from '../pipeline/worker.js';
import { expandInputs } from '../sources/input.js';
import { Progress } from './summary.js';

/** How a command takes records: one at a time on this thread, or a worker's whole segment at once. */
export interface CommandSink {
  job: Job;
  consume: Consumer;
  segment(result: SegmentResult): Promise<void> | void;
  /** Writes output a whole file sent before its result, in input order (`enrich`). */
  output?(parts: Uint8Array[]): Promise<void>;
  /** Called after each decoded piece; may return a promise to apply backpressure (e.g. a full stdout). */
  afterPiece?(): Promise<void> | undefined;
  /** Where `segment` puts workers' output blocks once written, for the workers to write into again. */
  spares?: Buffer[];
}

const printReject = (r: Rejection) => process.stderr.write(`${r.where}: ${r.detail} [${r.code}]\n`);

/**
 * The part `enrich` and `report` share: read every input — large plain-text files split over all cores, several
 * files that cannot be split a file a thread, anything else on this thread — classify and locate each record,
 * count, select (public only unless --all) and hand the selected records to the command, in input order for
 * `enrich`. Rejections go to stderr as `WHERE: reason [code]`.
 */
export async function runCommand(cfg: EnrichConfig, sink: CommandSink): Promise<{ stats: RunStats; seconds: number }> {
  const started = process.hrtime.bigint();
  const stats = new RunStats();
  const progress = new Progress(cfg.progress ?? process.stderr.isTTY === true);
  const configured = formatOption(cfg.logFormat);
  const jobs = jobCount(cfg.jobs);
  // Set inside the closures below, so typed by assertion: TypeScript would narrow them to null here for good.
  let sequential = null as { reader: FlowReader; counts: ReturnType<typeof zeroCounts> } | null;
  let pool = null as SegmentPool | null;
  const usablePool = async (): Promise<SegmentPool> => {
    if (pool === null || !pool.usable) {
      await pool?.close();
      pool = SegmentPool.open(jobs, setupOf(cfg, sink.job), sink.spares);
      stats.threads = jobs;
    }
    return pool;
  };
  const readHere = async (input: string) => {
    sequential ??= sequentialReader(cfg, sink, configured);
    const { reader } = sequential;
    await readInput(reader, input, cfg, stats, () => {
      progress.tick(stats.records + reader.records);
      return sink.afterPiece?.();
    });
  };
  try {
    const textOrAuto = cfg.inputFormat === 'auto' || cfg.inputFormat === 'text';
    const plan = expandInputs(cfg.inputs, cfg.exclude).map((input) => {
      const file = jobs > 1 && input !== '-' ? inspectFile(input, configured, cfg.parallelMinBytes) : null;
      return { input, file, split: textOrAuto ? file?.split ?? null : null };
    });
    const whole = spreadable(plan.filter((p) => p.split === null), cfg.parallelMinBytes, sink.job);
    // Files read whole on the threads, a run of them at a time. `enrich` keeps input order, so a run ends at the next
    // input read otherwise; a report's totals do not depend on order, so its files all go in one run at the end.
    let run: string[] = [];
    const readRun = async () => {
      if (run.length > 0) await readWhole(await usablePool(), run, configured, sink, stats, progress);
      run = [];
    };
    for (const { input, split } of plan) {
      if (whole.has(input)) {
        run.push(input);
        continue;
      }
      if (sink.job.kind === 'enrich') await readRun();
      if (split !== null) await readSplit(await usablePool(), input, split, cfg, sink, stats, progress);
      else await readHere(input);
    }
    await readRun();
  } finally {
    await pool?.close();
  }
  if (sequential !== null) stats.addReader(sequential.reader, sequential.counts);
  progress.done();
  return { stats, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** One reader on this thread for every input that is not split (gzip, JSON, stdin, small files). */
function sequentialReader(cfg: EnrichConfig, sink: CommandSink, configured: ReturnType<typeof formatOption>) {
  const view = new FlowView(Enricher.open({ geoDbs: cfg.geoDb, asnDbs: cfg.asnDb, cacheSize: cfg.cacheSize,
    owners: needsOwners(sink.job) }));
  const counts = zeroCounts();
  const reader = new FlowReader({ format: configured, maxLineBytes: cfg.maxLineBytes },
    selector(view, cfg.all, counts, sink.consume), printReject);
  return { reader, counts };
}

function setupOf(cfg: EnrichConfig, job: Job): WorkerSetup {
  return { job, geoDb: cfg.geoDb, asnDb: cfg.asnDb, cacheSize: cfg.cacheSize, all: cfg.all, maxLineBytes: cfg.maxLineBytes,
    inputFormat: cfg.inputFormat, maxDocumentBytes: cfg.maxDocumentBytes };
}

/** Adds a thread's result for part or all of a file to the run's totals. */
function addResult(stats: RunStats, r: SegmentResult): void {
  stats.lines += r.lines;
  stats.records += r.records;
  stats.headers += r.headers;
  stats.controlMessages += r.controlMessages ?? 0;
  stats.inputErrors.push(...(r.inputErrors ?? []));
  for (const [code, n] of r.rejects) stats.rejects.add(code, n);
  for (const key of Object.keys(r.counts) as Array<keyof typeof r.counts>) stats.counts[key] += r.counts[key];
}

async function readWhole(pool: SegmentPool, files: string[], format: ReturnType<typeof formatOption>, sink: CommandSink,
  stats: RunStats, progress: Progress): Promise<void> {
  try {
    await pool.runWhole(files, format, {
      result: async (r) => {
        addResult(stats, r);
        for (const x of r.rejections) printReject({ where: x.where!, code: x.code, detail: x.detail });
        await sink.segment(r);
        progress.tick(stats.records);
      },
      rejections: (batch) => { for (const x of batch) printReject(x); },
      output: sink.output,
    });
  } catch (err) {
    stats.inputErrors.push((err as Error).message);
  }
}

async function readSplit(pool: SegmentPool, input: string, format: ReturnType<typeof formatOption>, cfg: EnrichConfig,
  sink: CommandSink, stats: RunStats, progress: Progress): Promise<void> {
  try {
    await pool.run(input, { segmentBytes: cfg.segmentBytes, format }, async (r, firstLine) => {
      addResult(stats, r);
      for (const x of r.rejections) printReject({ where: `${input}:${firstLine + x.line - 1}`, code: x.code, detail: x.detail });
      await sink.segment(r);
      progress.tick(stats.records);
    });
  } catch (err) {
    stats.inputErrors.push(`${input}: ${(err as Error).message}`);
  }
}

/** Exit status: 1 when an input failed or (with --strict) any line was rejected, else 0. */
export function exitCode(cfg: EnrichConfig, stats: RunStats): number {
  if (stats.inputErrors.length > 0) return 1;
  if (cfg.strict && stats.rejects.total > 0) return 1;
  return 0;
}
