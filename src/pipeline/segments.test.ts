import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { planSegments, readSegment, SegmentBuffer } from './segments.js';

describe('readSegment', () => {
  it('reads every line exactly once whatever the cut points, through one reused buffer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipgeo-seg-'));
    let seed = 3;
    const lines = Array.from({ length: 3000 }, (_, i) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return `line ${i} ${'x'.repeat(seed % 300)}`; // some lines longer than a segment
    });
    for (const ending of ['\n', '']) {
      const path = join(dir, `f${ending.length}.log`);
      const text = lines.join('\n') + ending;
      writeFileSync(path, text);
      const fd = openSync(path, 'r');
      try {
        for (const size of [7, 100, 257, 4096, 1 << 20]) {
          const buffer = new SegmentBuffer();
          let got = '';
          for (const s of planSegments(text.length, size)) got += readSegment(fd, s.start, s.end, buffer).toString('latin1');
          assert.equal(got, text, `segments of ${size} bytes, file ${ending === '' ? 'without' : 'with'} a final newline`);
        }
      } finally {
        closeSync(fd);
      }
    }
  });
});
