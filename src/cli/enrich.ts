import type { EnrichConfig } from '../config/schema.js';
import { NdjsonWriter } from '../sinks/ndjson.js';
import { exitCode, runCommand } from './common.js';
import { summaryText } from './summary.js';

const FLUSH_AT = 4 << 20;

/** Writes a chunk, then (once the stream is done with it) calls `written`; waits while stdout is full. */
async function write(chunk: Uint8Array, written: () => void): Promise<void> {
  if (!process.stdout.write(chunk, written)) await new Promise((resolve) => process.stdout.once('drain', resolve));
}

/** `ipgeolocator enrich`: flow logs in, one enriched JSON object per record out. */
export async function enrichCommand(cfg: EnrichConfig): Promise<number> {
  const writer = new NdjsonWriter(process.stdout);
  const spares: Buffer[] = [];
  // Other threads' output, after what this thread's own reader has buffered.
  const output = async (parts: Uint8Array[]) => {
    await writer.flush();
    for (const part of parts) await write(part, () => NdjsonWriter.reuse(spares, [part.buffer as ArrayBuffer], 64));
  };
  const { stats, seconds } = await runCommand(cfg, {
    job: { kind: 'enrich' },
    consume: (line, view) => writer.write(line, view),
    afterPiece: () => (writer.pending >= FLUSH_AT ? writer.flush() : undefined),
    segment: (r) => output(r.output ?? []),
    output,
    spares,
  });
  await writer.flush();
  process.stderr.write(summaryText(stats, seconds, 'records written'));
  return exitCode(cfg, stats);
}
