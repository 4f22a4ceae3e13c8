// Writes a deterministic flow-log file: node bench/generate.mjs OUT RECORDS [SEED]
import { createWriteStream } from 'node:fs';
import { FlowLogGenerator } from '../dist/sources/demo/generator.js';

export async function generate(path, records, seed = 42) {
  const gen = new FlowLogGenerator({ seed });
  const out = createWriteStream(path);
  const BATCH = 10_000;
  for (let done = 0; done < records; done += BATCH) {
    const n = Math.min(BATCH, records - done);
    let text = '';
    for (let i = 0; i < n; i++) text += `${gen.line()}\n`;
    if (!out.write(text)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r, j) => out.end((e) => (e ? j(e) : r())));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await generate(process.argv[2], Number(process.argv[3]), Number(process.argv[4] ?? 42));
}
