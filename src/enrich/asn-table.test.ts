import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { UsageError } from '../errors.js';
import { AsnRanges } from './asn-table.js';
import { RangeOwnerLookup } from './sources.js';

const CSV = [
  '1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."',
  '1.0.4.0,1.0.7.255,38803,Gtelecom Pty Ltd',
  '1.1.1.0,1.1.1.255,13335,"Cloudflare, Inc."',
  // The same AS under another name: each range keeps its own.
  '2.0.0.0,2.0.0.255,13335,Cloudflare London',
  '3.0.0.0,3.0.0.255,0,',
  '',
].join('\r\n');

describe('AsnRanges', () => {
  const table = AsnRanges.parse(Buffer.from(CSV), 4);
  const at = (ip: string) => table.owner(table.findV4(ip.split('.').reduce((a, o) => a * 256 + Number(o), 0)));
  it('finds the range holding an address, or none', () => {
    assert.equal(table.size, 5);
    assert.deepEqual(at('1.0.0.7'), { asn: 13335, as_org: 'Cloudflare, Inc.' });
    assert.deepEqual(at('1.0.5.1'), { asn: 38803, as_org: 'Gtelecom Pty Ltd' });
    assert.deepEqual(at('1.0.3.1'), { asn: null, as_org: null });
    assert.deepEqual(at('9.9.9.9'), { asn: null, as_org: null });
  });
  it('stores a shared organisation once but keeps a different name for the same AS', () => {
    assert.deepEqual(at('1.1.1.1'), { asn: 13335, as_org: 'Cloudflare, Inc.' });
    assert.deepEqual(at('2.0.0.9'), { asn: 13335, as_org: 'Cloudflare London' });
    assert.deepEqual(at('3.0.0.1'), { asn: null, as_org: null });
  });
  it('reads a file in chunks to the same table as its whole text, owners past the first 64 KiB of names included', () => {
    const lines = Array.from({ length: 40_000 }, (_, i) =>
      `${i >>> 8}.${i & 255}.0.0,${i >>> 8}.${i & 255}.0.255,${1000 + (i % 5000)},"Org ${i % 5000}, ${'n'.repeat(i % 40)}"`);
    const text = lines.join('\n');
    const path = join(mkdtempSync(join(tmpdir(), 'ipgeo-asn-')), 'asn.csv');
    writeFileSync(path, text);
    const fromFile = AsnRanges.fromCsv(path, 4);
    const fromText = AsnRanges.parse(Buffer.from(text), 4);
    assert.equal(fromFile.size, 40_000);
    for (let i = 0; i < 40_000; i += 7) {
      const ip = (((i >>> 8) * 256 + (i & 255)) * 65536 + 9) >>> 0;
      const want = { asn: 1000 + (i % 5000), as_org: `Org ${i % 5000}, ${'n'.repeat(i % 40)}` };
      assert.deepEqual(fromFile.owner(fromFile.findV4(ip)), want);
      assert.deepEqual(fromText.owner(fromText.findV4(ip)), want);
    }
  });
  it('names the line it cannot read', () => {
    assert.throws(() => AsnRanges.parse(Buffer.from('1.0.0.0,1.0.0.255,13335,x\n1.0.1.0,oops,1,y\n'), 4, 'asn.csv'),
      (e: Error) => e instanceof UsageError && /asn\.csv:2: not a "first,last,asn,organisation" line/.test(e.message));
  });
  it('gives ranges of one owner one key and one answer, and ranges of another name of the AS their own', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipgeo-asn-'));
    writeFileSync(join(dir, 'v4.csv'), CSV);
    writeFileSync(join(dir, 'v6.csv'), '');
    const lookup = new RangeOwnerLookup(join(dir, 'v4.csv'), join(dir, 'v6.csv'));
    const key = (ip: string) => lookup.keyV4(ip.split('.').reduce((a, o) => a * 256 + Number(o), 0));
    assert.equal(key('1.0.0.7'), key('1.1.1.1'));
    assert.equal(lookup.value(key('1.0.0.7')), lookup.value(key('1.1.1.1')));
    assert.deepEqual(lookup.value(key('1.1.1.1')), { asn: 13335, as_org: 'Cloudflare, Inc.' });
    assert.notEqual(key('1.1.1.1'), key('2.0.0.9'));
    assert.deepEqual(lookup.value(key('2.0.0.9')), { asn: 13335, as_org: 'Cloudflare London' });
    assert.equal(key('1.0.3.1'), 0);
  });
});
