import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NAT_FORMAT, NAT_LINE, V2, V5_EGRESS, V5_FIELDS } from '../../test/samples.js';
import { DEFAULT_FORMAT, formatOf, parseFormat, type FlowFormat } from '../parse/format.js';
import { FlowLine } from '../parse/line.js';
import { DIRECTION_NAMES, Endpoints } from './endpoints.js';

function direction(text: string, format: FlowFormat = DEFAULT_FORMAT) {
  const line = new FlowLine(format);
  assert.equal(line.parse(Buffer.from(text), 0, text.length), null);
  const ep = new Endpoints();
  ep.read(line);
  return { name: DIRECTION_NAMES[ep.direction], ep, line };
}

describe('direction from the network point of view', () => {
  it('public source to private destination is inbound', () => assert.equal(direction(V2.accept).name, 'inbound'));
  it('private source to public destination is outbound', () => assert.equal(direction(V2.reject).name, 'outbound'));
  it('two private addresses are internal', () => assert.equal(direction(V2.internal).name, 'internal'));
  it('two public addresses are external', () => {
    assert.equal(direction(V2.accept.replace('172.31.16.21', '1.1.1.1')).name, 'external');
  });
  it('status records have no direction', () => assert.equal(direction(V2.nodata).name, null));
  it('flow-direction decides when present', () => {
    const fields = V5_FIELDS.split(' ');
    const values = V5_EGRESS.split(' ');
    values[fields.indexOf('flow-direction')] = 'ingress';
    assert.equal(direction(V5_EGRESS, formatOf(fields)).name, 'outbound');
    assert.equal(direction(values.join(' '), formatOf(fields)).name, 'inbound');
  });
  it('pkt-* addresses are the real endpoints (NAT gateway)', () => {
    const { ep, line, name } = direction(NAT_LINE, parseFormat(NAT_FORMAT));
    assert.equal(ep.srcCol, line.format.col.pktSrcaddr);
    assert.ok(ep.srcPublic);
    assert.equal(name, 'inbound');
  });
  it('falls back to srcaddr when pkt-srcaddr is "-"', () => {
    const { ep, line } = direction(NAT_LINE.replace('81.2.69.142', '-'), parseFormat(NAT_FORMAT));
    assert.equal(ep.srcCol, line.format.col.srcaddr);
  });
});
