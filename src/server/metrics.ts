import type { LivePipeline } from '../pipeline/live.js';

/** Pipeline health in the Prometheus text exposition format (version 0.0.4). */
export function metricsText(p: LivePipeline, viewers: number): string {
  const lines: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, values: Array<[Record<string, string>, number]>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of values) {
      const l = Object.entries(labels).map(([k, x]) => `${k}="${x.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',');
      lines.push(`${name}${l ? `{${l}}` : ''} ${v}`);
    }
  };
  const nowSec = Math.floor(Date.now() / 1000);
  const sources = [...p.sources.values()];
  metric('ipgeolocator_lines_read_total', 'counter', 'Lines read from all sources.', [[{}, p.lines]]);
  metric('ipgeolocator_records_parsed_total', 'counter', 'Valid flow-log records.', [[{}, p.records]]);
  metric('ipgeolocator_records_public_total', 'counter', 'Flow records with a public endpoint.', [[{}, p.publicRecords]]);
  metric('ipgeolocator_records_rejected_total', 'counter', 'Rejected lines and payload parts, by reason.',
    [...p.rejects.byCode].map(([code, n]) => [{ reason: code }, n]));
  const s = p.stats() as { events: { published: number; skipped: number }; publish_dropped: number };
  metric('ipgeolocator_events_published_total', 'counter', 'Enriched events sent to viewers.', [[{}, s.events.published]]);
  metric('ipgeolocator_events_skipped_total', 'counter', 'Enriched events left out by the viewer rate limit.', [[{}, s.events.skipped]]);
  metric('ipgeolocator_summaries_published_total', 'counter', 'Window summaries published.', [[{}, p.summariesPublished]]);
  metric('ipgeolocator_publish_dropped_total', 'counter', 'Messages dropped while the broker was unreachable.', [[{}, s.publish_dropped]]);
  metric('ipgeolocator_viewers_connected', 'gauge', 'MQTT clients connected to the embedded broker.', [[{}, viewers]]);
  metric('ipgeolocator_source_records_total', 'counter', 'Records by source.', sources.map((x) => [{ source: x.name }, x.records]));
  metric('ipgeolocator_source_lag_seconds', 'gauge', 'Now minus the newest record end time, by source.',
    sources.filter((x) => x.newestEnd > 0).map((x) => [{ source: x.name }, Math.max(0, nowSec - x.newestEnd)]));
  metric('ipgeolocator_input_errors_total', 'counter', 'Inputs that could not be opened or decoded.', [[{}, p.inputErrors.length]]);
  return `${lines.join('\n')}\n`;
}
