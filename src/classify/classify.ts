import { parseIPv4, parseIPv6 } from '../parse/address.js';
import { IPV4_REGISTRY, IPV6_REGISTRY, type SpecialBlock } from './registry.js';

/**
 * Public or not, by the IANA special-purpose registries, most specific block first. The answer is a small
 * integer class: PUBLIC (0) or the index of a non-public range name in RANGE_NAMES, so the hot path compares
 * numbers and the output can still say why an address is not public.
 */
export const PUBLIC = 0;
export const RANGE_NAMES: string[] = ['public'];

function rangeId(block: SpecialBlock): number {
  if (block.global) return PUBLIC;
  let id = RANGE_NAMES.indexOf(block.name);
  if (id < 0) id = RANGE_NAMES.push(block.name) - 1;
  return id;
}

interface V4Block { net: number; mask: number; prefix: number; id: number }

function compileV4(): V4Block[][] {
  const blocks = IPV4_REGISTRY.map((b) => {
    const [addr, len] = b.cidr.split('/');
    const prefix = Number(len);
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return { net: parseIPv4(Buffer.from(addr), 0, addr.length), mask, prefix, id: rangeId(b) };
  }).sort((a, b) => b.prefix - a.prefix);
  // Index by first octet so an ordinary address is judged after a check or two instead of a scan of the table.
  return Array.from({ length: 256 }, (_, octet) => {
    const lo = octet * 2 ** 24;
    const hi = lo + 2 ** 24 - 1;
    return blocks.filter((b) => b.net <= hi && ((b.net | ~b.mask) >>> 0) >= lo);
  });
}

const V4_BY_OCTET = compileV4();

/** Class of an IPv4 address given as an unsigned integer. */
export function classifyV4(ip: number): number {
  const candidates = V4_BY_OCTET[ip >>> 24];
  for (let i = 0; i < candidates.length; i++) {
    const b = candidates[i];
    if (((ip & b.mask) >>> 0) === b.net) return b.id;
  }
  return PUBLIC;
}

interface V6Block { net: Uint32Array; mask: Uint32Array; prefix: number; id: number }

function compileV6(): V6Block[] {
  return IPV6_REGISTRY.map((b) => {
    const [addr, len] = b.cidr.split('/');
    const prefix = Number(len);
    const net = new Uint32Array(4);
    if (!parseIPv6(Buffer.from(addr), 0, addr.length, net, 0)) throw new Error(`bad registry block ${b.cidr}`);
    const mask = new Uint32Array(4);
    for (let w = 0; w < 4; w++) {
      const bits = Math.max(0, Math.min(32, prefix - 32 * w));
      mask[w] = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    }
    return { net, mask, prefix, id: rangeId(b) };
  }).sort((a, b) => b.prefix - a.prefix);
}

const V6_BLOCKS = compileV6();

/** Class of an IPv6 address held in words[o..o+3]. Embedded IPv4 is not unwrapped here: see embeddedV4. */
export function classifyV6(words: Uint32Array, o: number): number {
  for (let i = 0; i < V6_BLOCKS.length; i++) {
    const { net, mask } = V6_BLOCKS[i];
    if (((words[o] & mask[0]) >>> 0) === net[0] && ((words[o + 1] & mask[1]) >>> 0) === net[1]
      && ((words[o + 2] & mask[2]) >>> 0) === net[2] && ((words[o + 3] & mask[3]) >>> 0) === net[3]) {
      return V6_BLOCKS[i].id;
    }
  }
  return PUBLIC;
}

/**
 * The IPv4 inside an IPv4-mapped (::ffff:0:0/96) or NAT64 (64:ff9b::/96) address, else -1. Such an address
 * is the IPv4 host on the wire, so it is judged and located as that IPv4.
 */
export function embeddedV4(words: Uint32Array, o: number): number {
  if (words[o] === 0 && words[o + 1] === 0 && words[o + 2] === 0xffff) return words[o + 3];
  if (words[o] === 0x0064ff9b && words[o + 1] === 0 && words[o + 2] === 0) return words[o + 3];
  return -1;
}

/** Convenience for tests and callers off the hot path: class of an address given as text, or null. */
export function classifyText(text: string): { public: boolean; range: string } | null {
  const bytes = Buffer.from(text);
  const v4 = parseIPv4(bytes, 0, bytes.length);
  let id: number;
  if (v4 >= 0) id = classifyV4(v4);
  else {
    const w = new Uint32Array(4);
    if (!parseIPv6(bytes, 0, bytes.length, w, 0)) return null;
    const inner = embeddedV4(w, 0);
    id = inner >= 0 ? classifyV4(inner) : classifyV6(w, 0);
  }
  return { public: id === PUBLIC, range: RANGE_NAMES[id] };
}
