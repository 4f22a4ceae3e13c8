import { countryName } from '../format';
import { portLabel, protocolName } from '../services';
import type { FilterKey, Store, ViewState } from '../store';

type Option = [string, string];

function select(label: string, options: Option[], value: string, onChange: (v: string) => void): HTMLLabelElement {
  const wrap = document.createElement('label');
  wrap.textContent = `${label} `;
  const s = document.createElement('select');
  for (const [v, text] of options) {
    const o = document.createElement('option');
    o.value = v;
    o.textContent = text;
    s.append(o);
  }
  s.value = value;
  s.addEventListener('change', () => onChange(s.value));
  wrap.append(s);
  return wrap;
}

function input(label: string, value: string, placeholder: string, onChange: (v: string) => void): HTMLLabelElement {
  const wrap = document.createElement('label');
  wrap.textContent = `${label} `;
  const i = document.createElement('input');
  i.value = value;
  i.placeholder = placeholder;
  i.size = 10;
  i.addEventListener('change', () => onChange(i.value.trim()));
  wrap.append(i);
  return wrap;
}

const CHIP_LABEL: Partial<Record<FilterKey, (v: ViewState) => string>> = {
  country: (v) => `Country: ${countryName(v.country!)}`,
  place: (v) => `City: ${v.place!.split('\t').reverse().filter(Boolean).join(', ')}`,
  asn: (v) => `AS${v.asn}`,
};

/**
 * The filter bar: window, map metric, action, direction, protocol, port, interface, and removable chips for
 * filters set by clicking the map or a table. Every control is a native form element: keyboard reachable.
 */
export function renderFilters(root: HTMLElement, store: Store, toggleTheme: () => void): void {
  const v = store.view;
  const set = (patch: Partial<ViewState>) => store.setView(patch);
  const num = (s: string) => (s === '' || !Number.isInteger(Number(s)) ? undefined : Number(s));
  const chips = (Object.keys(CHIP_LABEL) as FilterKey[]).filter((k) => v[k] !== undefined).map((k) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'chip';
    b.textContent = `${CHIP_LABEL[k]!(v)} ×`;
    b.setAttribute('aria-label', `Remove filter ${CHIP_LABEL[k]!(v)}`);
    b.addEventListener('click', () => set({ [k]: undefined }));
    return b;
  });
  const theme = document.createElement('button');
  theme.type = 'button';
  theme.textContent = 'Theme';
  theme.title = 'Switch light/dark theme';
  theme.addEventListener('click', toggleTheme);
  const clear = document.createElement('button');
  clear.type = 'button';
  clear.textContent = 'Clear filters';
  clear.disabled = !store.hasFilters();
  clear.addEventListener('click', () => set({ country: undefined, place: undefined, asn: undefined, protocol: undefined, port: undefined, action: undefined, direction: undefined, iface: undefined }));
  root.replaceChildren(
    select('Window', [['1m', 'last minute'], ['15m', 'last 15 min'], ['1h', 'last hour']], v.window, (w) => set({ window: w as ViewState['window'] })),
    select('Map', [['records', 'records'], ['bytes', 'bytes'], ['rejects', 'rejects']], v.metric, (m) => set({ metric: m as ViewState['metric'] })),
    select('Action', [['', 'any'], ['ACCEPT', 'ACCEPT'], ['REJECT', 'REJECT']], v.action ?? '', (a) => set({ action: a || undefined })),
    select('Direction', [['', 'any'], ['inbound', 'inbound'], ['outbound', 'outbound'], ['external', 'external']], v.direction ?? '', (d) => set({ direction: d || undefined })),
    select('Protocol', [['', 'any'], ...[6, 17, 1, 58].map((p): Option => [String(p), protocolName(p)])], v.protocol === undefined ? '' : String(v.protocol), (p) => set({ protocol: num(p) })),
    input('Port', v.port === undefined ? '' : String(v.port), 'e.g. 22', (p) => set({ port: num(p) })),
    input('Interface', v.iface ?? '', 'eni-…', (i) => set({ iface: i || undefined })),
    ...chips, clear, theme,
  );
  if (v.port !== undefined && v.protocol !== undefined) root.title = portLabel(`${v.protocol}/${v.port}`);
}
