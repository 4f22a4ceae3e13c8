import { setFlagsFromString } from 'node:v8';
import type { ResourceLimits, Worker } from 'node:worker_threads';

/**
 * The batch commands keep V8's nursery (young generation) at its starting size. V8 grows it up to 16 MiB
 * semispaces when much survives a scavenge; the batch commands' garbage is small and short-lived, and 1 MiB
 * semispaces collect it as well for tens of MiB less resident memory per thread (docs/BENCHMARKS.md). `serve` keeps
 * V8's default: its ingest measured slower with a small nursery.
 *
 * They also let the old generation grow by half of what survived its last full collection before the next, where
 * V8 by default allows up to four times as much when collections are cheap. A stream of distinct peers (a scan of
 * the whole address space) keeps replacing cache entries, and that garbage piled up to about 100 MiB more peak
 * memory with two threads; the bench's data, whose caches settle, runs as fast either way (docs/BENCHMARKS.md).
 *
 * Node.js 20's V8 reads the growth flags each time it would grow the heap, so setting them at run time works, but
 * starting a worker's isolate puts them back to their defaults for this thread: they are set again once each worker
 * is online. A worker's own nursery is capped through its resource limits, which the flag does not reach. (A later
 * V8 may hold the flags: a missed saving, nothing worse.)
 */
let small = false;

function setFlags(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--heap-growing-percent=50');
}

export function keepHeapSmall(): void {
  small = true;
  setFlags();
}

/** Resource limits for a new worker: the small nursery when this process keeps one. */
export function workerLimits(): ResourceLimits | undefined {
  return small ? { maxYoungGenerationSizeMb: 3 } : undefined;
}

/** Sets the flags again for this thread once `worker` has started (see above). */
export function afterWorkerStarts(worker: Worker): Worker {
  if (small) worker.once('online', setFlags);
  return worker;
}
