import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NAT_FORMAT, NAT_LINE, TGW_LINE, V2, V3_FORMAT, V3_LINES, V5_EGRESS, V5_FIELDS, V8_FORMAT, V8_LINE } from '../../test/samples.js';
import { TGW_DEFAULT_FIELDS } from './fields.js';
import { DEFAULT_FORMAT, formatOf, parseFormat, type FlowFormat } from './format.js';
import { Action, FlowLine, LogStatus } from './line.js';

function parse(text: string, format: FlowFormat = DEFAULT_FORMAT) {
  const line = new FlowLine(format);
  const code = line.parse(Buffer.from(text), 0, Buffer.byteLength(text));
  return { line, code, record: code === null ? line.toRecord() : null };
}

describe('version 2, the default format', () => {
  it('reads every field with its type', () => {
    const { record, line } = parse(V2.accept);
    assert.deepEqual(record, {
      version: 2, account_id: '123456789010', interface_id: 'eni-1235b8ca123456789', srcaddr: '8.8.8.8',
      dstaddr: '172.31.16.21', srcport: 20641, dstport: 22, protocol: 6, packets: 20, bytes: 4249,
      start: 1418530010, end: 1418530070, action: 'ACCEPT', log_status: 'OK',
    });
    assert.equal(line.action, Action.accept);
    assert.equal(line.logStatus, LogStatus.ok);
  });
  it('keeps account-id as text (leading zeros matter)', () => {
    assert.equal(parse(V2.accept.replace('123456789010', '012345678901')).record?.account_id, '012345678901');
  });
  it('reads NODATA and SKIPDATA as status records with absent flow fields', () => {
    for (const [text, status] of [[V2.nodata, LogStatus.nodata], [V2.skipdata, LogStatus.skipdata]] as const) {
      const { record, line } = parse(text);
      assert.equal(line.logStatus, status);
      assert.ok(line.isStatusRecord());
      assert.equal(record?.srcaddr, null);
      assert.equal(record?.packets, null);
      assert.equal(record?.action, null);
      assert.equal(record?.start, 1431280876);
    }
  });
  it('reads IPv6 addresses', () => {
    assert.equal(parse(V2.ipv6).record?.srcaddr, '2001:4860:4860::8888');
  });
  it('splits on runs of spaces and tabs (AWS docs have a double-space example) and trims nothing else', () => {
    assert.deepEqual(parse(V2.accept.replace(' 8.8.8.8 ', '  8.8.8.8\t')).record, parse(V2.accept).record);
  });
  it('normalises millisecond start/end to seconds', () => {
    const { record } = parse(V2.accept.replace('1418530010 1418530070', '1418530010123 1418530070456'));
    assert.equal(record?.start, 1418530010);
    assert.equal(record?.end, 1418530070);
  });
});

describe('rejections name the reason', () => {
  const cases: Array<[string, string, RegExp]> = [
    [V2.accept.split(' ').slice(0, 13).join(' '), 'field_count', /expected 14 fields, found 13/],
    [`${V2.accept} extra`, 'field_count', /expected 14 fields, found 15/],
    [V2.accept.replace('20641', '20x41'), 'bad_number', /srcport is "20x41"/],
    [V2.accept.replace(' 20 4249', ' -5 4249'), 'bad_number', /packets is "-5"/],
    [V2.accept.replace('4249', '99999999999999999999'), 'bad_number', /bytes/],
    [V2.accept.replace('8.8.8.8', '8.8.8.256'), 'bad_address', /srcaddr is "8.8.8.256"/],
    [V2.accept.replace('172.31.16.21', 'localhost'), 'bad_address', /dstaddr is "localhost"/],
    [V2.accept.replace('eni-1235b8ca123456789', 'eni-\x00bad'), 'not_text', /control byte 0x00/],
  ];
  for (const [text, code, detail] of cases) {
    it(`${code}: ${detail}`, () => {
      const { code: got, line } = parse(text);
      assert.equal(got, code);
      assert.match(line.error, detail);
    });
  }
  it('rejects bytes that are not UTF-8', () => {
    const bytes = Buffer.concat([Buffer.from(V2.accept.slice(0, 20)), Buffer.from([0xff, 0xfe]), Buffer.from(V2.accept.slice(22))]);
    const line = new FlowLine(DEFAULT_FORMAT);
    assert.equal(line.parse(bytes, 0, bytes.length), 'not_text');
  });
  it('accepts UTF-8 text in text fields and returns it intact', () => {
    const format = parseFormat('${interface-id} ${instance-tag} ${srcaddr}');
    assert.deepEqual(parse('eni-1 café-"prod" 8.8.8.8', format).record,
      { interface_id: 'eni-1', instance_tag: 'café-"prod"', srcaddr: '8.8.8.8' });
  });
});

describe('custom formats of every version', () => {
  it('v3 with tcp-flags and pkt-* fields, in AWS example order', () => {
    const format = parseFormat(V3_FORMAT);
    const [a, b] = V3_LINES.map((l) => parse(l, format).record);
    assert.equal(a?.tcp_flags, 2);
    assert.equal(b?.tcp_flags, 18);
    assert.equal(a?.pkt_srcaddr, '52.213.180.42');
    assert.equal(a?.type, 'IPv4');
    assert.equal(a?.bytes, 568);
    assert.equal(a?.packets, 8);
  });
  it('v5 with flow-direction and traffic-path', () => {
    const { record, line } = parse(V5_EGRESS, formatOf(V5_FIELDS.split(' ')));
    assert.equal(record?.flow_direction, 'egress');
    assert.equal(record?.traffic_path, 8);
    assert.equal(record?.pkt_dst_aws_service, 'DYNAMODB');
    assert.equal(record?.sublocation_type, null);
    assert.equal(line.flowDirection, 2);
  });
  it('v7/v8 ECS and reject-reason fields', () => {
    const { record } = parse(V8_LINE, parseFormat(V8_FORMAT));
    assert.equal(record?.reject_reason, 'BPA');
    assert.equal(record?.ecs_cluster_name, 'prod-cluster');
    assert.equal(record?.ecs_service_name, null);
  });
  it('Transit Gateway default format (no action, no interface-id)', () => {
    const { record, line } = parse(TGW_LINE, formatOf(TGW_DEFAULT_FIELDS));
    assert.equal(record?.resource_type, 'TransitGatewayAttachment');
    assert.equal(record?.packets_lost_no_route, 0);
    assert.equal(record?.srcaddr, '89.160.20.115');
    assert.equal(line.action, Action.none);
  });
  it('NAT gateway format with pkt-* addresses', () => {
    const { record } = parse(NAT_LINE, parseFormat(NAT_FORMAT));
    assert.equal(record?.instance_id, null);
    assert.equal(record?.pkt_srcaddr, '81.2.69.142');
  });
  it('keeps fields it does not know, as text', () => {
    const format = parseFormat('${version} ${srcaddr} ${some-future-field}');
    assert.deepEqual(parse('11 8.8.8.8 42', format).record, { version: 11, srcaddr: '8.8.8.8', some_future_field: '42' });
  });
  it('does not infer the layout from the version value (Beats v7 sample starts with 5)', () => {
    assert.equal(parse(`5${V2.accept.slice(1)}`).record?.version, 5);
  });
});
