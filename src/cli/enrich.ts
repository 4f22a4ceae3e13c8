import type { EnrichConfig } from '../config/schema.js';
import { NdjsonWriter } from '../sinks/ndjson.js';
import { exitCode, runSelected } from './common.js';
import { summaryText } from './summary.js';

const FLUSH_AT = 4 << 20;

/** `ipgeolocator enrich`: flow logs in, one enriched JSON object per record out. */
export async function enrichCommand(cfg: EnrichConfig): Promise<number> {
  const writer = new NdjsonWriter(process.stdout);
  const { result, summary } = await runSelected(cfg, (line, view) => writer.write(line, view),
    () => (writer.pending >= FLUSH_AT ? writer.flush() : undefined));
  await writer.flush();
  process.stderr.write(summaryText(result, summary, 'records written'));
  return exitCode(cfg, result);
}
