// Writes a deterministic flow-log file: node bench/generate.mjs OUT RECORDS [SEED]
import { createWriteStream } from 'node:fs';
import { FlowLogGenerator } from '../dist/sources/demo/generator.js';

/**
 * `scattered`: every traffic record comes from a public source drawn uniformly from the IPv4 space (to a private
 * destination), the worst case for lookup caches: nearly every address is new, as in a scan of the whole internet.
 */
export async function generate(path, records, seed = 42, { scattered = false } = {}) {
  const gen = new FlowLogGenerator({ seed });
  const next = scattered ? scatter(gen, seed) : () => gen.line();
  const out = createWriteStream(path);
  const BATCH = 10_000;
  for (let done = 0; done < records; done += BATCH) {
    const n = Math.min(BATCH, records - done);
    let text = '';
    for (let i = 0; i < n; i++) text += `${next()}\n`;
    if (!out.write(text)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r, j) => out.end((e) => (e ? j(e) : r())));
}

/** First octets with no special-purpose block in them (IANA registry), so every address drawn is public. */
const PUBLIC_FIRST = Array.from({ length: 223 }, (_, i) => i + 1)
  .filter((a) => ![10, 100, 127, 169, 172, 192, 198, 203].includes(a));

function scatter(gen, seed) {
  let x = seed >>> 0 || 1;
  const random = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  return () => {
    const f = gen.line().split(' ');
    if (f[13] !== 'OK') return f.join(' ');
    const r = random();
    f[3] = `${PUBLIC_FIRST[r % PUBLIC_FIRST.length]}.${(r >>> 8) & 255}.${(r >>> 16) & 255}.${random() & 255}`;
    f[4] = `10.0.${(r >>> 24) & 63}.${(r >>> 4) & 255}`;
    return f.join(' ');
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await generate(process.argv[2], Number(process.argv[3]), Number(process.argv[4] ?? 42));
}
