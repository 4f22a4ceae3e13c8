import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bucket, MINUTE_CAPS } from './bucket.js';
import { KeyPool } from './key-pool.js';

function minute(start: number, keys: string[]) {
  const b = new Bucket(start, MINUTE_CAPS);
  for (const k of keys) b.facts.add(k, 1, 1, 1, 0);
  b.asns.add(15169, 1, 1, 1, 0);
  return b.freeze();
}

describe('KeyPool', () => {
  it('shares text keys and passes numbers through, the buckets reading as before', () => {
    const pool = new KeyPool(10);
    const a = minute(0, ['x', 'y']);
    const b = minute(60, ['y', 'z']);
    a.shareKeys(pool);
    b.shareKeys(pool);
    assert.deepEqual([...a.facts.keys], ['x', 'y']);
    assert.deepEqual([...b.facts.keys], ['y', 'z']);
    assert.deepEqual([...b.asns.keys], [15169]);
    assert.equal(pool.size, 3);
    assert.deepEqual(b.facts.get('z'), { records: 1, packets: 1, bytes: 1, rejects: 0 });
  });
  it('drops keys no bucket holds once more than its slack have piled up, and not before', () => {
    const pool = new KeyPool(5);
    const kept = minute(0, ['a', 'b']);
    kept.shareKeys(pool);
    minute(60, ['c', 'd', 'e']).shareKeys(pool);
    pool.prune([kept]);
    assert.equal(pool.size, 5, 'five keys, none pruned yet: within the slack');
    minute(120, ['f']).shareKeys(pool);
    pool.prune([kept]);
    assert.equal(pool.size, 2, 'rebuilt from the bucket kept');
    minute(180, ['g', 'h', 'i', 'j', 'k']).shareKeys(pool);
    pool.prune([kept]);
    assert.equal(pool.size, 7, 'the slack counts from the keys kept at the last pruning');
  });
});
