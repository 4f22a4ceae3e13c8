import { GroupBy } from '../aggregate/group-by.js';
import type { ReportConfig } from '../config/schema.js';
import { renderTable } from '../sinks/table.js';
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
  const rows = groups.sorted(cfg.top).map((r) => [...groups.show(r.keys), r.totals.records, r.totals.packets, r.totals.bytes]);
  process.stdout.write(renderTable([...cfg.by, 'records', 'packets', 'bytes'], rows, cfg.output));
  process.stderr.write(summaryText(stats, seconds, 'records aggregated'));
  process.stderr.write(`ipgeolocator: groups: ${groups.groups.toLocaleString('en-US')}\n`);
  return exitCode(cfg, stats);
}
