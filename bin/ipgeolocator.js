#!/usr/bin/env -S node --max-semi-space-size=4
// V8's nursery may grow to 16 MiB semispaces; the pipeline's garbage is small and short-lived, and 4 MiB collects
// it as well for about 25 MiB less resident memory (docs/BENCHMARKS.md). `node bin/ipgeolocator.js` skips this line.
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`ipgeolocator: ${err?.message ?? err}\n`); process.exitCode = 2; },
);
