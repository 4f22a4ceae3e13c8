import { AsnRanges } from '../../enrich/asn-table.js';
import { bundledPaths } from '../../enrich/sources.js';
import { parseIPv6 } from '../../parse/address.js';
import type { DemoAddressSpace } from './generator.js';

/**
 * Networks whose APIs a cloud workload calls most: Amazon (16509, 14618), Microsoft (8075), Google (15169,
 * 396982), Cloudflare (13335), Fastly (54113), GitHub (36459).
 */
const CLOUD_ASNS = new Set([16509, 14618, 8075, 15169, 396982, 13335, 54113, 36459]);

/**
 * The demo's address space, from the bundled ASN table (whatever databases locate the records): real flow logs
 * come from announced networks, and a uniformly drawn public address is unannounced about a third of the time,
 * which made "unknown AS" the demo's busiest network.
 */
export function bundledAddressSpace(): DemoAddressSpace {
  const [v4Path, v6Path] = bundledPaths().asn;
  const v4 = AsnRanges.fromCsv(v4Path, 4);
  const v6 = AsnRanges.fromCsv(v6Path, 6);
  const words = new Uint32Array(4);
  return {
    routedV4: (ip) => v4.asnAt(v4.findV4(ip)) !== 0,
    routedV6: (address) => {
      const text = Buffer.from(address, 'latin1');
      return parseIPv6(text, 0, text.length, words, 0) && v6.asnAt(v6.findV6(words, 0)) !== 0;
    },
    cloud: v4.rangesOf(CLOUD_ASNS),
  };
}
