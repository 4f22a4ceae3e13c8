import type { EnrichConfig } from '../config/schema.js';
import { NdjsonWriter } from '../sinks/ndjson.js';
import { exitCode, runCommand } from './common.js';
import { summaryText } from './summary.js';

const FLUSH_AT = 4 << 20;

async function write(chunk: Uint8Array): Promise<void> {
  if (!process.stdout.write(chunk)) await new Promise((resolve) => process.stdout.once('drain', resolve));
}

/** `ipgeolocator enrich`: flow logs in, one enriched JSON object per record out. */
export async function enrichCommand(cfg: EnrichConfig): Promise<number> {
  const writer = new NdjsonWriter(process.stdout);
  const { stats, seconds } = await runCommand(cfg, {
    job: { kind: 'enrich' },
    consume: (line, view) => writer.write(line, view),
    afterPiece: () => (writer.pending >= FLUSH_AT ? writer.flush() : undefined),
    segment: async (r) => {
      await writer.flush();
      for (const part of r.output ?? []) await write(part);
    },
  });
  await writer.flush();
  process.stderr.write(summaryText(stats, seconds, 'records written'));
  return exitCode(cfg, stats);
}
