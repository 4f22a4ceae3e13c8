#!/usr/bin/env node
// The batch commands keep V8's heap small (dist/pipeline/nursery.js says why), set before anything is loaded.
// (Not in the #! line: `env -S` is missing from BusyBox.)
if (process.argv[2] !== 'serve') (await import('../dist/pipeline/nursery.js')).keepHeapSmall();

const { main } = await import('../dist/cli/main.js');

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`ipgeolocator: ${err?.message ?? err}\n`); process.exitCode = 2; },
);
