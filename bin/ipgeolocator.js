#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// V8 grows its nursery up to 16 MiB semispaces when much survives a scavenge. The batch commands' garbage is small
// and short-lived, and the starting 1 MiB collects it as well for about 35 MiB less resident memory
// (docs/BENCHMARKS.md); Node.js 20's V8 reads this flag each time it would grow, so setting it now works (a later
// V8 may hold it at 2: a missed saving, nothing worse). Not for `serve`, whose ingest measured slower with a small
// nursery. (Not in the #! line: `env -S` is missing from BusyBox.)
if (process.argv[2] !== 'serve') setFlagsFromString('--semi-space-growth-factor=1');

const { main } = await import('../dist/cli/main.js');

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`ipgeolocator: ${err?.message ?? err}\n`); process.exitCode = 2; },
);
