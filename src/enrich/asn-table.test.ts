import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../errors.js';
import { AsnRanges } from './asn-table.js';

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
  it('names the line it cannot read', () => {
    assert.throws(() => AsnRanges.parse(Buffer.from('1.0.0.0,1.0.0.255,13335,x\n1.0.1.0,oops,1,y\n'), 4, 'asn.csv'),
      (e: Error) => e instanceof UsageError && /asn\.csv:2: not a "first,last,asn,organisation" line/.test(e.message));
  });
});
