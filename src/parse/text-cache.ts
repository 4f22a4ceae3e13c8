/**
 * Text of byte ranges that repeat (interface ids, account ids), without making a string per record: a
 * direct-mapped table keyed by a hash of the bytes hands back the same string object for the same bytes. A
 * string per record costs an allocation, a copy and, as a Map key, hashing its characters again; this costs a
 * hash and a compare. Bounded: a colliding text takes the slot.
 */
export class TextCache {
  private readonly hashes: Int32Array;
  private readonly bytes: Array<Uint8Array | undefined>;
  private readonly texts: string[];
  private readonly ids: Float64Array;
  private readonly shift: number;
  private next = 0;
  /**
   * After get(): a number for the text's entry, so callers can hash on an integer. Different texts never share
   * an id; equal texts may get different ids (after eviction), so a table keyed on it can hold one text twice.
   */
  id = 0;

  constructor(bits = 12) {
    this.hashes = new Int32Array(1 << bits);
    this.bytes = new Array(1 << bits).fill(undefined);
    this.texts = new Array(1 << bits).fill('');
    this.ids = new Float64Array(1 << bits);
    this.shift = 32 - bits;
  }

  /** The text of buf[s, e) as UTF-8 (plain ASCII in flow logs). */
  get(buf: Uint8Array, s: number, e: number): string {
    let h = 0x811c9dc5 | 0;
    for (let i = s; i < e; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    const slot = Math.imul(h, 0x9e3779b1) >>> this.shift;
    const known = this.bytes[slot];
    if (known !== undefined && this.hashes[slot] === h && same(known, buf, s, e)) {
      this.id = this.ids[slot];
      return this.texts[slot];
    }
    const text = Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('utf8');
    this.hashes[slot] = h;
    this.bytes[slot] = Uint8Array.from(buf.subarray(s, e)); // a copy: buf is reused for the next input
    this.texts[slot] = text;
    this.id = this.ids[slot] = ++this.next;
    return text;
  }
}

function same(known: Uint8Array, buf: Uint8Array, s: number, e: number): boolean {
  if (known.length !== e - s) return false;
  for (let i = 0; i < known.length; i++) if (known[i] !== buf[s + i]) return false;
  return true;
}
