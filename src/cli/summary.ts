import type { RunStats } from '../pipeline/batch.js';

const fmt = (n: number) => n.toLocaleString('en-US');

/** What a run did, as printed on stderr at the end. */
export function summaryText(stats: RunStats, seconds: number, emittedWhat: string): string {
  const c = stats.counts;
  const rate = seconds > 0 ? stats.records / seconds : 0;
  const lines = [
    `read ${fmt(stats.lines)} lines: ${fmt(stats.records)} records (${fmt(c.flows)} flows, ${fmt(c.statusRecords)} NODATA/SKIPDATA),`
      + ` ${fmt(stats.headers)} header lines${stats.controlMessages ? `, ${fmt(stats.controlMessages)} control messages skipped` : ''}`,
    `public share: ${c.flows ? ((100 * c.publicFlows) / c.flows).toFixed(1) : '0.0'}% of flows have a public endpoint`,
    `${emittedWhat}: ${fmt(c.emitted)}`,
    `rejected: ${fmt(stats.rejects.total)}${stats.rejects.total ? ` (${Object.entries(stats.rejects.toJSON()).map(([k, n]) => `${k} ${fmt(n)}`).join(', ')})` : ''}`,
    `time: ${seconds.toFixed(2)} s, ${fmt(Math.round(rate))} records/s, peak memory ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`
      + `, ${stats.threads === 1 ? 'one thread' : `${stats.threads} threads`}`,
  ];
  for (const e of stats.inputErrors) lines.push(`input error: ${e}`);
  return `${lines.map((l) => `ipgeolocator: ${l}`).join('\n')}\n`;
}

/** A progress line on a terminal, at most once a second; nothing when stderr is not a terminal. */
export class Progress {
  private last = Date.now();
  private readonly started = this.last;
  constructor(private readonly enabled: boolean) {}

  tick(records: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 1000) return;
    this.last = now;
    const rate = records / ((now - this.started) / 1000);
    process.stderr.write(`\r${fmt(records)} records, ${fmt(Math.round(rate))}/s   `);
  }

  done(): void {
    if (this.enabled && Date.now() - this.started >= 1000) process.stderr.write('\r\x1b[K');
  }
}
