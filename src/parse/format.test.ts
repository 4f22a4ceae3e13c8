import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_FIELDS } from './fields.js';
import { FormatError, looksLikeHeader, parseFormat } from './format.js';

describe('format strings', () => {
  it('reads AWS ${field} syntax, field lists, commas and underscores alike', () => {
    const want = ['version', 'srcaddr', 'log-status'];
    for (const spec of ['${version} ${srcaddr} ${log-status}', 'version srcaddr log-status', 'version,srcaddr,log-status',
      '${version}${srcaddr}${log-status}', 'version srcaddr log_status']) {
      assert.deepEqual(parseFormat(spec).fields, want, spec);
    }
  });
  it('finds the columns the pipeline reads by meaning', () => {
    const f = parseFormat('${dstaddr} ${pkt-srcaddr} ${srcaddr}');
    assert.equal(f.col.dstaddr, 0);
    assert.equal(f.col.pktSrcaddr, 1);
    assert.equal(f.col.srcaddr, 2);
    assert.equal(f.col.action, -1);
  });
  for (const [spec, why] of [['', /empty/], ['${version} ${version}', /twice/], ['${version} junk', /outside/], ['${Bad Name}', /not a flow-log field/]] as const) {
    it(`refuses ${JSON.stringify(spec)}`, () => assert.throws(() => parseFormat(spec), (e: Error) => e instanceof FormatError && why.test(e.message)));
  }
});

describe('header lines', () => {
  it('recognises S3 header lines, in any order', () => {
    assert.ok(looksLikeHeader([...DEFAULT_FIELDS]));
    assert.ok(looksLikeHeader([...DEFAULT_FIELDS].sort()));
    assert.ok(looksLikeHeader(['version', 'srcaddr', 'some-new-field']));
  });
  it('does not take data for a header', () => {
    assert.ok(!looksLikeHeader(['2', '123456789010', 'eni-1235b8ca123456789']));
    assert.ok(!looksLikeHeader(['eni-abc', 'vpc-123']));
    assert.ok(!looksLikeHeader(['ACCEPT', 'OK']));
  });
});
