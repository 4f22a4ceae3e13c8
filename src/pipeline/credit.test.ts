import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { byteLength, OutputCredit } from './credit.js';
import { taskEvents } from './worker.js';

describe('OutputCredit', () => {
  it('lets a sender run ahead up to the limit, then holds it until enough is written', async () => {
    const credit = new OutputCredit(100);
    assert.equal(credit.spend(60), undefined);
    assert.equal(credit.spend(40), undefined, 'exactly at the limit');
    const wait = credit.spend(30);
    assert.ok(wait instanceof Promise);
    let woke = false;
    void wait.then(() => { woke = true; });
    credit.grant(20); // 110 unwritten: still over
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(woke, false);
    credit.grant(10); // 100: back at the limit
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(woke, true);
    assert.equal(credit.spend(0), undefined);
  });

  it('counts the bytes of views, not of the buffers under them', () => {
    const block = new Uint8Array(1024);
    assert.equal(byteLength([block.subarray(0, 10), block.subarray(100, 130), new Uint8Array(0)]), 40);
  });
});

describe('taskEvents', () => {
  it('counts what a part held before its buffers were transferred to the writing thread', async () => {
    const { port1, port2 } = new MessageChannel();
    try {
      const events = taskEvents(1, new OutputCredit(10), (m, transfer) => port1.postMessage(m, transfer));
      const part = Buffer.alloc(100); // a buffer of its own (Buffer.alloc takes no pool slab)
      const wait = events.output([part]);
      assert.equal(part.byteLength, 0, 'transferred');
      assert.ok(wait instanceof Promise, '100 bytes sent is over a limit of 10');
    } finally {
      port1.close();
      port2.close();
    }
  });
});
