import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { formatIPv4, parseIPv4, parseIPv6 } from './address.js';

const v4 = (s: string) => parseIPv4(Buffer.from(s), 0, s.length);
function v6(s: string): number[] | null {
  const out = new Uint32Array(4);
  return parseIPv6(Buffer.from(s), 0, s.length, out, 0) ? [...out] : null;
}
/** The independent answer: ipaddr.js's parse, as four 32-bit words. */
function reference(s: string): number[] {
  const b = ipaddr.IPv6.parse(s).toByteArray();
  return [0, 1, 2, 3].map((w) => ((b[w * 4] << 24) | (b[w * 4 + 1] << 16) | (b[w * 4 + 2] << 8) | b[w * 4 + 3]) >>> 0);
}

describe('IPv4 text', () => {
  it('reads dotted quads as unsigned integers', () => {
    assert.equal(v4('0.0.0.0'), 0);
    assert.equal(v4('255.255.255.255'), 0xffffffff);
    assert.equal(v4('203.0.113.12'), (203 * 2 ** 24) + 113 * 256 + 12);
  });
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '1.2.3.', '.1.2.3', '01.2.3.4', '1.2.3.4a', 'a.b.c.d', '1.2.3.1000', '-']) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.equal(v4(bad), -1));
  }
  it('agrees with ipaddr.js on any address, both ways', () => {
    fc.assert(fc.property(fc.ipV4(), (text) => {
      const n = v4(text);
      assert.equal(n, ipaddr.IPv4.parse(text).toByteArray().reduce((a, b) => a * 256 + b, 0));
      assert.equal(formatIPv4(n), text);
    }), { numRuns: 2000 });
  });
});

describe('IPv6 text', () => {
  const cases: Array<[string, number[]]> = [
    ['::', [0, 0, 0, 0]],
    ['::1', [0, 0, 0, 1]],
    ['1::', [0x00010000, 0, 0, 0]],
    ['2001:db8::8a2e:370:7334', [0x20010db8, 0, 0x8a2e, 0x03707334]],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', [0x20010db8, 0, 0, 1]],
    ['::ffff:192.0.2.1', [0, 0, 0xffff, 0xc0000201]],
    ['64:ff9b::8.8.8.8', [0x0064ff9b, 0, 0, 0x08080808]],
    ['1:2:3:4:5:6:7:8', [0x00010002, 0x00030004, 0x00050006, 0x00070008]],
    ['1:2:3:4:5:6::8', [0x00010002, 0x00030004, 0x00050006, 0x00000008]],
  ];
  for (const [text, words] of cases) it(`reads ${text}`, () => assert.deepEqual(v6(text), words));
  for (const bad of ['', ':', ':::', '1:::2', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', '1:2:3:4:5:6:7', ':1::',
    '1::2:', 'fe80::1%eth0', '::ffff:1.2.3', '1.2.3.4', '::1/128']) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.equal(v6(bad), null));
  }
  it('agrees with ipaddr.js on any address in any spelling', () => {
    // ipaddr.js reads the deprecated IPv4-compatible form "::a.b.c.d" as IPv4-mapped (::ffff:a.b.c.d); RFC 4291
    // (and Python's ipaddress) keep it as ::a.b.c.d, as we do — so that one spelling is compared by hand above.
    const ipv4Compatible = /^::\d+\.\d+\.\d+\.\d+$/;
    fc.assert(fc.property(fc.ipV6().filter((t) => !ipv4Compatible.test(t)), (text) => assert.deepEqual(v6(text), reference(text))),
      { numRuns: 3000 });
  });
  it('keeps ::a.b.c.d as IPv4-compatible (RFC 4291 §2.5.5.1), not mapped', () => {
    assert.deepEqual(v6('::1.2.3.4'), [0, 0, 0, 0x01020304]);
  });
  it('never accepts what ipaddr.js refuses', () => {
    fc.assert(fc.property(fc.stringMatching(/^[0-9a-f:.]{0,20}$/), (text) => {
      if (v6(text) !== null) assert.ok(ipaddr.IPv6.isValid(text), text);
    }), { numRuns: 5000 });
  });
});
