/**
 * The IANA IPv4 and IPv6 Special-Purpose Address Registries (flow-logs.md §3.1, §3.2), as data. `global` is the
 * registry's "Globally Reachable" column; terminated rows (192.88.99.0/24, 2001:10::/28) are left out. The few
 * blocks that are not in the registries but are not public either (multicast, site-local, IPv4-compatible,
 * everything outside 2000::/3) are added at the end with the reason.
 * When blocks nest, the most specific one decides (192.0.0.9/32 is global inside the non-global 192.0.0.0/24).
 */

export interface SpecialBlock {
  readonly cidr: string;
  /** Short class name, used as the `range` of a non-public address. */
  readonly name: string;
  readonly global: boolean;
}

export const IPV4_REGISTRY: readonly SpecialBlock[] = [
  { cidr: '0.0.0.0/8', name: 'this-network', global: false },
  { cidr: '0.0.0.0/32', name: 'this-host', global: false },
  { cidr: '10.0.0.0/8', name: 'private', global: false },
  { cidr: '100.64.0.0/10', name: 'shared-cgnat', global: false },
  { cidr: '127.0.0.0/8', name: 'loopback', global: false },
  { cidr: '169.254.0.0/16', name: 'link-local', global: false },
  { cidr: '172.16.0.0/12', name: 'private', global: false },
  { cidr: '192.0.0.0/24', name: 'ietf-protocol', global: false },
  { cidr: '192.0.0.0/29', name: 'ipv4-service-continuity', global: false },
  { cidr: '192.0.0.8/32', name: 'ipv4-dummy', global: false },
  { cidr: '192.0.0.9/32', name: 'pcp-anycast', global: true },
  { cidr: '192.0.0.10/32', name: 'turn-anycast', global: true },
  { cidr: '192.0.0.170/32', name: 'nat64-discovery', global: false },
  { cidr: '192.0.0.171/32', name: 'nat64-discovery', global: false },
  { cidr: '192.0.2.0/24', name: 'documentation', global: false },
  { cidr: '192.31.196.0/24', name: 'as112', global: true },
  { cidr: '192.52.193.0/24', name: 'amt', global: true },
  { cidr: '192.88.99.2/32', name: '6a44-relay', global: false },
  { cidr: '192.168.0.0/16', name: 'private', global: false },
  { cidr: '192.175.48.0/24', name: 'as112', global: true },
  { cidr: '198.18.0.0/15', name: 'benchmarking', global: false },
  { cidr: '198.51.100.0/24', name: 'documentation', global: false },
  { cidr: '203.0.113.0/24', name: 'documentation', global: false },
  { cidr: '240.0.0.0/4', name: 'reserved', global: false },
  { cidr: '255.255.255.255/32', name: 'broadcast', global: false },
  // Not in the special-purpose registry: multicast is a group, not a host that traffic comes from.
  { cidr: '224.0.0.0/4', name: 'multicast', global: false },
];

export const IPV6_REGISTRY: readonly SpecialBlock[] = [
  { cidr: '::1/128', name: 'loopback', global: false },
  { cidr: '::/128', name: 'unspecified', global: false },
  { cidr: '::ffff:0:0/96', name: 'ipv4-mapped', global: false },
  { cidr: '64:ff9b::/96', name: 'nat64', global: true },
  { cidr: '64:ff9b:1::/48', name: 'nat64-local', global: false },
  { cidr: '100::/64', name: 'discard', global: false },
  { cidr: '100:0:0:1::/64', name: 'dummy', global: false },
  { cidr: '2001::/23', name: 'ietf-protocol', global: false },
  // Teredo and 6to4 are "N/A" in the registry: tunnels whose real endpoint is an IPv4 elsewhere. We do not
  // locate a tunnel relay as if it were the peer, so they are non-public (as Python's ipaddress does).
  { cidr: '2001::/32', name: 'teredo', global: false },
  { cidr: '2001:1::1/128', name: 'pcp-anycast', global: true },
  { cidr: '2001:1::2/128', name: 'turn-anycast', global: true },
  { cidr: '2001:1::3/128', name: 'dns-sd-srp-anycast', global: true },
  { cidr: '2001:2::/48', name: 'benchmarking', global: false },
  { cidr: '2001:3::/32', name: 'amt', global: true },
  { cidr: '2001:4:112::/48', name: 'as112', global: true },
  { cidr: '2001:20::/28', name: 'orchid-v2', global: true },
  { cidr: '2001:30::/28', name: 'drone-remote-id', global: true },
  { cidr: '2001:db8::/32', name: 'documentation', global: false },
  { cidr: '2002::/16', name: '6to4', global: false },
  { cidr: '2620:4f:8000::/48', name: 'as112', global: true },
  { cidr: '3fff::/20', name: 'documentation', global: false },
  { cidr: '5f00::/16', name: 'srv6-sid', global: false },
  { cidr: 'fc00::/7', name: 'unique-local', global: false },
  { cidr: 'fe80::/10', name: 'link-local', global: false },
  // Not in the registry, not public: multicast, deprecated site-local (RFC 3879), deprecated IPv4-compatible.
  { cidr: 'ff00::/8', name: 'multicast', global: false },
  { cidr: 'fec0::/10', name: 'site-local', global: false },
  { cidr: '::/96', name: 'ipv4-compatible', global: false },
  // Only 2000::/3 is allocated for global unicast; anything else is unallocated and never a real peer.
  { cidr: '::/0', name: 'unallocated', global: false },
  { cidr: '2000::/3', name: 'global-unicast', global: true },
];
