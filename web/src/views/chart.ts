import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { WindowSummary } from '../store';

/**
 * Records per second by action, live (uPlot: columnar data, one redraw per update). For the 15m and 1h windows the
 * points are per minute, shown as the average rate over each minute.
 */
export class RateChart {
  private plot: uPlot | null = null;
  private lastT = -1;
  private lastLen = -1;
  private span = 60;

  constructor(private readonly root: HTMLElement) {
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(root);
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(300, this.root.clientWidth), height: 180 };
  }

  update(s: WindowSummary | null): void {
    const series = s?.series;
    if (!series || series.t.length === 0) return;
    const t = series.t[series.t.length - 1];
    if (t === this.lastT && series.t.length === this.lastLen && this.plot) return;
    this.lastT = t;
    this.lastLen = series.t.length;
    const step = series.step;
    // Per-minute windows end with the minute in progress: leave it out rather than show a false drop.
    const n = step > 1 && series.t.length > 1 ? series.t.length - 1 : series.t.length;
    const accepted = series.records.slice(0, n).map((r, i) => (r - series.rejects[i]) / step);
    const rejected = series.rejects.slice(0, n).map((r) => r / step);
    const data: uPlot.AlignedData = [series.t.slice(0, n), accepted, rejected];
    this.span = s!.window_seconds;
    if (this.plot === null) this.create(data);
    else this.plot.setData(data);
  }

  private create(data: uPlot.AlignedData): void {
    const css = (n: string) => getComputedStyle(this.root).getPropertyValue(n).trim();
    this.plot = new uPlot({
      ...this.size(),
      title: 'Public flow records per second',
      legend: { live: true },
      // Always show the whole window, even while it is still filling up.
      scales: { x: { time: true, range: (_u, min, max) => [Math.min(min, max - this.span), max] } },
      axes: [{ stroke: css('--text') }, { stroke: css('--text'), size: 60 }],
      series: [
        {},
        { label: 'Accepted', stroke: css('--accept'), width: 2, fill: css('--accept-fill') },
        { label: 'Rejected', stroke: css('--reject'), width: 2, fill: css('--reject-fill') },
      ],
    }, data, this.root);
  }
}
