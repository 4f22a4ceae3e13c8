import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync,
  writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Follower } from './follow.js';

const openDescriptors = () => readdirSync('/proc/self/fd').length;

describe('Follower', () => {
  it('holds no descriptor for files that stopped growing, and reads them again when they grow or move', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipgeo-follow-'));
    for (let i = 0; i < 200; i++) writeFileSync(join(dir, `f${String(i).padStart(3, '0')}.log`), `a${i}\n`);
    writeFileSync(join(dir, 'old.log.gz'), gzipSync('z\n'));
    const got = new Map<string, string>();
    const follower = new Follower([dir], {
      data: (path, chunk) => got.set(path, (got.get(path) ?? '') + chunk.toString()),
      end: () => {},
      renamed: (from, to) => { got.set(to, got.get(from) ?? ''); got.delete(from); },
      whole: async (path) => { got.set(path, 'whole'); },
      error: (path, err) => assert.fail(`${path}: ${err.message}`),
    }, { idleCloseMs: 0, settleMs: 0 });
    const before = openDescriptors();
    await follower.poll();
    assert.equal(got.size, 200, 'a gzip file is read once it has been seen unchanged');
    await follower.poll();
    assert.equal(got.size, 201);
    assert.equal(got.get(join(dir, 'old.log.gz')), 'whole');
    assert.ok(openDescriptors() <= before + 2, `${openDescriptors() - before} descriptors left open`);

    appendFileSync(join(dir, 'f007.log'), 'b7\n');
    renameSync(join(dir, 'f008.log'), join(dir, 'g008.log'));
    appendFileSync(join(dir, 'g008.log'), 'b8\n');
    await follower.poll();
    assert.equal(got.get(join(dir, 'f007.log')), 'a7\nb7\n');
    assert.equal(got.get(join(dir, 'g008.log')), 'a8\nb8\n', 'a moved file is the same file, read on where it was');
    assert.ok(openDescriptors() <= before + 2);
    follower.stop();
  });

  it('reads a gzip file being written (a download, a copy) once, whole, after it stopped changing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipgeo-follow-'));
    const gz = gzipSync(Array.from({ length: 2000 }, (_, i) => `line ${i} ${Math.random()}`).join('\n'));
    const path = join(dir, 'delivery.log.gz');
    const wholes: string[] = [];
    const texts: string[] = [];
    const follower = new Follower([dir], {
      data: (p) => texts.push(p), end: () => {}, renamed: () => {},
      whole: async (p) => { wholes.push(readFileSync(p).equals(gz) ? 'complete' : 'partial'); },
      error: (p, err) => assert.fail(`${p}: ${err.message}`),
    }, { settleMs: 0 });
    writeFileSync(path, ''); // created empty, as a download starts: not taken for a text file
    await follower.poll();
    appendFileSync(path, gz.subarray(0, 1000));
    await follower.poll(); // first seen as gzip
    appendFileSync(path, gz.subarray(1000, 3000));
    await follower.poll(); // changed since
    appendFileSync(path, gz.subarray(3000));
    await follower.poll();
    assert.deepEqual(wholes, []);
    await follower.poll(); // unchanged since the last poll
    await follower.poll();
    assert.deepEqual(wholes, ['complete']);
    assert.deepEqual(texts, []);
    follower.stop();
  });

  it('leaves a file a download tool is still writing until it is renamed to its own name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipgeo-follow-'));
    const gz = gzipSync('x\n');
    const name = (i: number) => `123456789012_vpcflowlogs_eu-west-1_fl-1_20261128T0105Z_ab12cd3${i}.log.gz`;
    // The AWS CLI, rclone, gsutil, a browser (two kinds).
    const temps = [`${name(0)}.9fA0b1C2`, `${name(1)}.a1b2c3d4.partial`, `${name(2)}_.gstmp`, `${name(3)}.part`,
      `${name(4)}.crdownload`];
    for (const t of temps) writeFileSync(join(dir, t), gz);
    const wholes: string[] = [];
    const follower = new Follower([dir], {
      data: () => assert.fail('read as text'), end: () => {}, renamed: () => {},
      whole: async (p) => { wholes.push(p.slice(dir.length + 1)); }, error: (p, err) => assert.fail(`${p}: ${err.message}`),
    }, { settleMs: 0 });
    await follower.poll();
    await follower.poll();
    assert.deepEqual(wholes, []);
    temps.forEach((t, i) => renameSync(join(dir, t), join(dir, name(i))));
    await follower.poll();
    await follower.poll();
    assert.deepEqual(wholes.sort(), temps.map((_, i) => name(i)));
    follower.stop();
  });

  it('waits settleMs for an unchanged gzip file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipgeo-follow-'));
    writeFileSync(join(dir, 'a.log.gz'), gzipSync('x\n'));
    let wholes = 0;
    const follower = new Follower([dir], {
      data: () => {}, end: () => {}, renamed: () => {}, whole: async () => { wholes++; },
      error: (p, err) => assert.fail(`${p}: ${err.message}`),
    }, { settleMs: 60_000 });
    await follower.poll();
    await follower.poll();
    assert.equal(wholes, 0);
    follower.stop();
  });

  it('holds at most maxOpen descriptors however many fresh files a directory has (reads them all)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipgeo-follow-'));
    for (let i = 0; i < 100; i++) writeFileSync(join(dir, `f${i}.log`), `a${i}\n`);
    let lines = 0;
    const follower = new Follower([dir], {
      data: (_, chunk) => { lines += chunk.toString().split('\n').length - 1; },
      end: () => {}, renamed: () => {}, whole: async () => {}, error: (path, err) => assert.fail(`${path}: ${err.message}`),
    }, { maxOpen: 10 });
    const before = openDescriptors();
    await follower.poll();
    assert.equal(lines, 100);
    assert.ok(openDescriptors() <= before + 11, `${openDescriptors() - before} descriptors open`);
    appendFileSync(join(dir, 'f99.log'), 'b\n');
    await follower.poll();
    assert.equal(lines, 101);
    follower.stop();
  });

  it('follows an S3 export synced to disk: new days at any depth, a restart reading only what is new', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ipgeo-follow-'));
    const statePath = join(root, '.state.json');
    const day = (d: string) => join(root, 'AWSLogs', '123456789012', 'vpcflowlogs', 'eu-west-1', '2026', '11', d);
    const deliver = (d: string, name: string) => {
      mkdirSync(day(d), { recursive: true });
      writeFileSync(join(day(d), name), gzipSync(`${name}\n`));
    };
    const run = () => {
      const wholes: string[] = [];
      const follower = new Follower([root], {
        data: () => assert.fail('read as text'), end: () => {}, renamed: () => {},
        whole: async (p) => { wholes.push(readFileSync(p).length > 0 ? p.slice(p.lastIndexOf('/') + 1) : ''); },
        error: (p, err) => assert.fail(`${p}: ${err.message}`),
      }, { settleMs: 0, statePath });
      return { follower, wholes };
    };
    deliver('27', 'a.log.gz');
    deliver('27', 'b.log.gz');
    const first = run();
    await first.follower.poll();
    await first.follower.poll();
    assert.deepEqual(first.wholes, ['a.log.gz', 'b.log.gz']);
    deliver('28', 'c.log.gz'); // a directory made after the start
    await first.follower.poll();
    await first.follower.poll();
    assert.deepEqual(first.wholes, ['a.log.gz', 'b.log.gz', 'c.log.gz']);
    first.follower.stop();

    deliver('28', 'd.log.gz'); // delivered while stopped
    unlinkSync(join(day('27'), 'a.log.gz')); // pruned while stopped
    const second = run();
    await second.follower.poll(); // files read whole before need no settling: a single poll knows them done
    assert.deepEqual(second.wholes, []);
    await second.follower.poll();
    assert.deepEqual(second.wholes, ['d.log.gz'], 'only the delivery made while stopped is read');
    second.follower.save();
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(statePath, 'utf8'))).map((p) => p.slice(p.lastIndexOf('/') + 1)),
      ['b.log.gz', 'c.log.gz', 'd.log.gz'], 'a removed file leaves the state file');
    rmSync(day('27'), { recursive: true });
    await second.follower.poll();
    rmSync(statePath);
    second.follower.save();
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(statePath, 'utf8'))).length, 2);
    rmSync(statePath);
    second.follower.save(); // nothing changed since: not written again (a large export's state is megabytes)
    assert.equal(existsSync(statePath), false);
    second.follower.stop();
  });

  it('does not read a gzip file again when it is moved within the tree (archived, renamed after a download)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ipgeo-follow-'));
    const statePath = join(root, '.state.json');
    writeFileSync(join(root, 'a.log.gz'), gzipSync('a\n'));
    const wholes: string[] = [];
    const follower = new Follower([root], {
      data: () => assert.fail('read as text'), end: () => {}, renamed: () => {},
      whole: async (p) => { wholes.push(p.slice(root.length + 1)); }, error: (p, err) => assert.fail(`${p}: ${err.message}`),
    }, { settleMs: 0, statePath });
    await follower.poll();
    await follower.poll();
    assert.deepEqual(wholes, ['a.log.gz']);
    mkdirSync(join(root, 'archive'));
    renameSync(join(root, 'a.log.gz'), join(root, 'archive', 'a.log.gz'));
    writeFileSync(join(root, 'b.log.gz'), gzipSync('b\n'));
    for (let i = 0; i < 3; i++) await follower.poll();
    assert.deepEqual(wholes, ['a.log.gz', 'b.log.gz']);
    follower.save();
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(statePath, 'utf8'))).map((p) => p.slice(root.length + 1)).sort(),
      ['archive/a.log.gz', 'b.log.gz']);
    follower.stop();
  });

  it('with fromEnd, a first start skips what the files hold (a line being written is read whole); a restart loses nothing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ipgeo-follow-'));
    const statePath = join(root, '.state.json');
    writeFileSync(join(root, 'flows.log'), 'old 1\nold 2\nnew 3 be');
    writeFileSync(join(root, 'starting.log'), 'new 4 '); // only a line being written
    writeFileSync(join(root, 'old.log.gz'), gzipSync('old 5\n'));
    const run = () => {
      const got: Record<string, string> = {};
      const add = (p: string, text: string) => { got[p.slice(root.length + 1)] = (got[p.slice(root.length + 1)] ?? '') + text; };
      const follower = new Follower([root], {
        data: (p, chunk) => add(p, chunk.toString()), end: () => {}, renamed: () => {},
        whole: async (p) => add(p, readFileSync(p).length > 0 ? 'whole' : ''),
        error: (p, err) => assert.fail(`${p}: ${err.message}`),
      }, { settleMs: 0, statePath, fromEnd: true });
      return { follower, got };
    };
    const first = run();
    await first.follower.poll();
    await first.follower.poll();
    appendFileSync(join(root, 'flows.log'), 'gun\nnew 6\n');
    appendFileSync(join(root, 'starting.log'), 'begun\n');
    writeFileSync(join(root, 'new.log.gz'), gzipSync('new 7\n'));
    for (let i = 0; i < 3; i++) await first.follower.poll();
    assert.deepEqual(first.got, { 'flows.log': 'new 3 begun\nnew 6\n', 'starting.log': 'new 4 begun\n', 'new.log.gz': 'whole' });
    first.follower.stop();

    appendFileSync(join(root, 'flows.log'), 'new 8\n'); // while stopped: a restart with saved positions reads it
    writeFileSync(join(root, 'later.log.gz'), gzipSync('new 9\n'));
    const second = run();
    for (let i = 0; i < 3; i++) await second.follower.poll();
    assert.deepEqual(second.got, { 'flows.log': 'new 8\n', 'later.log.gz': 'whole' });
    second.follower.stop();
  });

  it('leaves out what exclude patterns match, in directories made later too', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ipgeo-follow-'));
    const wholes: string[] = [];
    const follower = new Follower([root], {
      data: (p) => assert.fail(`${p} read as text`), end: () => {}, renamed: () => {},
      whole: async (p) => { wholes.push(p.slice(root.length + 1)); }, error: (p, err) => assert.fail(`${p}: ${err.message}`),
    }, { settleMs: 0, exclude: ['**/CloudTrail/**', '*.json'] });
    await follower.poll();
    for (const [p, body] of [['AWSLogs/1/vpcflowlogs/a.log.gz', gzipSync('x\n')], ['AWSLogs/1/CloudTrail/b.json.gz', gzipSync('{}')],
      ['AWSLogs/1/vpcflowlogs/manifest.json', '{"files": 1}']] as const) {
      mkdirSync(join(root, p, '..'), { recursive: true });
      writeFileSync(join(root, p), body);
    }
    for (let i = 0; i < 3; i++) await follower.poll();
    assert.deepEqual(wholes, ['AWSLogs/1/vpcflowlogs/a.log.gz']);
    follower.stop();
  });

  it('holds at most a few descriptors while it reads a directory of many gzip files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipgeo-follow-'));
    for (let i = 0; i < 300; i++) writeFileSync(join(dir, `f${i}.log.gz`), gzipSync(`a${i}\n`));
    const before = openDescriptors();
    let most = 0;
    let wholes = 0;
    const follower = new Follower([dir], {
      data: () => {}, end: () => {}, renamed: () => {}, error: (path, err) => assert.fail(`${path}: ${err.message}`),
      whole: async () => { wholes++; most = Math.max(most, openDescriptors() - before); },
    }, { settleMs: 0, maxOpen: 10 });
    await follower.poll();
    await follower.poll();
    assert.equal(wholes, 300);
    assert.ok(most <= 2, `${most} descriptors open while reading`);
    follower.stop();
  });
});
