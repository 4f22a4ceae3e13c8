import type { Writable } from 'node:stream';

export type TableFormat = 'tsv' | 'csv' | 'json';
export type Cell = string | number | null;

/**
 * A report table as text, a row at a time, so a table of millions of rows is never one string or one array of
 * lines. TSV shows an absent value as "-" (as flow logs do) and never contains a tab or newline inside a cell; CSV
 * quotes per RFC 4180; JSON is an array of objects keyed by column name, indented by two spaces.
 */
export function* tableText(columns: string[], rows: Iterable<Cell[]>, format: TableFormat): Generator<string> {
  if (format === 'json') {
    let first = true;
    for (const r of rows) {
      const object = Object.fromEntries(columns.map((c, i) => [c, r[i]]));
      yield `${first ? '[\n' : ',\n'}  ${JSON.stringify(object, null, 2).replaceAll('\n', '\n  ')}`;
      first = false;
    }
    yield first ? '[]\n' : '\n]\n';
    return;
  }
  const cell = format === 'tsv' ? tsvCell : csvCell;
  const sep = format === 'tsv' ? '\t' : ',';
  yield `${columns.map(cell).join(sep)}\n`;
  for (const r of rows) yield `${r.map(cell).join(sep)}\n`;
}

/** Writes text pieces in writes of about 64 KiB, waiting whenever the stream asks to. */
export async function writeText(out: Writable, pieces: Iterable<string>): Promise<void> {
  let pending = '';
  const flush = async () => {
    if (!out.write(pending)) await new Promise((resolve) => out.once('drain', resolve));
    pending = '';
  };
  for (const p of pieces) {
    pending += p;
    if (pending.length >= 1 << 16) await flush();
  }
  if (pending.length > 0) await flush();
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
