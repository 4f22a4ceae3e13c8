import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { classifyV4, PUBLIC } from '../../classify/classify.js';
import { bundledPaths } from '../../enrich/sources.js';
import { bundledAddressSpace } from './address-space.js';
import { FlowLogGenerator, type DemoAddressSpace } from './generator.js';

function ipv4(text: string): number | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  return m === null ? null : ((+m[1] << 24) | (+m[2] << 16) | (+m[3] << 8) | +m[4]) >>> 0;
}

/** The public endpoints (srcaddr, dstaddr) of `n` generated records. */
function peers(gen: FlowLogGenerator, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const f = gen.line().split(' ');
    for (const a of [f[3], f[4]]) {
      const v4 = ipv4(a);
      if (a.includes(':') || (v4 !== null && classifyV4(v4) === PUBLIC)) out.push(a);
    }
  }
  return out;
}

// A made-up space: only addresses with an even first octet are announced, one small cloud range.
const CLOUD: [number, number] = [ipv4('52.0.0.0')!, ipv4('52.0.255.255')!];
const EVEN: DemoAddressSpace = {
  routedV4: (ip) => ((ip >>> 24) & 1) === 0,
  routedV6: (a) => a.startsWith('2a04:'),
  cloud: [CLOUD],
};

describe('demo generator', () => {
  it('is deterministic for a seed', () => {
    const a = new FlowLogGenerator({ seed: 7 });
    const b = new FlowLogGenerator({ seed: 7 });
    for (let i = 0; i < 1000; i++) assert.equal(a.line(), b.line());
  });

  it('draws peers from announced networks and API calls from cloud ranges when given a space', () => {
    const seen = peers(new FlowLogGenerator({ seed: 5, clients: 2000, scanners: 300, space: EVEN }), 20_000);
    const v4 = seen.filter((a) => !a.includes(':')).map((a) => ipv4(a)!);
    const v6 = seen.filter((a) => a.includes(':'));
    assert.ok(v4.length > 5000 && v6.length > 50, `${v4.length} IPv4 and ${v6.length} IPv6 peers`);
    const inCloud = v4.filter((ip) => ip >= CLOUD[0] && ip <= CLOUD[1]);
    assert.ok(inCloud.length > 1000, `${inCloud.length} calls to the cloud range`);
    assert.deepEqual(v4.filter((ip) => !EVEN.routedV4(ip) && !inCloud.includes(ip)), []);
    assert.deepEqual(v6.filter((a) => !a.startsWith('2a04:')), []);
  });

  it('draws from the whole public space without one (the benchmark inputs)', () => {
    const v4 = peers(new FlowLogGenerator({ seed: 5, clients: 2000, scanners: 300 }), 5000).map(ipv4)
      .filter((ip) => ip !== null);
    const odd = v4.filter((ip) => (ip >>> 24) & 1);
    assert.ok(odd.length > v4.length / 4, `${odd.length} of ${v4.length} with an odd first octet`);
  });

  it('does not stall on a space that announces nothing', () => {
    const none: DemoAddressSpace = { routedV4: () => false, routedV6: () => false, cloud: [] };
    const gen = new FlowLogGenerator({ seed: 1, clients: 20, scanners: 5, space: none });
    assert.equal(peers(gen, 500).length > 0, true);
  });
});

describe('bundled demo address space', () => {
  const space = bundledAddressSpace();
  // The CSV itself, read plainly: an independent answer to what the compiled table says.
  const csv = readFileSync(bundledPaths().asn[0], 'utf8').trim().split('\n').map((l) => l.split(','));

  it('holds every IPv4 range of the cloud providers, as the CSV lists them', () => {
    const asns = new Set(['16509', '14618', '8075', '15169', '396982', '13335', '54113', '36459']);
    const expected = csv.filter((f) => asns.has(f[2])).map((f) => [ipv4(f[0]), ipv4(f[1])]);
    assert.ok(expected.length > 1000);
    assert.deepEqual(space.cloud, expected);
  });

  it('calls announced what the CSV covers and unannounced the gaps between its ranges', () => {
    let gaps = 0;
    for (let i = 0; i + 1 < csv.length; i += 997) {
      const last = ipv4(csv[i][1])!;
      assert.equal(space.routedV4(ipv4(csv[i][0])!), true, csv[i].join(','));
      assert.equal(space.routedV4(last), true, csv[i].join(','));
      if (ipv4(csv[i + 1][0])! > last + 1) {
        gaps++;
        assert.equal(space.routedV4(last + 1), false, `just after ${csv[i].join(',')}`);
      }
    }
    assert.ok(gaps > 10, `${gaps} gaps checked`);
    assert.equal(space.routedV6('2a00:1450:4001::1'), true); // Google's RIPE allocation
    assert.equal(space.routedV6('2001:db8::1'), false); // documentation: no network announces it
  });
});
