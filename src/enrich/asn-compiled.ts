import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AsnParts } from './asn-table.js';

/**
 * The bundled ASN tables, parsed once at build time into the arrays `AsnRanges` uses, so a run loads them with
 * one read instead of parsing 40 MB of CSV (about 0.4 s of the start-up of every run that shows AS numbers here,
 * most of a small input's run, and of a Lambda's cold start). A compiled file names the CSV it was made from by
 * size and SHA-256; one that does not match the CSV beside it (the package was updated, not rebuilt), or cannot be
 * read, is ignored and the CSV parsed as before: the compiled file can make a run faster, never different.
 */

const MAGIC = 'IPGASN1\n';
/** Arrays in file order: five of 32-bit words, then the organisation names' bytes. */
const WORD_ARRAYS = ['first', 'last', 'ownerOf', 'asns', 'starts'] as const;
/** Bytes of the CSV hashed at a time. */
const CHUNK = 1 << 20;

interface Header {
  csv: string;
  family: 4 | 6;
  endianness: string;
  lengths: Record<(typeof WORD_ARRAYS)[number] | 'names', number>;
}

/** Where the compiled form of a CSV lives: beside it in a data folder (a Lambda bundle), else in the build output. */
export function compiledPath(csvPath: string, dataDir: string | undefined): string {
  const dir = dataDir ?? fileURLToPath(new URL('../../dist/data', import.meta.url));
  return join(dir, `${basename(csvPath, '.csv')}.bin`);
}

/** Size and SHA-256 of a CSV: whole, so a compiled table is never taken for a CSV that differs anywhere (~30 ms). */
export function fingerprint(csvPath: string): string {
  const fd = openSync(csvPath, 'r');
  try {
    const hash = createHash('sha256');
    const chunk = Buffer.allocUnsafe(CHUNK);
    let size = 0;
    for (let n; (n = readSync(fd, chunk, 0, CHUNK, size)) > 0; size += n) hash.update(chunk.subarray(0, n));
    return `${size}:${hash.digest('hex')}`;
  } finally {
    closeSync(fd);
  }
}

/** Writes a table's arrays for `loadCompiled`; written to a temporary name and renamed, so a reader never sees half. */
export function saveCompiled(parts: AsnParts, family: 4 | 6, csvPath: string, outPath: string): void {
  const lengths = { ...Object.fromEntries(WORD_ARRAYS.map((k) => [k, parts[k].length])), names: parts.names.length };
  const header: Header = { csv: fingerprint(csvPath), family, endianness: endianness(), lengths: lengths as Header['lengths'] };
  const head = Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`);
  const pad = Buffer.alloc((4 - (head.length % 4)) % 4, 0x20);
  const body = [head, pad, ...WORD_ARRAYS.map((k) => Buffer.from(parts[k].buffer, parts[k].byteOffset, parts[k].byteLength)),
    Buffer.from(parts.names.buffer, parts.names.byteOffset, parts.names.byteLength)];
  mkdirSync(dirname(outPath), { recursive: true });
  const tmp = `${outPath}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.concat(body));
  renameSync(tmp, outPath);
}

/**
 * The table compiled from `csvPath`, in shared memory (so worker threads use it without a copy), or null when there
 * is no compiled file, it was made from another CSV or another family, or it is not whole.
 */
export function loadCompiled(csvPath: string, binPath: string, family: 4 | 6): AsnParts | null {
  let fd: number;
  try {
    fd = openSync(binPath, 'r');
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    const memory = new SharedArrayBuffer(size);
    const bytes = Buffer.from(memory);
    readAt(fd, bytes, 0);
    if (bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) return null;
    const nl = bytes.indexOf(10, MAGIC.length);
    const header = JSON.parse(bytes.toString('utf8', MAGIC.length, nl)) as Header;
    if (header.family !== family || header.endianness !== endianness() || header.csv !== fingerprint(csvPath)) return null;
    return partsOf(memory, (nl + 4) & ~3, header.lengths, size, family);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Views over the file's memory, or null when the lengths do not add up to the file or to each other. */
function partsOf(memory: SharedArrayBuffer, start: number, lengths: Header['lengths'], size: number,
  family: 4 | 6): AsnParts | null {
  const words = WORD_ARRAYS.reduce((n, k) => n + lengths[k], 0);
  if (start + words * 4 + lengths.names !== size) return null;
  const views: Partial<Record<(typeof WORD_ARRAYS)[number], Uint32Array>> = {};
  let at = start;
  for (const k of WORD_ARRAYS) {
    views[k] = new Uint32Array(memory, at, lengths[k]);
    at += lengths[k] * 4;
  }
  const parts = { ...(views as Record<(typeof WORD_ARRAYS)[number], Uint32Array>), names: new Uint8Array(memory, at, lengths.names) };
  const owners = parts.asns.length;
  const w = family === 4 ? 1 : 4;
  const whole = parts.first.length === parts.ownerOf.length * w && parts.last.length === parts.first.length
    && parts.starts.length === owners + 1
    && parts.starts[owners] === parts.names.length && parts.ownerOf.every((j) => j < owners);
  return whole ? parts : null;
}

function readAt(fd: number, buf: Uint8Array, position: number): void {
  for (let at = 0; at < buf.length;) {
    const n = readSync(fd, buf, at, buf.length - at, position + at);
    if (n === 0) throw new Error('file shorter than its size');
    at += n;
  }
}
