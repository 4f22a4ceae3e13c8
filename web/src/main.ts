import './style.css';
import { connect, type DashboardConfig } from './connection';
import { AWS_REGIONS } from './regions';
import { Store, type WindowSummary } from './store';
import { RateChart } from './views/chart';
import { renderFeed } from './views/feed';
import { renderFilters } from './views/filters';
import { WorldMap } from './views/map';
import { renderTables } from './views/tables';
import { renderTiles } from './views/tiles';

const $ = (id: string) => document.getElementById(id)!;

/** The page's runtime configuration: from `serve` (/api/config), or a config.json written beside the page (AWS). */
async function loadConfig(): Promise<DashboardConfig & { aws?: import('./aws').AwsConfig }> {
  for (const url of ['./api/config', './config.json']) {
    try {
      const r = await fetch(url, { cache: 'no-store' });
      if (r.ok) return { mqttUrl: null, mqttPath: '/mqtt', filterApi: false, attribution: [], homeRegion: null, viewerTokenRequired: false, ...(await r.json()) };
    } catch {
      // try the next
    }
  }
  return { topicPrefix: 'ipgeolocator', mqttUrl: null, mqttPath: '/mqtt', viewerTokenRequired: false, homeRegion: null, attribution: [], filterApi: false };
}

function applyTheme(theme: string | null): void {
  const dark = theme === null ? matchMedia('(prefers-color-scheme: dark)').matches : theme === 'dark';
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

function renderAttribution(cfg: DashboardConfig): void {
  const footer = $('attribution');
  // DB-IP's licence asks for a link back on pages that show its data; other sources are credited as they ask.
  const parts = cfg.attribution.length > 0 ? cfg.attribution : [{ text: 'IP Geolocation by DB-IP', url: 'https://db-ip.com' }];
  const seen = new Set<string>();
  const items: HTMLElement[] = [];
  for (const a of parts) {
    const text = /^IP Geolocation by DB-IP/.test(a.text) ? 'IP Geolocation by DB-IP' : a.text.replace(/\s*\(https?:[^)]*\)/g, '');
    if (seen.has(text)) continue;
    seen.add(text);
    const el = a.url ? document.createElement('a') : document.createElement('span');
    el.textContent = text;
    if (a.url && el instanceof HTMLAnchorElement) {
      el.href = a.url;
      el.rel = 'noopener noreferrer';
    }
    if (items.length > 0) items.push(Object.assign(document.createElement('span'), { textContent: ' · ' }));
    items.push(el);
  }
  footer.replaceChildren(...items);
}

async function main(): Promise<void> {
  applyTheme(localStorage.getItem('ipgeo-theme'));
  const cfg = await loadConfig();
  const store = new Store(location.search);
  renderAttribution(cfg);
  const homeRegion = () => (cfg.homeRegion ? AWS_REGIONS[cfg.homeRegion] ?? null : null);
  const map = new WorldMap($('map'), store, $('tooltip'), $('legend'), homeRegion);
  const chart = new RateChart($('chart'));
  const toggleTheme = () => {
    const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
    localStorage.setItem('ipgeo-theme', next);
    applyTheme(next);
    map.drawBase();
  };
  let lastSummary: WindowSummary | null = null;
  let lastView = '';
  let lastEvents = 0;
  let fetching = false;
  let lastFetch = 0;

  /** With filters, the server computes the narrowed view (GET /api/summary), at most once a second. */
  const refreshFiltered = () => {
    if (!store.hasFilters() || !cfg.filterApi || fetching || Date.now() - lastFetch < 1000) return;
    fetching = true;
    lastFetch = Date.now();
    fetch(`./api/summary?${store.filterQuery()}`).then((r) => (r.ok ? r.json() : null)).then((s) => {
      if (s !== null) store.filtered = s;
      store.changed();
    }).catch(() => undefined).finally(() => { fetching = false; });
  };

  store.onChange(() => {
    const view = JSON.stringify(store.view);
    if (view !== lastView) {
      lastView = view;
      renderFilters($('filters'), store, toggleTheme);
      map.drawBase();
      refreshFiltered();
    }
    const s = store.current();
    if (s !== lastSummary) {
      lastSummary = s;
      const filtered = store.hasFilters();
      const lastMinute = store.merged('1m');
      renderTiles($('tiles'), s, filtered, lastMinute);
      renderTables($('tables'), s, store);
      // Until a longer window has two finished minutes, its chart shows the last minute second by second.
      chart.update(!filtered && s !== null && s.series.step > 1 && s.series.t.length < 3 ? lastMinute : s);
      if (filtered) refreshFiltered();
    }
    map.update(s, store.fresh);
    if (store.events.length !== lastEvents || store.fresh.length > 0 || view !== lastView) {
      lastEvents = store.events.length;
      renderFeed($('feed'), store);
    }
    const conn = $('connection');
    const stale = store.connection === 'live' && store.lastMessageAt > 0 && Date.now() - store.lastMessageAt > 15_000;
    conn.textContent = store.connection === 'live' ? (stale ? 'connected · no data for a while' : 'live')
      : store.connection === 'reconnecting' ? 'reconnecting…' : store.connection === 'offline' ? 'offline — retrying' : 'connecting…';
    conn.dataset.state = stale ? 'stale' : store.connection;
    conn.title = store.connectionDetail;
  });
  setInterval(() => store.changed(), 5000);
  renderFilters($('filters'), store, toggleTheme);
  if (cfg.aws) {
    // AWS mode: the page is on S3/CloudFront and the broker is AWS IoT Core; loaded only when configured so.
    const { IotUrlSource } = await import('./aws');
    const source = new IotUrlSource(cfg.aws);
    const url = await source.start();
    connect({ ...cfg, mqttUrl: url }, store, () => source.current());
  } else {
    connect(cfg, store);
  }
  store.changed();
  (window as unknown as { __ipgeo: object }).__ipgeo = { store, map };
}

void main();
