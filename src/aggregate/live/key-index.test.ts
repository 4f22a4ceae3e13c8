import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyIndex } from './key-index.js';

describe('KeyIndex', () => {
  it('numbers pairs in first-seen order through growth, as a Map of composite keys does', () => {
    const index = new KeyIndex(2);
    const want = new Map<string, number>();
    let seed = 7;
    for (let n = 0; n < 50_000; n++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      // Small keys, keys past 2^32 that agree in their low 32 bits, negative ones and the largest safe integer.
      const a = [seed % 900, 2 ** 32 * (seed % 5) + (seed % 3), -1 - (seed % 4), Number.MAX_SAFE_INTEGER][seed % 4];
      const b = (seed >>> 12) % 50;
      const key = `${a}/${b}`;
      assert.equal(index.find(a, b), want.get(key) ?? -1, key);
      if (!want.has(key)) want.set(key, want.size);
      assert.equal(index.index(a, b), want.get(key), key);
    }
    assert.equal(index.size, want.size);
    assert.equal(index.find(2 ** 40, 1), -1);
  });
});
