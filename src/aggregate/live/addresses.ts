import { kthLargest } from './tally.js';
import type { Counter, TopK } from './top-k.js';

/**
 * Records, bytes and rejects per remote address in one second, for the heavy-hitter ranking. IPv4 addresses sit
 * in an open-addressing table of typed arrays: a Map entry and an object per address cost about 190 ns a record
 * at 100k records a second, most of it cache misses. IPv6 addresses (rarer) are kept by text in a Map. At most
 * `cap` addresses are kept; past it, a second's new addresses are not ranked (they still count everywhere else) and
 * their records are counted in `unranked`, which bounds what the ranking may have missed.
 */
export class AddressCounts {
  /** IPv4 address as int32; 0 marks an empty slot (0.0.0.0 is never a public address). */
  private readonly keys: Int32Array;
  /** Records, bytes, rejects per slot. */
  private readonly counts: Float64Array;
  private readonly shift: number;
  private readonly v6 = new Map<string, Float64Array>();
  size = 0;
  /** Records of addresses that arrived after the table was full. */
  unranked = 0;

  constructor(readonly cap: number) {
    const bits = Math.max(4, Math.ceil(Math.log2(cap * 2)));
    this.keys = new Int32Array(1 << bits);
    this.counts = new Float64Array(3 << bits);
    this.shift = 32 - bits;
  }

  addV4(address: number, bytes: number, reject: number): void {
    const keys = this.keys;
    const key = address | 0;
    const mask = keys.length - 1;
    let i = Math.imul(key, 0x9e3779b1) >>> this.shift;
    while (keys[i] !== key) {
      if (keys[i] === 0) {
        if (this.size >= this.cap) {
          this.unranked++;
          return;
        }
        keys[i] = key;
        this.size++;
        break;
      }
      i = (i + 1) & mask;
    }
    const c = this.counts;
    c[3 * i]++;
    c[3 * i + 1] += bytes;
    c[3 * i + 2] += reject;
  }

  addV6(address: string, bytes: number, reject: number): void {
    let c = this.v6.get(address);
    if (c === undefined) {
      if (this.size >= this.cap) {
        this.unranked++;
        return;
      }
      this.v6.set(address, (c = new Float64Array(3)));
      this.size++;
    }
    c[0]++;
    c[1] += bytes;
    c[2] += reject;
  }

  /**
   * Adds every address to an empty ranking, as `ranking.addAll` would, formatting only the addresses it will list.
   * Adding them all ends in one cut (see TopK): the (k+1)-th largest count subtracted from every address, those
   * left at zero dropped, the cut counted as error. Cutting first formats tens, not thousands, of addresses.
   */
  rankInto(ranking: TopK, formatAddress: (a: number) => string): void {
    const cut = this.size > 2 * ranking.k ? kthLargest(this.records(), ranking.k + 1) : 0;
    const counted: Counter[] = [];
    this.forEach((address, records, bytes, rejects) => {
      if (records <= cut) return;
      const key = typeof address === 'number' ? formatAddress(address) : address;
      counted.push({ key, records: records - cut, bytes, rejects: Math.min(rejects, records - cut) });
    });
    ranking.addAll(counted);
    ranking.unranked(this.unranked + cut);
  }

  private records(): Float64Array {
    const records = new Float64Array(this.size);
    let n = 0;
    this.forEach((_, r) => {
      records[n++] = r;
    });
    return records;
  }

  /** Every address kept: IPv4 as uint32, IPv6 as text. */
  forEach(f: (address: number | string, records: number, bytes: number, rejects: number) => void): void {
    const keys = this.keys;
    const c = this.counts;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== 0) f(keys[i] >>> 0, c[3 * i], c[3 * i + 1], c[3 * i + 2]);
    for (const [address, v] of this.v6) f(address, v[0], v[1], v[2]);
  }
}
