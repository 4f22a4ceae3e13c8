import type { BatchResult } from '../pipeline/batch.js';

/** What a batch run did, as printed on stderr at the end. */
export interface RunSummary {
  emitted: number;
  flows: number;
  publicFlows: number;
  statusRecords: number;
  seconds: number;
}

const fmt = (n: number) => n.toLocaleString('en-US');

export function summaryText(result: BatchResult, s: RunSummary, emittedWhat: string): string {
  const r = result.reader;
  const rate = s.seconds > 0 ? r.records / s.seconds : 0;
  const lines = [
    `read ${fmt(r.lines)} lines: ${fmt(r.records)} records (${fmt(s.flows)} flows, ${fmt(s.statusRecords)} NODATA/SKIPDATA),`
      + ` ${fmt(r.headers)} header lines${result.controlMessages ? `, ${fmt(result.controlMessages)} control messages skipped` : ''}`,
    `public share: ${s.flows ? ((100 * s.publicFlows) / s.flows).toFixed(1) : '0.0'}% of flows have a public endpoint`,
    `${emittedWhat}: ${fmt(s.emitted)}`,
    `rejected: ${fmt(r.rejects.total)}${r.rejects.total ? ` (${Object.entries(r.rejects.toJSON()).map(([c, n]) => `${c} ${fmt(n)}`).join(', ')})` : ''}`,
    `time: ${s.seconds.toFixed(2)} s, ${fmt(Math.round(rate))} records/s, peak memory ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`,
  ];
  for (const e of result.inputErrors) lines.push(`input error: ${e}`);
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
