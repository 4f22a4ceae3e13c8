/**
 * The catalogue of flow-log fields we know by name: VPC Flow Logs versions 2 to 11 and Transit Gateway flow logs.
 * Facts from ../shared/docs/flow-logs.md §1.2 and §1.10. A field we do not know is still accepted (kept as text):
 * AWS keeps adding fields, and a new one must never stop ingestion.
 */

/** How a field's text is read. `-` means absent for every kind. */
export type FieldKind = 'int' | 'addr' | 'text';

export interface FieldInfo {
  readonly name: string;
  readonly kind: FieldKind;
  /** Format version that introduced the field (6 = Transit Gateway only); 0 when not confirmed. */
  readonly version: number;
}

const INT_FIELDS = new Set([
  'version', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'tcp-flags', 'traffic-path',
  'encryption-status', 'packets-lost-no-route', 'packets-lost-blackhole', 'packets-lost-mtu-exceeded',
  'packets-lost-ttl-expired',
]);
const ADDR_FIELDS = new Set(['srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr']);

const BY_VERSION: Record<number, string[]> = {
  2: ['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets',
    'bytes', 'start', 'end', 'action', 'log-status'],
  3: ['vpc-id', 'subnet-id', 'instance-id', 'tcp-flags', 'type', 'pkt-srcaddr', 'pkt-dstaddr'],
  4: ['region', 'az-id', 'sublocation-type', 'sublocation-id'],
  5: ['pkt-src-aws-service', 'pkt-dst-aws-service', 'flow-direction', 'traffic-path'],
  6: ['resource-type', 'tgw-id', 'tgw-attachment-id', 'tgw-src-vpc-account-id', 'tgw-dst-vpc-account-id',
    'tgw-src-vpc-id', 'tgw-dst-vpc-id', 'tgw-src-subnet-id', 'tgw-dst-subnet-id', 'tgw-src-eni', 'tgw-dst-eni',
    'tgw-src-az-id', 'tgw-dst-az-id', 'tgw-pair-attachment-id', 'packets-lost-no-route', 'packets-lost-blackhole',
    'packets-lost-mtu-exceeded', 'packets-lost-ttl-expired'],
  7: ['ecs-cluster-arn', 'ecs-cluster-name', 'ecs-container-instance-arn', 'ecs-container-instance-id',
    'ecs-container-id', 'ecs-second-container-id', 'ecs-service-name', 'ecs-task-definition-arn', 'ecs-task-arn',
    'ecs-task-id'],
  8: ['reject-reason'],
  // Versions of the fields below are not confirmed by AWS text we could read (flow-logs.md §1.2, "Later fields").
  0: ['resource-id', 'encryption-status', 'interface-type', 'next-hop-interface-id', 'next-hop-subnet-id',
    'next-hop-az-id', 'next-hop-vpc-id', 'next-hop-interface-type', 'instance-tag', 'interface-tag',
    'instance-tag-2', 'interface-tag-2', 'asg-tag', 'asg-tag-2'],
};

function kindOf(name: string): FieldKind {
  if (INT_FIELDS.has(name)) return 'int';
  if (ADDR_FIELDS.has(name)) return 'addr';
  return 'text';
}

export const KNOWN_FIELDS: ReadonlyMap<string, FieldInfo> = new Map(
  Object.entries(BY_VERSION).flatMap(([v, names]) =>
    names.map((name) => [name, { name, kind: kindOf(name), version: Number(v) }] as const)),
);

/** Information about any field name, known or not (unknown fields are text). */
export function fieldInfo(name: string): FieldInfo {
  return KNOWN_FIELDS.get(name) ?? { name, kind: 'text', version: 0 };
}

/** The default (version 2) format: the only one AWS writes without a custom format string. */
export const DEFAULT_FIELDS: readonly string[] = BY_VERSION[2];

/** The Transit Gateway default format, in the order of the TGW documentation table. */
export const TGW_DEFAULT_FIELDS: readonly string[] = [
  'version', 'resource-type', 'account-id', 'tgw-id', 'tgw-attachment-id', 'tgw-src-vpc-account-id',
  'tgw-dst-vpc-account-id', 'tgw-src-vpc-id', 'tgw-dst-vpc-id', 'tgw-src-subnet-id', 'tgw-dst-subnet-id',
  'tgw-src-eni', 'tgw-dst-eni', 'tgw-src-az-id', 'tgw-dst-az-id', 'tgw-pair-attachment-id', 'srcaddr', 'dstaddr',
  'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'log-status', 'type',
  'packets-lost-no-route', 'packets-lost-blackhole', 'packets-lost-mtu-exceeded', 'packets-lost-ttl-expired',
  'tcp-flags', 'region', 'flow-direction', 'pkt-src-aws-service', 'pkt-dst-aws-service',
];

/** Every VPC field of versions 2–8 in documentation order (what "all fields" means for our tests and generator). */
export const ALL_VPC_FIELDS: readonly string[] = [2, 3, 4, 5, 7, 8].flatMap((v) => BY_VERSION[v]);

/** Output key of a field: AWS name with `-` turned into `_` (`log-status` → `log_status`). */
export function outputKey(name: string): string {
  return name.replaceAll('-', '_');
}
