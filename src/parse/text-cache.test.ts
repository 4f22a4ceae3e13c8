import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TextCache } from './text-cache.js';

describe('TextCache', () => {
  it('gives the same string object for the same bytes, and the right text whatever collides', () => {
    const cache = new TextCache(2); // four slots: most of these collide
    const texts = new Map<number, string>();
    const words = ['eni-0a1b2c3d4e5f60718', 'eni-1', '-', 'zürich', 'eni-0a1b2c3d4e5f60719', ''];
    for (let round = 0; round < 3; round++) {
      for (const w of words) {
        // The same text at a different place in a buffer that is then overwritten.
        const buf = Buffer.from(`xx ${w} yy`);
        const got = cache.get(buf, 3, 3 + Buffer.byteLength(w));
        buf.fill(0x41);
        assert.equal(got, w);
        // An id names one text: it may change when a text comes back after eviction, but never means two texts.
        assert.equal(texts.get(cache.id) ?? w, w);
        texts.set(cache.id, w);
      }
    }
    const big = new TextCache();
    const a = big.get(Buffer.from('eni-abc'), 0, 7);
    assert.ok(Object.is(a, big.get(Buffer.from(' eni-abc'), 1, 8)));
  });
});
