import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar-fs';
import { SourceUploader, type ArchiveTarget } from '../../../src/core/runtime/sourceUpload';

/** A stand-in for a container's putArchive: extracts each tar under a fresh folder, as the engine extracts at `/`. */
class ExtractingTarget implements ArchiveTarget {
  readonly uploads: string[] = [];
  constructor(private readonly base: string) {}
  async putArchive(file: NodeJS.ReadableStream | Buffer | string, opts: { path: string }): Promise<void> {
    assert.equal(opts.path, '/');
    const dest = path.join(this.base, `upload-${this.uploads.length}`);
    this.uploads.push(dest);
    await new Promise<void>((resolve, reject) => (file as NodeJS.ReadableStream).pipe(tar.extract(dest)).on('finish', resolve).on('error', reject));
  }
}

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else out.push(path.relative(dir, path.join(d, e.name)).split(path.sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

describe('copying the source to a remote engine', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(path.join(tmpdir(), 'autodev-upload-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('copies what docker build would send, under the workdir, then only the files that changed', async () => {
    const ws = path.join(root, 'ws');
    for (const [rel, text] of Object.entries({ 'app.py': 'print(1)\n', 'pkg/util.py': 'x = 1\n', '.env': 'TOKEN=1\n', 'notes/big.log': 'log\n', '.dockerignore': '.env\nnotes\n', '.git/HEAD': 'ref\n', 'node_modules/a/index.js': '' })) {
      mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
      writeFileSync(path.join(ws, rel), text);
    }
    const target = new ExtractingTarget(path.join(root, 'engine'));
    const uploader = new SourceUploader(ws, '/app');
    const first = await uploader.sync(target);
    assert.deepEqual(first.copied.sort(), ['.dockerignore', 'app.py', 'pkg/util.py']);
    assert.deepEqual(files(target.uploads[0]), ['app/.dockerignore', 'app/app.py', 'app/pkg/util.py']);

    assert.deepEqual((await uploader.sync(target)).copied, [], 'nothing changed, nothing sent');
    assert.equal(target.uploads.length, 1);

    writeFileSync(path.join(ws, 'pkg/util.py'), 'x = 2\n');
    unlinkSync(path.join(ws, 'app.py'));
    const third = await uploader.sync(target);
    assert.deepEqual(third.copied, ['pkg/util.py']);
    assert.deepEqual(third.removedLocally, ['app.py']);
    assert.deepEqual(files(target.uploads[1]), ['app/pkg/util.py']);
    assert.equal(readFileSync(path.join(target.uploads[1], 'app/pkg/util.py'), 'utf8'), 'x = 2\n');
  });
});
