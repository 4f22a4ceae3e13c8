import { bytes, clock, count, duration, percent } from '../format';
import type { WindowSummary } from '../store';

/**
 * Key figures. Rates come from the last complete step of the series. Freshness says how complete the data is —
 * VPC Flow Logs arrive minutes late, and "live" is misread without it.
 */
export function renderTiles(root: HTMLElement, s: WindowSummary | null, filtered: boolean, live: WindowSummary | null): void {
  // Rates are "now": from the per-second series of the last minute unless a filter narrows the view.
  const series = (filtered ? s : live ?? s)?.series;
  const last = series && series.t.length > 1 ? series.t.length - 2 : -1;
  const step = series?.step ?? 1;
  const rate = (a: number[] | undefined) => (a && last >= 0 ? a[last] / step : 0);
  const t = s?.totals;
  const lag = s?.freshness.lag_seconds;
  const tiles: Array<[string, string, string]> = [
    ['Records/s', count(rate(series?.records)), 'public flow records per second'],
    ['Bytes/s', bytes(rate(series?.bytes)), 'bytes per second of public flows'],
    ['Public share', t && !filtered ? percent(t.records, t.flows) : '–', 'flows with a public endpoint, of all flows'],
    ['Accept / reject', t ? `${percent(t.records - t.rejects, t.records)} / ${percent(t.rejects, t.records)}` : '–', `${count(t?.rejects ?? 0)} rejected`],
    ['Distinct remotes', t && !filtered ? `≈ ${count(s!.distinct_remote.estimate)}` : '–', 'distinct remote addresses (HyperLogLog estimate)'],
    ['Freshness', s?.freshness.newest_end ? `lag ${duration(lag ?? 0)}` : 'no data yet',
      s?.freshness.newest_end ? `data complete up to ${clock(s.freshness.newest_end)}` : 'waiting for records'],
  ];
  if (t && t.skipdata > 0) tiles.push(['Data loss', count(t.skipdata), 'SKIPDATA records: AWS skipped flows in these windows']);
  root.replaceChildren(...tiles.map(([label, value, note]) => {
    const div = document.createElement('div');
    div.className = 'tile';
    const l = document.createElement('div');
    l.className = 'tile-label';
    l.textContent = label;
    const v = document.createElement('div');
    v.className = 'tile-value';
    v.textContent = value;
    const n = document.createElement('div');
    n.className = 'tile-note';
    n.textContent = note;
    div.append(l, v, n);
    return div;
  }));
}
