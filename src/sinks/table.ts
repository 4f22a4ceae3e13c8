export type TableFormat = 'tsv' | 'csv' | 'json';
type Cell = string | number | null;

/**
 * Renders a report table. TSV shows an absent value as "-" (as flow logs do) and never contains a tab or newline
 * inside a cell; CSV quotes per RFC 4180; JSON is an array of objects keyed by column name.
 */
export function renderTable(columns: string[], rows: Cell[][], format: TableFormat): string {
  if (format === 'json') {
    const objects = rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])));
    return `${JSON.stringify(objects, null, 1).replace(/\n /g, '\n  ')}\n`;
  }
  const cell = format === 'tsv' ? tsvCell : csvCell;
  const lines = [columns, ...rows].map((r) => r.map(cell).join(format === 'tsv' ? '\t' : ','));
  return `${lines.join('\n')}\n`;
}

function tsvCell(v: Cell): string {
  if (v === null) return '-';
  return String(v).replace(/[\t\r\n]/g, ' ');
}

function csvCell(v: Cell): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
