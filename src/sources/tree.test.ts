import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { DirectoryTree } from './tree.js';

/** Makes files (and their directories) under `root`. */
function make(root: string, paths: string[]): void {
  for (const p of paths) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), 'x\n');
  }
}

describe('DirectoryTree', () => {
  it('lists the files at any depth in path order, skipping hidden entries, links followed and loops walked once', () => {
    const root = mkdtempSync(join(tmpdir(), 'ipgeo-tree-'));
    const day = (d: string) => `AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/11/${d}`;
    make(root, [`${day('28')}/b.log.gz`, `${day('27')}/z.log.gz`, `${day('27')}/a.log.gz`, 'top.log', '.hidden/x.log',
      `${day('28')}/.partial.log.gz`]);
    symlinkSync(root, join(root, 'AWSLogs', 'loop')); // a link back up the tree
    symlinkSync(join(root, 'none'), join(root, 'dangling.log'));
    const files = new DirectoryTree().files(root).map((f) => relative(root, f));
    assert.deepEqual(files, [`${day('27')}/a.log.gz`, `${day('27')}/z.log.gz`, `${day('28')}/b.log.gz`, 'top.log']);
  });

  it('lists a directory again when its time changes, or when its listing is older than maxAgeMs', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ipgeo-tree-'));
    make(root, ['2026/11/27/a.log']);
    const tree = new DirectoryTree([], 500);
    const names = () => tree.files(root).map((f) => relative(root, f));
    assert.deepEqual(names(), ['2026/11/27/a.log']);
    make(root, ['2026/11/28/b.log']); // a new day: 2026/11 changed
    const day = join(root, '2026/11/28');
    const then = 1_700_000_000;
    utimesSync(day, then, then);
    assert.deepEqual(names(), ['2026/11/27/a.log', '2026/11/28/b.log']);
    // A file added with the directory's time put back, as a coarse network file system can show it: the listing
    // is kept (which is what spares a stat for each file), until it is older than maxAgeMs.
    make(root, ['2026/11/28/c.log']);
    utimesSync(day, then, then);
    assert.deepEqual(names(), ['2026/11/27/a.log', '2026/11/28/b.log']);
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.deepEqual(names(), ['2026/11/27/a.log', '2026/11/28/b.log', '2026/11/28/c.log']);
  });

  it('several directories in the order given, a missing one giving nothing', () => {
    const root = mkdtempSync(join(tmpdir(), 'ipgeo-tree-'));
    make(root, ['b/1.log', 'a/2.log']);
    const files = new DirectoryTree().files(join(root, 'b'), join(root, 'missing'), join(root, 'a'));
    assert.deepEqual(files.map((f) => relative(root, f)), ['b/1.log', 'a/2.log']);
  });

  it('leaves out files that exclude patterns match, below the directory given or by file name', () => {
    const root = mkdtempSync(join(tmpdir(), 'ipgeo-tree-'));
    make(root, ['AWSLogs/1/vpcflowlogs/r/a.log.gz', 'AWSLogs/1/CloudTrail/r/b.json.gz', 'AWSLogs/1/vpcflowlogs/manifest.json',
      'notes.txt', 'deep/er/notes.txt']);
    const names = (exclude: string[]) => new DirectoryTree(exclude).files(root).map((f) => relative(root, f));
    assert.deepEqual(names(['**/CloudTrail/**', '*.json', 'notes.txt']), ['AWSLogs/1/vpcflowlogs/r/a.log.gz']);
    // Below the directory given: a pattern with a slash is anchored there, not in the path above it.
    assert.deepEqual(names(['deep/**']), ['AWSLogs/1/CloudTrail/r/b.json.gz', 'AWSLogs/1/vpcflowlogs/manifest.json',
      'AWSLogs/1/vpcflowlogs/r/a.log.gz', 'notes.txt']);
    assert.equal(names([]).length, 5);
  });
});
