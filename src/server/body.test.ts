import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BodyError, readBody } from './body.js';

const LIMIT = 100_000;

/** What the server made of each request: the body (as given to the caller) or the error it was rejected with. */
type Outcome = { body: Buffer } | { error: BodyError };

describe('readBody over real HTTP connections', () => {
  let server: Server;
  let port = 0;
  const outcomes: Outcome[] = [];
  before(async () => {
    server = createServer((req, res) => {
      readBody(req, LIMIT, Number(req.headers['content-length'] ?? NaN)).then(
        (body) => { outcomes.push({ body }); res.end('ok'); },
        (error: BodyError) => { outcomes.push({ error }); res.statusCode = error.statusCode; res.end(error.message); },
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  /** Sends raw bytes on a fresh connection; resolves with the status line (or '' when the server hangs up). */
  function raw(head: string, ...parts: Array<Buffer | string | 'close'>): Promise<string> {
    return new Promise((resolve) => {
      const s = connect(port, '127.0.0.1');
      let answer = '';
      s.on('data', (d) => { answer += d; });
      s.on('close', () => resolve(answer.split('\r\n')[0]));
      s.on('error', () => {});
      s.write(head);
      for (const p of parts) {
        // Once what was written has had time to arrive: destroying at once could drop it unsent.
        if (p === 'close') return void setTimeout(() => s.destroy(), 100);
        s.write(p);
      }
    });
  }
  const last = () => outcomes[outcomes.length - 1];
  const request = (headers: string) => `POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${headers}\r\n`;

  it('reads a body with Content-Length into one buffer that is all of its memory', async () => {
    const text = Buffer.from('2 123 eni-1 1.2.3.4 10.0.0.1 443 5000 6 1 40 1 2 ACCEPT OK\n'.repeat(900));
    // Sent in pieces, as a socket delivers a large body.
    const status = await raw(request(`Content-Length: ${text.length}\r\n`), text.subarray(0, 1000), text.subarray(1000, 30_000), text.subarray(30_000));
    assert.equal(status, 'HTTP/1.1 200 OK');
    const { body } = last() as { body: Buffer };
    assert.ok(body.equals(text));
    assert.equal(body.byteOffset, 0);
    assert.equal(body.buffer.byteLength, text.length, 'the buffer holds nothing else, so it can be handed over');
  });

  it('reads a chunked body (no Content-Length), growing as it comes', async () => {
    const pieces = Array.from({ length: 18 }, (_, i) => Buffer.alloc(5000, 65 + (i % 26)));
    const chunked = pieces.map((p) => `${p.length.toString(16)}\r\n${p}\r\n`).join('') + '0\r\n\r\n';
    assert.equal(await raw(request('Transfer-Encoding: chunked\r\n'), chunked), 'HTTP/1.1 200 OK');
    assert.ok((last() as { body: Buffer }).body.equals(Buffer.concat(pieces)));
  });

  it('refuses a declared length over the limit with 413 before reading it', async () => {
    assert.equal(await raw(request(`Content-Length: ${LIMIT + 1}\r\n`)), 'HTTP/1.1 413 Payload Too Large');
    assert.match((last() as { error: BodyError }).error.message, /larger than 100000 bytes/);
  });

  it('refuses a chunked body that grows past the limit with 413', async () => {
    const piece = Buffer.alloc(30_000, 66);
    const chunk = `${piece.length.toString(16)}\r\n${piece}\r\n`;
    assert.equal(await raw(request('Transfer-Encoding: chunked\r\n'), chunk, chunk, chunk, chunk, '0\r\n\r\n'), 'HTTP/1.1 413 Payload Too Large');
  });

  it('rejects a body cut short by the client with 400, and does not wait for the rest', async () => {
    const before = outcomes.length;
    await raw(request('Content-Length: 5000\r\n'), Buffer.alloc(1000, 67), 'close');
    // The connection is gone, so no answer arrives; the read must still end, with a reason.
    for (let i = 0; i < 100 && outcomes.length === before; i++) await new Promise((r) => setTimeout(r, 10));
    const { error } = last() as { error: BodyError };
    assert.equal(error.statusCode, 400);
    assert.match(error.message, /closed the connection|could not be read|ended after/);
  });
});
