import type { Located } from '../enrich/enricher.js';

/** Bytes of each of the two blocks: about 9,000 answers of ~220 bytes. */
export const GEO_BLOCK = 2 << 20;
const UTF8 = new TextEncoder();

/**
 * The JSON of answers (`src_geo`, `dst_geo`) in UTF-8, made once per answer and copied into every record that
 * names it. The bytes live in two blocks used in turn rather than a Buffer per answer: a Buffer each cost about
 * three times the bytes it held (its object, the pool slab it is cut from, and what the slab keeps alive) and made
 * memory grow with every distinct answer a run meets, where two blocks are all there is, however long the run.
 *
 * Each answer records where its bytes are (Located.json*). When the current block is full the other one is
 * cleared and becomes current: what it held is made again when next asked for, and an answer found in the
 * previous block is copied into the current one, so busy answers stay and idle ones fall out.
 * One per thread (`geoJsonArena`): an answer's place is only meaningful in the arena that made it, and answers are
 * never shared between threads.
 */
export class GeoJsonArena {
  private readonly blocks: [Buffer, Buffer];
  private used = 0;
  /** Counts block switches; the current block is blocks[generation & 1]. */
  private generation = 0;

  constructor(private readonly blockBytes = GEO_BLOCK) {
    // Each block all of its own memory, so that `bytesOf` can view it by offset alone.
    const make = () => Buffer.from(new ArrayBuffer(blockBytes));
    this.blocks = [make(), make()];
  }

  /**
   * Makes `loc`'s bytes present and returns their length. Two answers asked for one after the other are both
   * present after the second call: a switch keeps the previous block's bytes until the next switch.
   */
  ready(loc: Located): number {
    // Kept this small so that it is inlined where records are written; the rest is rare.
    return loc.jsonGeneration === this.generation ? loc.jsonLength : this.refresh(loc);
  }

  private refresh(loc: Located): number {
    if (loc.jsonGeneration === this.generation - 1) this.promote(loc);
    else this.encode(loc);
    return loc.jsonLength;
  }

  /**
   * `loc`'s bytes (valid after `ready`, until the next `ready`) as a view made for one copy: one TypedArray `set`
   * of it costs ~50 ns with the view's making, where copying an answer's ~230 bytes a word at a time took ~130.
   * The view dies young: kept on the answer it would outlive collections and wait in the old generation (one
   * view per placement of an answer raised enrich's peak by 12-20 MiB).
   */
  bytesOf(loc: Located): Uint8Array {
    return new Uint8Array(this.blocks[loc.jsonGeneration & 1].buffer, loc.jsonAt, loc.jsonLength);
  }

  /** Copies bytes from the previous block into the current one. */
  private promote(loc: Located): void {
    const from = this.blocks[loc.jsonGeneration & 1];
    const at = loc.jsonAt;
    const n = loc.jsonLength;
    this.reserve(n);
    // If that switched blocks, `from` is the block just made current and the bytes go to its start: `set` copies
    // overlapping ranges of one buffer as if through a temporary, so that is still right.
    this.current().set(from.subarray(at, at + n), this.used);
    this.place(loc, n);
  }

  private encode(loc: Located): void {
    const text = JSON.stringify(loc.geo);
    // Room for the most UTF-8 the text can need, then one pass that encodes and counts (measuring the bytes first
    // and writing them after took two calls into C++, as long as the JSON.stringify).
    this.reserve(3 * text.length);
    const { written } = UTF8.encodeInto(text, this.current().subarray(this.used, this.used + 3 * text.length));
    this.place(loc, written);
  }

  private place(loc: Located, n: number): void {
    loc.jsonAt = this.used;
    loc.jsonLength = n;
    loc.jsonGeneration = this.generation;
    this.used += n;
  }

  /** Switches blocks when `n` more bytes do not fit (an answer is far smaller than a block). */
  private reserve(n: number): void {
    if (this.used + n <= this.blockBytes) return;
    if (n > this.blockBytes) throw new RangeError(`an answer needing up to ${n} bytes does not fit a JSON block`);
    this.generation++;
    this.used = 0;
  }

  private current(): Buffer {
    return this.blocks[this.generation & 1];
  }
}

let arena: GeoJsonArena | null = null;

/** This thread's arena, made on first use (a process that writes no NDJSON never holds one). */
export function geoJsonArena(): GeoJsonArena {
  return (arena ??= new GeoJsonArena());
}
