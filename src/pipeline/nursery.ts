import { setFlagsFromString } from 'node:v8';
import type { ResourceLimits, Worker } from 'node:worker_threads';

/**
 * The batch commands keep V8's nursery (young generation) at its starting size. V8 grows it up to 16 MiB
 * semispaces when much survives a scavenge; the batch commands' garbage is small and short-lived, and 1 MiB
 * semispaces collect it as well for tens of MiB less resident memory per thread (docs/BENCHMARKS.md). `serve` keeps
 * V8's default: its ingest measured slower with a small nursery.
 *
 * Node.js 20's V8 reads the growth flag each time it would grow the nursery, so setting it at run time works, but
 * starting a worker's isolate puts it back to its default for this thread: it is set again once each worker is
 * online. A worker's own nursery is capped through its resource limits, which the flag does not reach. (A later V8
 * may hold the flag: a missed saving, nothing worse.)
 */
let small = false;

export function keepNurserySmall(): void {
  small = true;
  setFlagsFromString('--semi-space-growth-factor=1');
}

/** Resource limits for a new worker: the small nursery when this process keeps one. */
export function workerLimits(): ResourceLimits | undefined {
  return small ? { maxYoungGenerationSizeMb: 3 } : undefined;
}

/** Sets the flag again for this thread once `worker` has started (see above). */
export function afterWorkerStarts(worker: Worker): Worker {
  if (small) worker.once('online', () => setFlagsFromString('--semi-space-growth-factor=1'));
  return worker;
}
