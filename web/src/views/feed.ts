import { bytes } from '../format';
import { portLabel } from '../services';
import type { LiveEvent, Store } from '../store';

const SHOWN = 40;

/** The latest enriched events that match the filters, newest first; a bounded list of text rows. */
export function renderFeed(root: HTMLElement, store: Store): void {
  const v = store.view;
  const match = (e: LiveEvent) => {
    const remote = e.src_geo ?? e.dst_geo;
    if (v.country !== undefined && remote?.country_code !== v.country) return false;
    if (v.action !== undefined && e.action !== v.action) return false;
    if (v.direction !== undefined && e.direction !== v.direction) return false;
    if (v.protocol !== undefined && e.protocol !== v.protocol) return false;
    if (v.asn !== undefined && remote?.asn !== v.asn) return false;
    if (v.iface !== undefined && e.interface_id !== v.iface) return false;
    if (v.port !== undefined && e.dstport !== v.port && e.srcport !== v.port) return false;
    return true;
  };
  const rows = store.events.filter(match).slice(-SHOWN).reverse();
  const header = document.createElement('div');
  header.className = 'feed-head';
  const h = document.createElement('h2');
  h.textContent = `Live feed${store.skipped ? ` · a sample (${store.skipped.toLocaleString('en')} not shown)` : ''}`;
  const pause = document.createElement('button');
  pause.type = 'button';
  pause.textContent = v.paused ? 'Resume' : 'Pause';
  pause.setAttribute('aria-pressed', String(v.paused));
  pause.addEventListener('click', () => store.setView({ paused: !v.paused }));
  header.append(h, pause);
  const list = document.createElement('ol');
  list.className = 'feed';
  for (const e of rows) {
    const li = document.createElement('li');
    li.className = e.action === 'REJECT' ? 'reject' : 'accept';
    const remote = e.src_geo ?? e.dst_geo;
    const where = remote ? [remote.city, remote.country_code].filter(Boolean).join(', ') : '';
    const org = remote?.as_org ? ` · ${remote.as_org}` : '';
    const port = typeof e.protocol === "number" && typeof e.dstport === "number" ? portLabel(`${e.protocol}/${e.dstport}`) : "";
    li.textContent = `${e.action ?? '-'} ${e.direction ?? ''} ${e.srcaddr ?? '-'} → ${e.dstaddr ?? '-'} ${port} ${typeof e.bytes === 'number' ? bytes(e.bytes) : ''} ${where}${org}`;
    list.append(li);
  }
  root.replaceChildren(header, list);
}
