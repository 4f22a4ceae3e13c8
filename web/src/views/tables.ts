import { bytes, count, countryName, percent } from '../format';
import { portLabel, protocolName } from '../services';
import type { Store, ViewState, WindowSummary } from '../store';

type Row = { key: string | number; records: number; bytes: number; rejects: number };
interface TableSpec {
  id: string;
  title: string;
  rows: (s: WindowSummary) => Row[];
  label: (r: Row, s: WindowSummary) => string;
  /** The filter a click on the row sets, or null when the row cannot filter. */
  filter: ((r: Row) => Partial<ViewState>) | null;
  note?: string;
}

const ROWS = 12;

const SPECS: TableSpec[] = [
  { id: 'countries', title: 'Countries', rows: (s) => s.countries, label: (r) => `${countryName(String(r.key))}${r.key !== '??' && r.key !== '(other)' ? ` (${r.key})` : ''}`, filter: (r) => ({ country: String(r.key) }) },
  { id: 'cities', title: 'Cities', rows: (s) => s.places, label: (r) => String(r.key).split('\t').reverse().filter(Boolean).join(', '), filter: (r) => ({ place: String(r.key) }) },
  { id: 'asns', title: 'Networks (ASN)', rows: (s) => s.asns, label: (r, s) => (r.key === 0 ? 'Unknown AS' : r.key === '(other)' ? 'Other' : `AS${r.key} ${s.asns.find((a) => a.key === r.key)?.org ?? ''}`.trim()), filter: (r) => (typeof r.key === 'number' ? { asn: r.key } : {}) },
  { id: 'addresses', title: 'Remote addresses', rows: (s) => s.addresses, label: (r) => String(r.key), filter: null, note: 'busiest, counts are lower bounds' },
  { id: 'ports', title: 'Service ports', rows: (s) => s.ports, label: (r) => portLabel(String(r.key)), filter: (r) => portFilter(String(r.key)) },
  { id: 'protocols', title: 'Protocols', rows: (s) => s.protocols, label: (r) => (r.key === '(other)' ? 'Other' : protocolName(r.key)), filter: (r) => (typeof r.key === 'number' ? { protocol: r.key } : {}) },
];

function portFilter(key: string): Partial<ViewState> {
  const [proto, port] = key.split('/').map(Number);
  return Number.isInteger(proto) && Number.isInteger(port) ? { protocol: proto, port } : {};
}

/**
 * The top tables. The DOM is bounded (a dozen rows a table) and every value is set as text. A row is a button:
 * click or Enter filters the page to it.
 */
export function renderTables(root: HTMLElement, s: WindowSummary | null, store: Store): void {
  // Rows are rebuilt each update; keep keyboard focus on the same row.
  const focused = document.activeElement instanceof HTMLElement && root.contains(document.activeElement)
    ? [document.activeElement.closest('section')?.dataset.table, document.activeElement.dataset.key] : null;
  root.replaceChildren(...SPECS.map((spec) => {
    const section = document.createElement('section');
    section.className = 'table-card';
    section.dataset.table = spec.id;
    const h = document.createElement('h2');
    h.textContent = spec.note ? `${spec.title} · ${spec.note}` : spec.title;
    const table = document.createElement('table');
    const head = table.createTHead().insertRow();
    for (const c of ['', 'Records', 'Bytes', 'Rejected']) {
      const th = document.createElement('th');
      th.textContent = c;
      th.scope = 'col';
      head.append(th);
    }
    const body = table.createTBody();
    const rows = s === null ? [] : spec.rows(s).slice(0, ROWS);
    for (const r of rows) {
      const tr = body.insertRow();
      tr.dataset.key = String(r.key);
      const name = tr.insertCell();
      name.textContent = spec.label(r, s!);
      tr.insertCell().textContent = count(r.records);
      tr.insertCell().textContent = bytes(r.bytes);
      tr.insertCell().textContent = percent(r.rejects, r.records);
      const filter = spec.filter?.(r);
      if (filter && Object.keys(filter).length > 0 && r.key !== '(other)') {
        tr.tabIndex = 0;
        tr.className = 'clickable';
        tr.setAttribute('role', 'button');
        tr.setAttribute('aria-label', `Filter to ${name.textContent}`);
        const apply = () => store.setView(filter);
        tr.addEventListener('click', apply);
        tr.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); apply(); } });
      }
    }
    if (rows.length === 0) {
      const td = body.insertRow().insertCell();
      td.colSpan = 4;
      td.className = 'empty';
      td.textContent = s !== null && spec.id === 'addresses' && s.filter ? 'not available under a filter' : 'no traffic';
    }
    section.append(h, table);
    return section;
  }));
  if (focused !== null) {
    const row = [...root.querySelectorAll<HTMLElement>(`section[data-table="${focused[0]}"] tr[data-key]`)].find((r) => r.dataset.key === focused[1]);
    row?.focus();
  }
}
