import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openInput } from './input.js';

describe('openInput', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipgeo-input-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const bytes = Buffer.alloc(100 * 64 * 1024 + 123, 'x');
  const path = join(dir, 'big.log');
  writeFileSync(path, bytes);

  for (const blocking of [false, true]) {
    it(`reads a file whole, in chunks${blocking ? ', with blocking reads' : ''}`, async () => {
      const parts: Buffer[] = [];
      for await (const chunk of await openInput(path, { blocking })) parts.push(chunk);
      assert.ok(parts.length > 50);
      assert.ok(Buffer.concat(parts).equals(bytes));
    });
  }

  it('lets process.nextTick callbacks run while it reads with blocking reads (where streams report writes done)', async () => {
    let scheduled = 0;
    let ran = 0;
    let behind = 0;
    for await (const _ of await openInput(path, { blocking: true })) {
      behind = Math.max(behind, scheduled - ran);
      scheduled++;
      process.nextTick(() => ran++);
    }
    assert.ok(behind <= 1, `${behind} callbacks were waiting`);
  });

  it('fails to open a missing file with the reason', async () => {
    await assert.rejects(openInput(join(dir, 'missing.log'), { blocking: true }), /cannot open: .*ENOENT/);
  });
});
