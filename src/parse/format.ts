import { DEFAULT_FIELDS, fieldInfo, KNOWN_FIELDS, type FieldKind } from './fields.js';

/**
 * A flow-log format: the ordered list of fields each line carries, with the column of every field the pipeline
 * reads by meaning. Field order is whatever the format string or header said — never inferred from the version
 * value or the token count (flow-logs.md §1.1, §1.3).
 */
export interface FlowFormat {
  readonly fields: readonly string[];
  readonly kinds: readonly FieldKind[];
  /** Column of a field by name, or -1. */
  readonly col: Readonly<Record<Semantic, number>>;
}

const SEMANTIC = {
  srcaddr: 'srcaddr', dstaddr: 'dstaddr', pktSrcaddr: 'pkt-srcaddr', pktDstaddr: 'pkt-dstaddr',
  srcport: 'srcport', dstport: 'dstport', protocol: 'protocol', packets: 'packets', bytes: 'bytes',
  start: 'start', end: 'end', action: 'action', logStatus: 'log-status', flowDirection: 'flow-direction',
  interfaceId: 'interface-id', region: 'region',
} as const;
export type Semantic = keyof typeof SEMANTIC;

export class FormatError extends Error {
  override name = 'FormatError';
}

const TOKEN = /\$\{([^}]*)\}/g;
const FIELD_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * Reads a format given as AWS writes it (`${version} ${srcaddr} …`), as a space- or comma-separated list of names
 * (`version srcaddr …`, the S3 header shape), or with underscores instead of hyphens.
 */
export function parseFormat(spec: string): FlowFormat {
  const trimmed = spec.trim();
  if (trimmed === '' ) throw new FormatError('The format is empty: give at least one field, e.g. "${srcaddr}".');
  let names: string[];
  if (trimmed.includes('${')) {
    names = [...trimmed.matchAll(TOKEN)].map((m) => m[1].trim());
    const leftover = trimmed.replace(TOKEN, '').trim();
    if (leftover !== '') throw new FormatError(`The format has text outside \${…} fields: "${leftover}".`);
  } else {
    names = trimmed.split(/[\s,]+/);
  }
  return formatOf(names.map((n) => n.toLowerCase().replaceAll('_', '-')));
}

/** Builds a format from field names (already in AWS spelling). */
export function formatOf(fields: readonly string[]): FlowFormat {
  const seen = new Set<string>();
  for (const f of fields) {
    if (!FIELD_NAME.test(f)) throw new FormatError(`"${f}" is not a flow-log field name.`);
    if (seen.has(f)) throw new FormatError(`The field "${f}" appears twice in the format.`);
    seen.add(f);
  }
  const col = {} as Record<Semantic, number>;
  for (const [key, name] of Object.entries(SEMANTIC)) col[key as Semantic] = fields.indexOf(name);
  return { fields: [...fields], kinds: fields.map((f) => fieldInfo(f).kind), col };
}

export const DEFAULT_FORMAT: FlowFormat = formatOf(DEFAULT_FIELDS);

/**
 * True when a line's tokens read as a header (S3 files start with one; flow-logs.md §2b): every token has the
 * shape of a field name and most of them are names we know. Data tokens (numbers, addresses, `eni-…` ids with a
 * digit run) practically never pass both tests.
 */
export function looksLikeHeader(tokens: readonly string[]): boolean {
  let known = 0;
  for (const t of tokens) {
    if (!FIELD_NAME.test(t)) return false;
    if (KNOWN_FIELDS.has(t)) known++;
  }
  return known > 0 && known * 2 >= tokens.length;
}
