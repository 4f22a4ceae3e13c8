import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compiledPath, loadCompiled } from './asn-compiled.js';
import { AsnRanges, type AsnParts } from './asn-table.js';
import { bundledPaths } from './sources.js';

const V4 = [
  '1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."',
  '1.0.4.0,1.0.7.255,38803,Gtelecom Pty Ltd',
  '2.0.0.0,2.0.0.255,3215,Orange S.A.',
  '5.0.0.0,5.0.0.255,0,',
].join('\n');
const V6 = [
  '2001:200::,2001:200:ffff:ffff:ffff:ffff:ffff:ffff,2500,WIDE Project',
  '2a00:1450::,2a00:1450:ffff:ffff:ffff:ffff:ffff:ffff,15169,Google LLC',
].join('\n');

function parsed(csv: string, family: 4 | 6): AsnParts {
  return AsnRanges.parse(Buffer.from(csv), family).parts();
}

/** A CSV in a fresh folder, and where its compiled form goes. */
function files(csv: string): { csvPath: string; bin: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ipgeo-asnbin-'));
  const csvPath = join(dir, 'asn.csv');
  writeFileSync(csvPath, csv);
  return { csvPath, bin: compiledPath(csvPath, dir) };
}

/** Every array equal, element by element (the compiled ones are views over one shared buffer). */
function assertSameParts(a: AsnParts | null, b: AsnParts): void {
  assert.ok(a !== null, 'no compiled table');
  for (const k of ['first', 'last', 'ownerOf', 'asns', 'starts', 'names'] as const) {
    assert.deepEqual(Array.from(a[k]), Array.from(b[k]), k);
  }
}

describe('compiled ASN tables', () => {
  it('load to the same arrays the CSV parses to, IPv4 and IPv6, in shared memory', () => {
    for (const [csv, family] of [[V4, 4], [V6, 6]] as const) {
      const { csvPath, bin } = files(csv);
      AsnRanges.compile(csvPath, family, bin);
      const loaded = loadCompiled(csvPath, bin, family);
      assertSameParts(loaded, parsed(csv, family));
      assert.ok(loaded!.first.buffer instanceof SharedArrayBuffer);
    }
  });

  it('answer lookups as the CSV does', () => {
    const { csvPath, bin } = files(V4);
    AsnRanges.compile(csvPath, 4, bin);
    const table = AsnRanges.fromCsv(csvPath, 4, bin);
    assert.deepEqual(table.owner(table.findV4(0x01000009)), { asn: 13335, as_org: 'Cloudflare, Inc.' });
    assert.deepEqual(table.owner(table.findV4(0x02000001)), { asn: 3215, as_org: 'Orange S.A.' });
    assert.deepEqual(table.owner(table.findV4(0x05000001)), { asn: null, as_org: null });
  });

  it('are ignored once the CSV changes, so an updated package is never answered from an old build', () => {
    const { csvPath, bin } = files(V4);
    AsnRanges.compile(csvPath, 4, bin);
    appendFileSync(csvPath, '\n9.0.0.0,9.0.0.255,3356,Level 3');
    assert.equal(loadCompiled(csvPath, bin, 4), null);
    const table = AsnRanges.fromCsv(csvPath, 4, bin);
    assert.deepEqual(table.owner(table.findV4(0x09000001)), { asn: 3356, as_org: 'Level 3' });
  });

  it('are ignored when one byte in the middle of the CSV changed, its size the same', () => {
    const { csvPath, bin } = files(V4);
    AsnRanges.compile(csvPath, 4, bin);
    writeFileSync(csvPath, V4.replace('38803', '38804'));
    assert.equal(loadCompiled(csvPath, bin, 4), null);
  });

  it('are ignored when missing, cut short, of the other family or not a compiled table at all', () => {
    const { csvPath, bin } = files(V4);
    assert.equal(loadCompiled(csvPath, bin, 4), null);
    AsnRanges.compile(csvPath, 4, bin);
    assert.equal(loadCompiled(csvPath, bin, 6), null);
    const whole = readFileSync(bin);
    truncateSync(bin, whole.length - 3);
    assert.equal(loadCompiled(csvPath, bin, 4), null);
    writeFileSync(bin, 'first,last,asn,organisation\n');
    assert.equal(loadCompiled(csvPath, bin, 4), null);
    writeFileSync(bin, Buffer.concat([whole.subarray(0, 20), Buffer.from('{not json'), whole.subarray(29)]));
    assert.equal(loadCompiled(csvPath, bin, 4), null);
  });

  it('ship with the build for the bundled tables, equal to parsing their CSVs', () => {
    const [v4, v6] = bundledPaths().asn;
    for (const [csv, family] of [[v4, 4], [v6, 6]] as const) {
      assert.ok(existsSync(compiledPath(csv, undefined)), 'no compiled table: the build (npm run build) makes them');
      const fromCsv = AsnRanges.parse(readFileSync(csv), family).parts();
      assertSameParts(loadCompiled(csv, compiledPath(csv, undefined), family), fromCsv);
    }
  });
});
