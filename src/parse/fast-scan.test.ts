import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FAST_NO, FAST_PLAIN, FAST_SPECIAL, KIND_ADDR, KIND_INT, KIND_TEXT, fastScan } from './fast-scan.js';

const KINDS = Uint8Array.from([KIND_INT, KIND_TEXT, KIND_ADDR, KIND_ADDR, KIND_INT, KIND_INT, KIND_TEXT]);

/** What the one-pass scan must accept, written the obvious way with regular expressions and Number(). */
function expected(text: string): { tokens: string[]; special: boolean } | null {
  const tokens = text.replace(/^[ \t]+|[ \t]+$/g, '').split(/[ \t]+/);
  if (tokens.length !== KINDS.length) return null;
  for (let k = 0; k < KINDS.length; k++) {
    const t = tokens[k];
    if (KINDS[k] === KIND_INT && !/^\d{1,15}$/.test(t)) return null;
    if (KINDS[k] === KIND_ADDR && !/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(t)) return null;
  }
  return { tokens, special: /[^\x20-\x7e\t]|["\\]/.test(text) };
}

const digits = fc.stringMatching(/^[0-9]{0,17}$/);
const octet = fc.oneof(fc.integer({ min: 0, max: 255 }).map(String), fc.constantFrom('256', '00', '01', '010', '', '1234'));
const dotted = fc.array(octet, { minLength: 3, maxLength: 5 }).map((o) => o.join('.'));
const quad = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const text = fc.stringMatching(/^[a-z0-9"\\é\x01-]{1,12}$/);
const any = fc.oneof(digits, dotted, text, fc.constantFrom('-', '2001:db8::1', '4294967296'));
/** Mostly what each column should hold, sometimes anything: most lines are valid, many are nearly so. */
const column = (kind: number) => fc.oneof({ weight: 12, arbitrary: kind === KIND_INT ? fc.stringMatching(/^[0-9]{1,15}$/)
  : kind === KIND_ADDR ? quad : text }, { weight: 1, arbitrary: any });
const blank = fc.constantFrom(' ', '  ', '\t', ' \t');
const line = fc.tuple(fc.tuple(...[...KINDS].map(column)), fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(-1, 1) }),
  fc.array(blank, { minLength: 8, maxLength: 8 }), fc.constantFrom('', ' ', '\t'))
  .map(([tokens, more, blanks, edge]) => {
    const t = more < 0 ? tokens.slice(1) : more > 0 ? [...tokens, '7'] : tokens;
    return edge + t.map((x, i) => (i === 0 ? x : blanks[i] + x)).join('') + edge;
  });

describe('fastScan', () => {
  it('accepts exactly the plain lines, and reads them as regular expressions and Number() do', () => {
    let accepted = 0;
    fc.assert(fc.property(line, (text) => {
      const buf = Buffer.from(text);
      const n = KINDS.length;
      const t = { starts: new Int32Array(n), ends: new Int32Array(n), nums: new Float64Array(n), v4: new Float64Array(n), addrKind: new Uint8Array(n) };
      const got = fastScan(buf, 0, buf.length, KINDS, t);
      const want = expected(text);
      if (want === null) return assert.equal(got, FAST_NO, text);
      accepted++;
      assert.equal(got, want.special ? FAST_SPECIAL : FAST_PLAIN, text);
      for (let k = 0; k < n; k++) {
        const tok = want.tokens[k];
        assert.equal(buf.toString('utf8', t.starts[k], t.ends[k]), tok);
        if (KINDS[k] === KIND_INT) assert.equal(t.nums[k], Number(tok));
        if (KINDS[k] === KIND_ADDR) assert.equal(t.v4[k], tok.split('.').reduce((a, o) => a * 256 + Number(o), 0));
      }
    }), { numRuns: 5000 });
    assert.ok(accepted > 1000 && accepted < 4500, `${accepted} of 5000 lines were plain: the generator lost its mix`);
  });
});
