import type { Writable } from 'node:stream';
import { DIRECTION_NAMES } from '../classify/endpoints.js';
import type { FlowView } from '../enrich/flow-view.js';
import { outputKey } from '../parse/fields.js';
import type { FlowFormat } from '../parse/format.js';
import type { FlowLine } from '../parse/line.js';

const BLOCK = 1 << 20;
// Constant parts of every record, encoded once.
const DIRECTION_PARTS = DIRECTION_NAMES.map((d) => Buffer.from(`,"direction":${JSON.stringify(d)},"src_geo":`));
const DST_GEO = Buffer.from(',"dst_geo":');
const NULL = Buffer.from('null');
const END = Buffer.from('}\n');
const QUOTE = 0x22;

/**
 * Writes enriched records as NDJSON, one object per line: the record's fields (output keys, format order), then
 * `direction`, `src_geo`, `dst_geo`. Field values are copied byte for byte from the input line where JSON allows
 * it (numbers, addresses, plain text), and each location's JSON is made once per distinct location — writing a
 * record costs about as much as copying it.
 */
export class NdjsonWriter {
  private block = Buffer.allocUnsafe(BLOCK);
  private pos = 0;
  private full: Buffer[] = [];
  private keys = new WeakMap<FlowFormat, Buffer[]>();
  written = 0;

  constructor(private readonly out: Writable) {}

  write(line: FlowLine, view: FlowView): void {
    const { format } = line;
    const keys = this.keysOf(format);
    const buf = line.buf;
    for (let k = 0; k < line.width; k++) {
      this.bytes(keys[k]);
      const s = line.starts[k];
      const e = line.ends[k];
      if (e - s === 1 && buf[s] === 0x2d) {
        this.bytes(NULL);
        continue;
      }
      const kind = format.kinds[k];
      if (kind === 'int') {
        // Digits are valid JSON as they stand, unless they have leading zeros or were rescaled from ms.
        if ((buf[s] === 0x30 && e - s > 1) || line.rescaled) this.ascii(String(line.nums[k]));
        else this.copy(buf, s, e);
      } else if (kind === 'addr' || !line.special) {
        this.byte(QUOTE);
        this.copy(buf, s, e);
        this.byte(QUOTE);
      } else {
        this.utf8(JSON.stringify(line.text(k)));
      }
    }
    this.bytes(DIRECTION_PARTS[view.endpoints.direction]);
    this.bytes(view.src === null ? NULL : view.src.bytes);
    this.bytes(DST_GEO);
    this.bytes(view.dst === null ? NULL : view.dst.bytes);
    this.bytes(END);
    this.written++;
  }

  /** Bytes waiting to be written. */
  get pending(): number {
    return this.pos + this.full.length * BLOCK;
  }

  /** Hands what is buffered to the stream, waiting while the stream says it is full (backpressure). */
  async flush(): Promise<void> {
    const parts = this.full;
    this.full = [];
    if (this.pos > 0) {
      parts.push(this.block.subarray(0, this.pos));
      this.block = Buffer.allocUnsafe(BLOCK);
      this.pos = 0;
    }
    for (const p of parts) {
      if (!this.out.write(p)) await new Promise<void>((resolve) => this.out.once('drain', resolve));
    }
  }

  private keysOf(format: FlowFormat): Buffer[] {
    let keys = this.keys.get(format);
    if (keys === undefined) {
      keys = format.fields.map((f, i) => Buffer.from(`${i === 0 ? '{' : ','}"${outputKey(f)}":`));
      this.keys.set(format, keys);
    }
    return keys;
  }

  private room(n: number): void {
    if (this.pos + n > BLOCK) {
      this.full.push(this.block.subarray(0, this.pos));
      this.block = Buffer.allocUnsafe(Math.max(BLOCK, n));
      this.pos = 0;
    }
  }

  private byte(b: number): void {
    this.room(1);
    this.block[this.pos++] = b;
  }

  private copy(src: Uint8Array, s: number, e: number): void {
    const n = e - s;
    this.room(n);
    const dst = this.block;
    let p = this.pos;
    // Short fields are copied faster by hand than through a native call.
    if (n < 64) for (let i = s; i < e; i++) dst[p++] = src[i];
    else {
      dst.set(src.subarray(s, e), p);
      p += n;
    }
    this.pos = p;
  }

  private bytes(b: Buffer): void {
    this.copy(b, 0, b.length);
  }

  private ascii(text: string): void {
    this.room(text.length);
    this.pos += this.block.write(text, this.pos, 'latin1');
  }

  private utf8(text: string): void {
    const n = Buffer.byteLength(text);
    this.room(n);
    this.pos += this.block.write(text, this.pos, 'utf8');
  }
}
