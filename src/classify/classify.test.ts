import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { classifyText } from './classify.js';
import { IPV4_REGISTRY, IPV6_REGISTRY } from './registry.js';

/**
 * Expectations written from the IANA registries' "Globally Reachable" column (flow-logs.md §3.1–3.2), one or more
 * addresses per registry row, including the nested exceptions — not derived from registry.ts.
 */
const IPV4: Array<[string, boolean]> = [
  ['0.0.0.0', false], ['0.1.2.3', false], ['10.0.0.1', false], ['10.255.255.255', false],
  ['100.64.0.1', false], ['100.127.255.254', false], ['100.63.255.255', true], ['100.128.0.0', true],
  ['127.0.0.1', false], ['169.254.169.254', false], ['172.16.0.1', false], ['172.31.255.255', false],
  ['172.15.255.255', true], ['172.32.0.0', true],
  ['192.0.0.1', false], ['192.0.0.8', false], ['192.0.0.9', true], ['192.0.0.10', true], ['192.0.0.11', false],
  ['192.0.0.170', false], ['192.0.0.171', false], ['192.0.0.255', false], ['192.0.2.1', false],
  ['192.31.196.1', true], ['192.52.193.1', true], ['192.88.99.1', true], ['192.88.99.2', false],
  ['192.168.1.1', false], ['192.175.48.1', true], ['198.18.0.1', false], ['198.19.255.255', false],
  ['198.20.0.0', true], ['198.51.100.7', false], ['203.0.113.5', false], ['240.0.0.1', false],
  ['255.255.255.254', false], ['255.255.255.255', false], ['224.0.0.1', false], ['239.255.255.250', false],
  ['8.8.8.8', true], ['1.1.1.1', true], ['52.95.110.1', true], ['223.255.255.255', true],
];
const IPV6: Array<[string, boolean]> = [
  ['::1', false], ['::', false], ['::ffff:8.8.8.8', true], ['::ffff:10.0.0.1', false],
  ['64:ff9b::808:808', true], ['64:ff9b::a00:1', false], ['64:ff9b:1::1', false], ['100::1', false],
  ['100:0:0:1::1', false], ['2001::1', false], ['2001:1::1', true], ['2001:1::2', true], ['2001:1::3', true],
  ['2001:1::4', false], ['2001:2::1', false], ['2001:3::1', true], ['2001:4:112::1', true], ['2001:10::1', false],
  ['2001:20::1', true], ['2001:30::1', true], ['2001:db8::1', false], ['2002:808:808::1', false],
  ['2620:4f:8000::1', true], ['3fff::1', false], ['5f00::1', false], ['fc00::1', false], ['fd12:3456::1', false],
  ['fe80::1', false], ['fec0::1', false], ['ff02::1', false], ['ff0e::1', false], ['::1.2.3.4', false],
  ['4000::1', false], ['2001:4860:4860::8888', true], ['2a00:1450:4001::1', true], ['2600::1', true],
];

describe('public or not, by the IANA special-purpose registries', () => {
  for (const [address, isPublic] of [...IPV4, ...IPV6]) {
    it(`${address} is ${isPublic ? 'public' : 'not public'}`, () => {
      assert.equal(classifyText(address)?.public, isPublic, JSON.stringify(classifyText(address)));
    });
  }
  it('has an expectation inside every registry block', () => {
    for (const block of [...IPV4_REGISTRY, ...IPV6_REGISTRY]) {
      if (block.cidr.endsWith('/0')) continue;
      const range = ipaddr.parseCIDR(block.cidr);
      const covered = [...IPV4, ...IPV6].some(([a]) => {
        const parsed = ipaddr.parse(a);
        return parsed.kind() === range[0].kind() && parsed.match(range);
      });
      assert.ok(covered, `no test address in ${block.cidr}`);
    }
  });
  it('names the range of a non-public address', () => {
    assert.deepEqual(classifyText('10.1.2.3'), { public: false, range: 'private' });
    assert.deepEqual(classifyText('100.64.1.1'), { public: false, range: 'shared-cgnat' });
    assert.deepEqual(classifyText('fd00::1'), { public: false, range: 'unique-local' });
    assert.deepEqual(classifyText('8.8.8.8'), { public: true, range: 'public' });
  });
  it('agrees with ipaddr.js wherever ipaddr.js says "unicast" or "private" (IPv4)', () => {
    // ipaddr.js has no notion of "globally reachable" and lumps global anycast blocks into "reserved", so only its
    // two clear answers are compared: plain unicast must be public, private must not be.
    fc.assert(fc.property(fc.ipV4(), (a) => {
      const range = ipaddr.IPv4.parse(a).range();
      if (range === 'unicast') assert.equal(classifyText(a)?.public, true, a);
      if (range === 'private' || range === 'loopback' || range === 'multicast') assert.equal(classifyText(a)?.public, false, a);
    }), { numRuns: 20000 });
  });
});
