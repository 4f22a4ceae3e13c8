import { ADDR_NONE, ADDR_V4, FlowDirection, type FlowLine } from '../parse/line.js';
import { classifyV4, classifyV6, embeddedV4, PUBLIC } from './classify.js';

/** Direction of a flow from the network's point of view. */
export const Direction = { unknown: 0, inbound: 1, outbound: 2, internal: 3, external: 4 } as const;
export const DIRECTION_NAMES = [null, 'inbound', 'outbound', 'internal', 'external'] as const;

/** Marker class for an absent address (NODATA/SKIPDATA lines have none). */
export const ABSENT = -1;

/**
 * The two real endpoints of a record and what they are. The real endpoints are pkt-srcaddr/pkt-dstaddr when the
 * format has them and they are filled (they differ from srcaddr/dstaddr behind NAT gateways, Transit Gateways and
 * EKS nodes: flow-logs.md §1.8), else srcaddr/dstaddr. One instance is reused for every line.
 */
export class Endpoints {
  /** Column holding the source/destination address, or -1. */
  srcCol = -1;
  dstCol = -1;
  /** Address class (PUBLIC = 0, a non-public range id, or ABSENT). */
  srcClass = ABSENT;
  dstClass = ABSENT;
  /** IPv4 value to locate (also for IPv4 embedded in IPv6), or -1 for a native IPv6 address. */
  srcV4 = -1;
  dstV4 = -1;
  direction: number = Direction.unknown;

  read(line: FlowLine): void {
    const { col } = line.format;
    this.srcCol = pick(line, col.pktSrcaddr, col.srcaddr);
    this.dstCol = pick(line, col.pktDstaddr, col.dstaddr);
    this.srcClass = this.judge(line, this.srcCol, true);
    this.dstClass = this.judge(line, this.dstCol, false);
    this.direction = directionOf(line.flowDirection, this.srcClass, this.dstClass);
  }

  private judge(line: FlowLine, k: number, src: boolean): number {
    let v4 = -1;
    let cls = ABSENT;
    if (k >= 0) {
      if (line.addrKind[k] === ADDR_V4) v4 = line.v4[k];
      else v4 = embeddedV4(line.v6, k * 4);
      cls = v4 >= 0 ? classifyV4(v4) : classifyV6(line.v6, k * 4);
    }
    if (src) this.srcV4 = v4;
    else this.dstV4 = v4;
    return cls;
  }

  get srcPublic(): boolean { return this.srcClass === PUBLIC; }
  get dstPublic(): boolean { return this.dstClass === PUBLIC; }
}

function pick(line: FlowLine, preferred: number, fallback: number): number {
  if (preferred >= 0 && line.addrKind[preferred] !== ADDR_NONE) return preferred;
  if (fallback >= 0 && line.addrKind[fallback] !== ADDR_NONE) return fallback;
  return -1;
}

/**
 * Traffic between two non-public addresses never crosses the network's edge: internal, whatever the capturing
 * interface saw. Otherwise `flow-direction` (v5) decides when present; without it, the public side does.
 */
export function directionOf(flowDirection: number, src: number, dst: number): number {
  if (src === ABSENT && dst === ABSENT) return Direction.unknown;
  const srcPublic = src === PUBLIC;
  const dstPublic = dst === PUBLIC;
  if (!srcPublic && !dstPublic) return Direction.internal;
  if (flowDirection === FlowDirection.ingress) return Direction.inbound;
  if (flowDirection === FlowDirection.egress) return Direction.outbound;
  if (srcPublic && dstPublic) return Direction.external;
  return srcPublic ? Direction.inbound : Direction.outbound;
}
