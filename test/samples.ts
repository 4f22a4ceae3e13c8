/**
 * Sample flow-log lines shaped as AWS documents them (VPC and Transit Gateway flow-log record examples), with
 * public addresses where a test needs enrichment. Shared by the parser, decoder and CLI tests.
 */
export const V2 = {
  accept: '2 123456789010 eni-1235b8ca123456789 8.8.8.8 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
  reject: '2 123456789010 eni-1235b8ca123456789 172.31.9.69 1.1.1.1 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK',
  nodata: '2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA',
  skipdata: '2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA',
  ipv6: '2 123456789010 eni-1235b8ca123456789 2001:4860:4860::8888 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK',
  internal: '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
};

/** AWS's TCP-flag sequence example format (version 3 fields, custom order). */
export const V3_FORMAT = '${version} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${account-id} ${type} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${pkt-srcaddr} ${pkt-dstaddr} ${protocol} ${bytes} ${packets} ${start} ${end} ${action} ${tcp-flags} ${log-status}';
export const V3_LINES = [
  '3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-38c2ac8213ae65cbb 123456789012 IPv4 52.213.180.42 10.0.0.62 43416 5001 52.213.180.42 10.0.0.62 6 568 8 1566848875 1566848933 ACCEPT 2 OK',
  '3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-38c2ac8213ae65cbb 123456789012 IPv4 10.0.0.62 52.213.180.42 5001 43416 10.0.0.62 52.213.180.42 6 376 7 1566848875 1566848933 ACCEPT 18 OK',
];

/** Version 5, all fields in documentation order (29 fields). */
export const V5_FIELDS = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path';
export const V5_EGRESS = '5 123456789012 eni-0e1c3a4b5d6f7a8b9 10.0.1.25 52.94.76.10 47422 443 6 12 2345 1700000000 1700000060 ACCEPT OK vpc-0a1b2c3d4e5f67890 subnet-0a1b2c3d4e5f67890 i-0a1b2c3d4e5f67890 19 IPv4 10.0.1.25 52.94.76.10 us-east-1 use1-az4 - - - DYNAMODB egress 8';

/** The same 29 fields in the alphabetical order some real S3 headers use (flow-logs.md §1.3). */
export const V5_ALPHABETICAL = V5_FIELDS.split(' ').sort().join(' ');

/** NAT gateway: the interface sees its own private address; pkt-* carry the real endpoints. */
export const NAT_FORMAT = '${instance-id} ${interface-id} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr}';
export const NAT_LINE = '- eni-1235b8ca123456789 10.0.1.5 10.0.0.220 81.2.69.142 10.0.0.220';

/** Version 7 (ECS) and 8 (reject-reason) fields on top of the default ones. */
export const V8_FORMAT = '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${ecs-cluster-name} ${ecs-task-id} ${ecs-service-name} ${reject-reason}';
export const V8_LINE = '8 123456789012 eni-0a1b2c3d4e5f67890 185.220.101.4 10.0.2.15 51515 22 6 1 60 1700000000 1700000060 REJECT OK prod-cluster 0123456789abcdef0123456789abcdef - BPA';

/** Transit Gateway flow log, the TGW default format (no action, no interface-id). */
export const TGW_LINE = '6 TransitGatewayAttachment 123456789012 tgw-0a1b2c3d4e5f67890 tgw-attach-0a1b2c3d4e5f67890 123456789012 210987654321 vpc-0a1b2c3d4e5f67890 vpc-0f1e2d3c4b5a69788 subnet-0a1b2c3d4e5f67890 subnet-0f1e2d3c4b5a69788 eni-0a1b2c3d4e5f67890 eni-0f1e2d3c4b5a69788 use1-az1 use1-az2 tgw-attach-0f1e2d3c4b5a69788 89.160.20.115 10.1.0.7 443 50000 6 10 5000 1700000000 1700000060 OK IPv4 0 0 0 0 19 us-east-1 ingress - -';
