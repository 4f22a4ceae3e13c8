import type { Writable } from 'node:stream';
import { DIRECTION_NAMES } from '../classify/endpoints.js';
import type { Located } from '../enrich/enricher.js';
import type { FlowView } from '../enrich/flow-view.js';
import { outputKey } from '../parse/fields.js';
import type { FlowFormat } from '../parse/format.js';
import { KIND_ADDR as ADDR, KIND_INT as INT, KIND_TEXT as TEXT } from '../parse/fast-scan.js';
import type { FlowLine } from '../parse/line.js';
import { geoJsonArena } from './geo-json.js';

/** Output block size: blocks of exactly this size are reused (see `reuse`). */
export const BLOCK = 1 << 20;
const SPARE_BLOCKS = 8;
/** The block of a writer with nothing buffered: a real block is taken at the first write, not before. */
const NO_BLOCK = Buffer.alloc(0);
const QUOTE = 0x22;
/** `null` as a little-endian word, and its length. */
const NULL_WORD = 0x6c6c756e;
const NULL_BYTES = 4;

/**
 * Constant strings packed in one buffer, copied by words (one `set` call costs as much as copying a hundred bytes
 * by words here): part i is at[i] to at[i + 1], and 3 spare bytes at the end let the last word be read whole.
 */
interface Packed {
  bytes: Buffer;
  view: DataView;
  at: Int32Array;
}

function pack(parts: string[]): Packed {
  const bytes = Buffer.from(`${parts.join('')}   `);
  const at = new Int32Array(parts.length + 1);
  parts.forEach((part, i) => { at[i + 1] = at[i] + Buffer.byteLength(part); });
  return { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.length), at };
}

/** The constant parts of a record's tail: one per direction, then `,"dst_geo":` and the end. */
const TAIL = pack([...DIRECTION_NAMES.map((d) => `,"direction":${JSON.stringify(d)},"src_geo":`), ',"dst_geo":', '}\n']);
const DST_GEO = DIRECTION_NAMES.length;
const END = DST_GEO + 1;

/** How to write records of one format: the kind of each column and its JSON key prefix (`{"version":`…). */
interface Plan {
  codes: Uint8Array;
  keys: Packed;
  keyBytes: number;
}

/**
 * Writes enriched records as NDJSON, one object per line: the record's fields (output keys, format order), then
 * `direction`, `src_geo`, `dst_geo`. Field values are copied byte for byte from the input line where JSON allows
 * it (numbers, addresses, plain text), and each location's JSON is made once per distinct location — writing a
 * record costs about as much as copying it.
 */
export class NdjsonWriter {
  private block: Buffer;
  private pos = 0;
  private full: Buffer[] = [];
  /** Blocks the stream (or the thread the output went to) is done with, written into again. */
  private readonly spare: Buffer[];
  private plans = new WeakMap<FlowFormat, Plan>();
  private readonly geoJson = geoJsonArena();
  private lastFormat: FlowFormat | null = null;
  private lastPlan: Plan | null = null;
  // DataViews over the current input and output buffers, remade only when those change (see inputView()).
  private inBuf: Uint8Array | null = null;
  private inView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private outBuf: Uint8Array | null = null;
  private outView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  written = 0;

  /**
   * `spare` may be shared by the writers a thread makes one after another, so blocks handed back (see `reuse`)
   * outlive each writer.
   */
  constructor(private readonly out: Writable | null, spare: Buffer[] = []) {
    this.spare = spare;
    // Taken lazily: a worker makes a writer per segment, and a block taken here or after `take()` was dropped with
    // the writer, one fresh MiB a segment for the collector.
    this.block = NO_BLOCK;
  }

  /**
   * Takes blocks back once their bytes are written elsewhere (a worker's output, written by the main thread):
   * otherwise each is garbage until a collection, and the main thread's small heap collects rarely — tens of
   * MiB of written output stayed resident.
   */
  static reuse(spare: Buffer[], blocks: ArrayBuffer[], most = 16): void {
    for (const b of blocks) if (b.byteLength === BLOCK && spare.length < most) spare.push(Buffer.from(b, 0, BLOCK));
  }

  write(line: FlowLine, view: FlowView): void {
    const plan = this.planOf(line.format);
    const buf = line.buf;
    // Both answers' bytes are present from here to the end of the record (see GeoJsonArena.ready).
    const geoBytes = (view.src === null ? NULL_BYTES : this.geoJson.ready(view.src))
      + (view.dst === null ? NULL_BYTES : this.geoJson.ready(view.dst));
    const lineBytes = line.ends[line.width - 1] - line.starts[0];
    // One bound for the whole record: keys, the line's bytes twice over (quotes, escapes), locations, constants.
    this.room(plan.keyBytes + 2 * lineBytes + 8 * line.width + geoBytes + 64);
    const out = this.block;
    let p = this.pos;
    const outView = this.outputView();
    const inView = this.inputView(buf);
    // Whether a field's last word can be read whole: true but for a line at the very end of its buffer.
    const whole = line.ends[line.width - 1] + 3 <= buf.length;
    const keys = plan.keys.view;
    const at = plan.keys.at;
    for (let k = 0; k < line.width; k++) {
      p = copyWords(keys, at[k], at[k + 1], outView, p);
      const s = line.starts[k];
      const e = line.ends[k];
      if (e - s === 1 && buf[s] === 0x2d) {
        outView.setUint32(p, NULL_WORD, true);
        p += NULL_BYTES;
        continue;
      }
      const code = plan.codes[k];
      if (code === INT && ((buf[s] === 0x30 && e - s > 1) || line.rescaled)) {
        // Digits are valid JSON as they stand, unless they have leading zeros or were rescaled from ms.
        p += out.write(String(line.nums[k]), p, 'latin1');
      } else if (code === INT) {
        p = whole ? copyWords(inView, s, e, outView, p) : this.copyBytes(buf, s, e, p);
      } else if (code === ADDR || !line.special) {
        out[p++] = QUOTE;
        p = whole ? copyWords(inView, s, e, outView, p) : this.copyBytes(buf, s, e, p);
        out[p++] = QUOTE;
      } else {
        const text = JSON.stringify(line.text(k));
        this.pos = p;
        this.room(Buffer.byteLength(text) + 256 + geoBytes);
        return this.finishSlow(text, k, line, view, geoBytes);
      }
    }
    this.pos = p;
    this.tail(view, geoBytes);
  }

  /** Rare path: a text field that needs JSON escaping; writes it and the rest of the record with checks. */
  private finishSlow(text: string, from: number, line: FlowLine, view: FlowView, geoBytes: number): void {
    this.pos += this.block.write(text, this.pos, 'utf8');
    const plan = this.planOf(line.format);
    for (let k = from + 1; k < line.width; k++) {
      this.bytes(plan.keys.bytes.subarray(plan.keys.at[k], plan.keys.at[k + 1]));
      const v = line.value(k);
      const json = Buffer.from(JSON.stringify(v));
      this.room(json.length);
      this.bytes(json);
    }
    this.tail(view, geoBytes);
  }

  private tail(view: FlowView, geoBytes: number): void {
    const d = view.endpoints.direction;
    const { view: parts, at } = TAIL;
    this.room(at[END + 1] + geoBytes + 3);
    const words = this.outputView();
    let p = copyWords(parts, at[d], at[d + 1], words, this.pos);
    p = this.geo(view.src, words, p);
    p = copyWords(parts, at[DST_GEO], at[DST_GEO + 1], words, p);
    p = this.geo(view.dst, words, p);
    this.pos = copyWords(parts, at[END], at[END + 1], words, p);
    this.written++;
  }

  /** Copies an answer's JSON (made present by `ready` for this record), or `null`. */
  private geo(loc: Located | null, words: DataView<ArrayBufferLike>, p: number): number {
    if (loc === null) {
      words.setUint32(p, NULL_WORD, true);
      return p + NULL_BYTES;
    }
    this.block.set(this.geoJson.bytesOf(loc), p);
    return p + loc.jsonLength;
  }

  /** Bytes waiting to be written. */
  get pending(): number {
    return this.pos + this.full.length * BLOCK;
  }

  /** Takes what is buffered, leaving the writer empty (how a worker hands its output to the writing thread). */
  take(): Buffer[] {
    const parts = this.full;
    this.full = [];
    if (this.pos > 0) {
      parts.push(this.block.subarray(0, this.pos));
      this.block = NO_BLOCK;
      this.pos = 0;
    }
    return parts;
  }

  /** Hands what is buffered to the stream, waiting while the stream says it is full (backpressure). */
  async flush(): Promise<void> {
    for (const p of this.take()) {
      if (this.out === null) continue;
      // Once written, the block is free again; otherwise each would wait for a GC as garbage (tens of MiB).
      const done = () => NdjsonWriter.reuse(this.spare, [p.buffer as ArrayBuffer], SPARE_BLOCKS);
      if (!this.out.write(p, done)) await new Promise<void>((resolve) => this.out!.once('drain', resolve));
    }
  }

  private newBlock(size: number): Buffer {
    return size === BLOCK && this.spare.length > 0 ? this.spare.pop()! : Buffer.allocUnsafe(size);
  }

  private planOf(format: FlowFormat): Plan {
    if (format === this.lastFormat) return this.lastPlan!;
    let plan = this.plans.get(format);
    if (plan === undefined) {
      const keys = pack(format.fields.map((f, i) => `${i === 0 ? '{' : ','}"${outputKey(f)}":`));
      const codes = Uint8Array.from(format.kinds, (k) => (k === 'int' ? INT : k === 'addr' ? ADDR : TEXT));
      plan = { codes, keys, keyBytes: keys.at[format.fields.length] };
      this.plans.set(format, plan);
    }
    this.lastFormat = format;
    this.lastPlan = plan;
    return plan;
  }

  private room(n: number): void {
    if (this.pos + n > this.block.length) {
      if (this.pos > 0) this.full.push(this.block.subarray(0, this.pos));
      this.block = this.newBlock(Math.max(BLOCK, n));
      this.pos = 0;
    }
  }

  /**
   * A DataView over the input buffer, remade only when the buffer changes. Fields are copied four bytes at a time
   * through it (a field is a few bytes to a few dozen: a call to `set` or `copy` costs more than the copy, a byte
   * loop ~4 ns a byte here).
   */
  private inputView(buf: Uint8Array): DataView<ArrayBufferLike> {
    if (buf !== this.inBuf) {
      this.inBuf = buf;
      this.inView = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    return this.inView;
  }

  /** Copies input bytes [s, e) to the block at p a byte at a time: for a line whose last word is not whole. */
  private copyBytes(buf: Uint8Array, s: number, e: number, p: number): number {
    const out = this.block;
    for (let i = s; i < e; i++) out[p++] = buf[i];
    return p;
  }

  /** A DataView over the current block. */
  private outputView(): DataView<ArrayBufferLike> {
    if (this.block !== this.outBuf) {
      this.outBuf = this.block;
      this.outView = new DataView(this.block.buffer, this.block.byteOffset, this.block.byteLength);
    }
    return this.outView;
  }

  /** Copies constant bytes: `set` costs the same for 8 bytes as for 250 here, a byte loop ~4 ns a byte. */
  private bytes(b: Buffer): void {
    this.room(b.length);
    this.block.set(b, this.pos);
    this.pos += b.length;
  }
}

/**
 * Copies [s, e) of `src` to `dst` at p, four bytes at a time; reads up to 3 bytes past e (which `src` must have)
 * and writes up to 3 past the copy (which the record's room covers and the next write overwrites).
 */
function copyWords(src: DataView<ArrayBufferLike>, s: number, e: number, dst: DataView<ArrayBufferLike>, p: number): number {
  const n = e - s;
  for (let i = 0; i < n; i += 4) dst.setUint32(p + i, src.getUint32(s + i, true), true);
  return p + n;
}
