import { geoContains, geoGraticule10, geoInterpolate, geoNaturalEarth1, geoPath, type GeoProjection } from 'd3-geo';
import { feature, mesh } from 'topojson-client';
import type { Feature, FeatureCollection, Geometry, MultiLineString } from 'geojson';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { numericToAlpha2 } from 'i18n-iso-countries';
import atlas from 'world-atlas/countries-110m.json';
import { bytes, count, countryName, percent } from '../format';
import { AWS_REGIONS } from '../regions';
import { portLabel } from '../services';
import type { LiveEvent, Metric, Store, WindowSummary } from '../store';

type CountryFeature = Feature<Geometry, { name: string }> & { code: string | null };
interface Pulse { lon: number; lat: number; born: number; reject: boolean; home: [number, number] | null }

const topology = atlas as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
const countries = (feature(topology, topology.objects.countries) as FeatureCollection<Geometry, { name: string }>).features
  .map((f) => Object.assign(f, { code: f.id === undefined ? null : numericToAlpha2(String(f.id)) ?? null }) as CountryFeature);
const borders = mesh(topology, topology.objects.countries, (a, b) => a !== b) as MultiLineString;
const graticule = geoGraticule10();

const PULSE_MS = 1600;
const MAX_PULSES = 400;

/**
 * The world map: a canvas for countries (choropleth of remote traffic on a log scale) and proportional circles at
 * remote places, redrawn only when data or the view changes; a second canvas on top for short-lived pulses and
 * arcs of new events, animated only while any are alive. Zoom and pan by wheel, drag or keys; hover for details;
 * click a country to filter the page.
 */
export class WorldMap {
  private readonly base = document.createElement('canvas');
  private readonly overlay = document.createElement('canvas');
  private readonly projection: GeoProjection = geoNaturalEarth1();
  private width = 0;
  private height = 0;
  private k = 1;
  private tx = 0;
  private ty = 0;
  private summary: WindowSummary | null = null;
  private pulses: Pulse[] = [];
  private animating = false;
  private hovered: string | null = null;
  frames = 0;

  constructor(private readonly root: HTMLElement, private readonly store: Store, private readonly tooltip: HTMLElement,
    private readonly legend: HTMLElement, private readonly home: () => [number, number] | null) {
    this.base.className = 'map-base';
    this.overlay.className = 'map-overlay';
    root.append(this.base, this.overlay);
    new ResizeObserver(() => this.resize()).observe(root);
    this.bindInput();
    this.resize();
  }

  private resize(): void {
    const r = this.root.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    this.width = Math.max(320, r.width);
    this.height = Math.max(200, r.height);
    for (const c of [this.base, this.overlay]) {
      c.width = Math.round(this.width * dpr);
      c.height = Math.round(this.height * dpr);
      c.style.width = `${this.width}px`;
      c.style.height = `${this.height}px`;
      c.getContext('2d')!.setTransform(dpr, 0, 0, dpr, 0, 0);
    }
    this.drawBase();
  }

  /** The projection for the current zoom and pan. */
  private project(): GeoProjection {
    const p = this.projection.fitExtent([[8, 8], [this.width - 8, this.height - 8]], { type: 'Sphere' });
    const [x, y] = p.translate();
    return p.scale(p.scale() * this.k).translate([x * this.k + this.tx, y * this.k + this.ty]);
  }

  update(summary: WindowSummary | null, fresh: LiveEvent[]): void {
    if (summary !== this.summary) {
      this.summary = summary;
      this.drawBase();
    }
    for (const e of fresh) this.addPulse(e);
    if (this.pulses.length > 0 && !this.animating) {
      this.animating = true;
      requestAnimationFrame((t) => this.animate(t));
    }
  }

  private addPulse(e: LiveEvent): void {
    const remote = e.src_geo ?? e.dst_geo;
    if (remote?.latitude == null || remote.longitude == null) return;
    const region = typeof e.region === 'string' ? AWS_REGIONS[e.region] : undefined;
    this.pulses.push({ lon: remote.longitude, lat: remote.latitude, born: performance.now(), reject: e.action === 'REJECT', home: region ?? this.home() });
    if (this.pulses.length > MAX_PULSES) this.pulses.splice(0, this.pulses.length - MAX_PULSES);
  }

  private css(name: string): string {
    return getComputedStyle(this.root).getPropertyValue(name).trim();
  }

  private metricOf(r: { records: number; bytes: number; rejects: number }, m: Metric): number {
    return m === 'bytes' ? r.bytes : m === 'rejects' ? r.rejects : r.records;
  }

  drawBase(): void {
    const ctx = this.base.getContext('2d')!;
    const projection = this.project();
    const path = geoPath(projection, ctx);
    ctx.clearRect(0, 0, this.width, this.height);
    ctx.beginPath();
    path({ type: 'Sphere' });
    ctx.fillStyle = this.css('--sea');
    ctx.fill();
    this.strokeLines(ctx, () => path(graticule), '--graticule');
    const metric = this.store.view.metric;
    const values = new Map<string, number>();
    for (const c of this.summary?.countries ?? []) values.set(c.key, this.metricOf(c, metric));
    const max = Math.max(1, ...values.values());
    const ramp = [1, 2, 3, 4, 5, 6].map((i) => this.css(`--ramp-${i}`));
    const selected = this.store.view.country;
    for (const f of countries) {
      const v = f.code === null ? 0 : values.get(f.code) ?? 0;
      ctx.beginPath();
      path(f);
      ctx.fillStyle = v > 0 ? ramp[Math.min(5, Math.floor((Math.log1p(v) / Math.log1p(max)) * 5.999))] : this.css('--land');
      ctx.fill();
      if (selected !== undefined && f.code === selected) {
        ctx.strokeStyle = this.css('--accent');
        ctx.lineWidth = 2;
        ctx.stroke();
      }
    }
    this.strokeLines(ctx, () => path(borders), '--border');
    this.drawPlaces(ctx, projection, metric);
    this.drawLegend(max, ramp, metric);
  }

  /** Thin lines (graticule, borders) in a colour of the page's theme. */
  private strokeLines(ctx: CanvasRenderingContext2D, trace: () => void, colour: string): void {
    ctx.beginPath();
    trace();
    ctx.strokeStyle = this.css(colour);
    ctx.lineWidth = 0.5;
    ctx.stroke();
  }

  private drawPlaces(ctx: CanvasRenderingContext2D, projection: GeoProjection, metric: Metric): void {
    const places = this.summary?.places ?? [];
    const max = Math.max(1, ...places.map((p) => this.metricOf(p, metric)));
    ctx.fillStyle = this.css('--place');
    ctx.strokeStyle = this.css('--place-edge');
    ctx.lineWidth = 1;
    for (const p of places) {
      if (p.longitude === null || p.latitude === null) continue;
      const xy = projection([p.longitude, p.latitude]);
      if (xy === null) continue;
      const r = 2 + 14 * Math.sqrt(this.metricOf(p, metric) / max) * Math.sqrt(this.k);
      ctx.beginPath();
      ctx.arc(xy[0], xy[1], r, 0, 2 * Math.PI);
      ctx.globalAlpha = 0.55;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.stroke();
    }
  }

  private drawLegend(max: number, ramp: string[], metric: Metric): void {
    this.legend.replaceChildren();
    const title = document.createElement('span');
    title.textContent = `${metric === 'bytes' ? 'Bytes' : metric === 'rejects' ? 'Rejected records' : 'Records'} by country (log scale)`;
    this.legend.append(title);
    ramp.forEach((colour, i) => {
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = colour;
      const upTo = Math.expm1(((i + 1) / 6) * Math.log1p(max));
      swatch.title = `up to ${metric === 'bytes' ? bytes(upTo) : count(upTo)}`;
      this.legend.append(swatch);
    });
    const top = document.createElement('span');
    top.textContent = metric === 'bytes' ? bytes(max) : count(max);
    this.legend.append(top);
  }

  private animate(now: number): void {
    this.frames++;
    const ctx = this.overlay.getContext('2d')!;
    ctx.clearRect(0, 0, this.width, this.height);
    const projection = this.project();
    const accept = this.css('--accept');
    const reject = this.css('--reject');
    this.pulses = this.pulses.filter((p) => now - p.born < PULSE_MS);
    for (const p of this.pulses) {
      const age = (now - p.born) / PULSE_MS;
      const xy = projection([p.lon, p.lat]);
      if (xy === null) continue;
      ctx.globalAlpha = 1 - age;
      ctx.strokeStyle = p.reject ? reject : accept;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.arc(xy[0], xy[1], 2 + 18 * age, 0, 2 * Math.PI);
      ctx.stroke();
      if (p.home !== null) this.arc(ctx, projection, p, age);
    }
    ctx.globalAlpha = 1;
    if (this.pulses.length > 0) requestAnimationFrame((t) => this.animate(t));
    else this.animating = false;
  }

  /**
   * A great-circle arc from the remote place toward home, drawn as far as the pulse's age; d3's path cuts it at
   * the antimeridian instead of drawing a line across the map.
   */
  private arc(ctx: CanvasRenderingContext2D, projection: GeoProjection, p: Pulse, age: number): void {
    const along = geoInterpolate([p.lon, p.lat], p.home!);
    const steps = 24;
    const coordinates: Array<[number, number]> = [];
    for (let i = 0; i <= Math.max(1, Math.round(steps * Math.min(1, age * 2))); i++) coordinates.push(along(i / steps));
    ctx.beginPath();
    geoPath(projection, ctx)({ type: 'LineString', coordinates });
    ctx.globalAlpha = 0.5 * (1 - age);
    ctx.lineWidth = 1;
    ctx.stroke();
  }

  /** Where a longitude/latitude is on the map, in CSS pixels of the map element (for tests and tools). */
  pointOf(lon: number, lat: number): [number, number] | null {
    return this.project()([lon, lat]);
  }

  /** The country under a point of the canvas, or null. */
  private countryAt(x: number, y: number): CountryFeature | null {
    const lonLat = this.project().invert?.([x, y]);
    if (!lonLat) return null;
    return countries.find((f) => geoContains(f, lonLat)) ?? null;
  }

  private bindInput(): void {
    const el = this.overlay;
    let drag: { x: number; y: number; tx: number; ty: number; moved: boolean } | null = null;
    el.addEventListener('wheel', (e) => {
      e.preventDefault();
      this.zoomAt(e.offsetX, e.offsetY, e.deltaY < 0 ? 1.25 : 0.8);
    }, { passive: false });
    el.addEventListener('pointerdown', (e) => {
      drag = { x: e.clientX, y: e.clientY, tx: this.tx, ty: this.ty, moved: false };
      el.setPointerCapture(e.pointerId);
    });
    el.addEventListener('pointermove', (e) => {
      if (drag !== null) {
        const dx = e.clientX - drag.x;
        const dy = e.clientY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
        if (drag.moved) {
          this.tx = drag.tx + dx;
          this.ty = drag.ty + dy;
          this.drawBase();
        }
        return;
      }
      this.hover(e.offsetX, e.offsetY, e.clientX, e.clientY);
    });
    el.addEventListener('pointerup', (e) => {
      const d = drag;
      drag = null;
      if (d !== null && !d.moved) {
        const c = this.countryAt(e.offsetX, e.offsetY);
        if (c?.code) this.store.setView({ country: this.store.view.country === c.code ? undefined : c.code });
      }
    });
    el.addEventListener('pointerleave', () => { this.tooltip.hidden = true; this.hovered = null; });
    this.root.addEventListener('keydown', (e) => {
      const step = 40;
      const keys: Record<string, () => void> = {
        '+': () => this.zoomAt(this.width / 2, this.height / 2, 1.25), '=': () => this.zoomAt(this.width / 2, this.height / 2, 1.25),
        '-': () => this.zoomAt(this.width / 2, this.height / 2, 0.8), ArrowLeft: () => this.pan(step, 0),
        ArrowRight: () => this.pan(-step, 0), ArrowUp: () => this.pan(0, step), ArrowDown: () => this.pan(0, -step),
        '0': () => { this.k = 1; this.tx = 0; this.ty = 0; this.drawBase(); },
        Escape: () => this.store.setView({ country: undefined }),
      };
      const act = keys[e.key];
      if (act) {
        e.preventDefault();
        act();
      }
    });
  }

  private pan(dx: number, dy: number): void {
    this.tx += dx;
    this.ty += dy;
    this.drawBase();
  }

  private zoomAt(x: number, y: number, factor: number): void {
    const k = Math.min(16, Math.max(1, this.k * factor));
    const f = k / this.k;
    // Screen position = k × fitted position + t: keep the point under the cursor where it is.
    this.tx = x - (x - this.tx) * f;
    this.ty = y - (y - this.ty) * f;
    this.k = k;
    if (k === 1) {
      this.tx = 0;
      this.ty = 0;
    }
    this.drawBase();
  }

  private hover(x: number, y: number, clientX: number, clientY: number): void {
    const place = this.placeAt(x, y);
    const country = place === null ? this.countryAt(x, y) : null;
    const key = place?.key ?? country?.code ?? null;
    if (key === null) {
      this.tooltip.hidden = true;
      this.hovered = null;
      return;
    }
    if (key !== this.hovered) {
      this.hovered = key;
      this.tooltip.replaceChildren(...(place !== null ? this.placeLines(place) : this.countryLines(country!)));
    }
    this.tooltip.hidden = false;
    this.tooltip.style.left = `${Math.min(clientX + 14, window.innerWidth - 260)}px`;
    this.tooltip.style.top = `${clientY + 14}px`;
  }

  private placeAt(x: number, y: number): WindowSummary['places'][number] | null {
    const projection = this.project();
    let best: WindowSummary['places'][number] | null = null;
    let bestD = 100;
    for (const p of this.summary?.places ?? []) {
      if (p.longitude === null || p.latitude === null) continue;
      const xy = projection([p.longitude, p.latitude]);
      if (xy === null) continue;
      const d = (xy[0] - x) ** 2 + (xy[1] - y) ** 2;
      if (d < bestD) {
        bestD = d;
        best = p;
      }
    }
    return best;
  }

  private countryLines(f: CountryFeature): HTMLElement[] {
    const row = this.summary?.countries.find((c) => c.key === f.code);
    return lines(countryName(f.code ?? '??') || f.properties.name, row, row?.top_ports.length ? `Top ports: ${row.top_ports.map(portLabel).join(', ')}` : null);
  }

  private placeLines(p: WindowSummary['places'][number]): HTMLElement[] {
    return lines([p.city, p.region, p.country_code].filter(Boolean).join(', '), p, null);
  }
}

/** Tooltip lines, built as text nodes: data never becomes HTML. */
function lines(title: string, row: { records: number; bytes: number; rejects: number } | undefined, extra: string | null): HTMLElement[] {
  const out: HTMLElement[] = [];
  const add = (text: string, cls?: string) => {
    const div = document.createElement('div');
    div.textContent = text;
    if (cls) div.className = cls;
    out.push(div);
  };
  add(title, 'tt-title');
  if (row === undefined) add('No traffic in this window');
  else {
    add(`${count(row.records)} records, ${bytes(row.bytes)}`);
    add(`Accepted ${percent(row.records - row.rejects, row.records)} · rejected ${percent(row.rejects, row.records)}`);
  }
  if (extra) add(extra);
  return out;
}

