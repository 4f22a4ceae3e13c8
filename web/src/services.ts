/** Names for the ports and protocols people recognise; anything else shows as its number. */
const PORTS: Record<number, string> = {
  20: 'ftp-data', 21: 'ftp', 22: 'ssh', 23: 'telnet', 25: 'smtp', 53: 'dns', 80: 'http', 110: 'pop3', 123: 'ntp',
  135: 'msrpc', 139: 'netbios', 143: 'imap', 161: 'snmp', 389: 'ldap', 443: 'https', 445: 'smb', 465: 'smtps',
  587: 'submission', 636: 'ldaps', 993: 'imaps', 995: 'pop3s', 1433: 'mssql', 1521: 'oracle', 2049: 'nfs',
  2375: 'docker', 3306: 'mysql', 3389: 'rdp', 5432: 'postgres', 5900: 'vnc', 6379: 'redis', 8080: 'http-alt',
  8443: 'https-alt', 9092: 'kafka', 9200: 'elasticsearch', 11211: 'memcached', 27017: 'mongodb',
};
const PROTOCOLS: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 47: 'GRE', 50: 'ESP', 51: 'AH', 58: 'ICMPv6', 132: 'SCTP' };

export const protocolName = (p: number | string): string => PROTOCOLS[Number(p)] ?? `proto ${p}`;

/** `6/22` → `TCP 22 (ssh)`. */
export function portLabel(key: string): string {
  if (key === '(other)') return 'Other';
  const [proto, port] = key.split('/');
  const name = PORTS[Number(port)];
  return `${protocolName(proto)} ${port}${name ? ` (${name})` : ''}`;
}
