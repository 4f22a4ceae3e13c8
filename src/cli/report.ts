import { GroupBy } from '../aggregate/group-by.js';
import type { ReportConfig } from '../config/schema.js';
import { tableText, writeText, type Cell } from '../sinks/table.js';
import { exitCode, runCommand } from './common.js';
import { summaryText } from './summary.js';

/** `ipgeolocator report`: records, packets and bytes by the chosen dimensions, largest first. */
export async function reportCommand(cfg: ReportConfig): Promise<number> {
  const groups = new GroupBy(cfg.by);
  const { stats, seconds } = await runCommand(cfg, {
    job: { kind: 'report', by: cfg.by },
    consume: (line, view) => groups.add(line, view),
    segment: (r) => {
      if (r.groups !== undefined) groups.mergeDrained(r.from!, r.groups.counts);
    },
  });
  const order = groups.order(cfg.top);
  function* rows(): Generator<Cell[]> {
    for (const g of order) {
      const { keys, totals } = groups.row(g);
      yield [...groups.show(keys), totals.records, totals.packets, totals.bytes];
    }
  }
  await writeText(process.stdout, tableText([...cfg.by, 'records', 'packets', 'bytes'], rows(), cfg.output));
  process.stderr.write(summaryText(stats, seconds, 'records aggregated'));
  process.stderr.write(`ipgeolocator: groups: ${groups.groups.toLocaleString('en-US')}\n`);
  return exitCode(cfg, stats);
}
