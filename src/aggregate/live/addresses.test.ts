import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIPv4 } from '../../parse/address.js';
import { AddressCounts } from './addresses.js';
import { TopK } from './top-k.js';

describe('AddressCounts', () => {
  it('counts as a Map would, IPv4 above 2^31 and IPv6 included, keeps the first `cap` addresses, counts the rest', () => {
    const cap = 300;
    const counts = new AddressCounts(cap);
    const want = new Map<number | string, number[]>();
    let unranked = 0;
    let seed = 11;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let n = 0; n < 20000; n++) {
      const r = next() >>> 8; // the high bits: an LCG's low bits repeat soon
      // Addresses that differ in few bits, so many collide in the table and probe on.
      const address: number | string = r % 10 === 0 ? `2001:db8::${r % 50}` : ((r % 256) * 0x01000000 + ((r >>> 12) % 4) * 0x100 + 0x10) >>> 0;
      const bytes = r % 1500;
      const reject = r % 3 === 0 ? 1 : 0;
      if (typeof address === 'number') counts.addV4(address, bytes, reject);
      else counts.addV6(address, bytes, reject);
      const w = want.get(address);
      if (w !== undefined) {
        w[0]++;
        w[1] += bytes;
        w[2] += reject;
      } else if (want.size < cap) want.set(address, [1, bytes, reject]);
      else unranked++;
    }
    const got = new Map<number | string, number[]>();
    counts.forEach((address, records, bytes, rejects) => got.set(address, [records, bytes, rejects]));
    assert.equal(want.size, cap);
    assert.equal(counts.size, cap);
    assert.deepEqual(got, want);
    assert.ok(unranked > 0);
    assert.equal(counts.unranked, unranked);
    assert.ok([...got.keys()].some((a) => typeof a === 'number' && a > 2 ** 31), 'addresses above 2^31 come back unsigned');
  });
  it('ranks into an empty TopK exactly as adding every address to it does, for few and for many addresses', () => {
    for (const distinct of [5, 100, 129, 3000]) {
      const counts = new AddressCounts(8192);
      let seed = distinct;
      const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
      for (let n = 0; n < 30000; n++) {
        // Skewed, with ties: a few addresses take most records.
        const i = Math.floor(distinct * ((next() >>> 8) / 2 ** 24) ** 3);
        if (i % 7 === 3) counts.addV6(`2001:db8::${i}`, i, i % 2);
        else counts.addV4(0x0b000000 + i, i * 3, i % 2);
      }
      const all = new TopK(64);
      const every: Array<{ key: string; records: number; bytes: number; rejects: number }> = [];
      counts.forEach((a, records, bytes, rejects) => every.push({ key: typeof a === 'number' ? formatIPv4(a) : a, records, bytes, rejects }));
      all.addAll(every);
      all.unranked(counts.unranked);
      const ranked = new TopK(64);
      counts.rankInto(ranked, formatIPv4);
      assert.deepEqual(ranked.toData(), all.toData(), `${distinct} addresses`);
      assert.ok(ranked.top(64).length > 0);
    }
  });
});
