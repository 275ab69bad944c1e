import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PatchFile } from '../../../src/core/patch/pendingPatch';
import { isAutoDevError } from '../../../src/core/errors';
import { SimpleGitPort, fixBranchName } from '../../../src/core/git/simpleGitPort';

const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

function makeRepo(root: string, name = 'work'): string {
  const dir = join(root, name);
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  git(dir, 'config', 'user.email', 'dev@example.com');
  git(dir, 'config', 'user.name', 'Dev');
  writeFileSync(join(dir, 'app.py'), 'print(1/0)\n');
  writeFileSync(join(dir, 'notes.txt'), 'mine\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'init');
  return dir;
}

/** Writes the fix into the working tree (as the applier does) and returns it as the patch file the port commits. */
function fix(dir: string, file: string, patched: string): PatchFile {
  const abs = join(dir, file);
  const original = existsSync(abs) ? readFileSync(abs, 'utf8') : null;
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, patched);
  return { path: file, original, patched };
}

describe('SimpleGitPort (real git)', function () {
  this.timeout(30000);
  let root: string;
  const port = new SimpleGitPort();
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'autodev-git-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('commits only the patched files and leaves other local changes (staged or not) uncommitted', async () => {
    const dir = makeRepo(root);
    const f = fix(dir, 'app.py', 'print(1)\n');
    writeFileSync(join(dir, 'notes.txt'), 'mine, edited\n');
    writeFileSync(join(dir, 'staged.txt'), 'staged by the user\n');
    git(dir, 'add', 'staged.txt');
    const sha = await port.commit(dir, [f], '🩹 Auto-fix: ZeroDivisionError in app.py:1\n\nbody');
    assert.equal(git(dir, 'rev-parse', 'HEAD'), sha);
    assert.equal(git(dir, 'show', '--name-only', '--format=', 'HEAD'), 'app.py');
    assert.equal(git(dir, 'log', '-1', '--format=%s'), '🩹 Auto-fix: ZeroDivisionError in app.py:1');
    const status = execFileSync('git', ['status', '--porcelain'], { cwd: dir, encoding: 'utf8' });
    assert.match(status, /^ M notes\.txt$/m);
    assert.match(status, /^A  staged\.txt$/m, 'the user\'s staged file stays staged, not committed');
  });

  it('commits on a fix branch named after the signature when asked', async () => {
    const dir = makeRepo(root);
    const f = fix(dir, 'app.py', 'print(1)\n');
    const branch = fixBranchName('ZeroDivisionError|<module>|app.py');
    assert.match(branch, /^autodev\/fix-[0-9a-f]{8}$/);
    await port.commit(dir, [f], 'fix', branch);
    assert.equal(git(dir, 'rev-parse', '--abbrev-ref', 'HEAD'), branch);
    assert.equal(git(dir, 'log', '-1', '--format=%s', 'main'), 'init');
  });

  it('commits with a fallback identity when none is configured', async () => {
    const dir = join(root, 'noid');
    execFileSync('git', ['init', '-q', dir]);
    const sha = await port.commit(dir, [fix(dir, 'a.txt', 'x\n')], 'fix', undefined).catch((e) => {
      // A global identity may exist on this machine; either way the commit must succeed.
      throw e;
    });
    assert.match(sha, /^[0-9a-f]{40}$/);
  });

  it('pushes to a local bare repository and reports a non-fast-forward rejection as PushRejected', async () => {
    const bare = join(root, 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
    const dir = makeRepo(root);
    git(dir, 'remote', 'add', 'origin', bare);
    git(dir, 'push', '-q', '-u', 'origin', 'main');
    const sha = await port.commit(dir, [fix(dir, 'app.py', 'print(1)\n')], 'fix');
    await port.push(dir);
    assert.equal(execFileSync('git', ['--git-dir', bare, 'rev-parse', 'main'], { encoding: 'utf8' }).trim(), sha);

    // Someone else pushes first: our next push is non-fast-forward.
    const other = join(root, 'other');
    execFileSync('git', ['clone', '-q', bare, other]);
    git(other, 'config', 'user.email', 'o@example.com');
    git(other, 'config', 'user.name', 'Other');
    writeFileSync(join(other, 'notes.txt'), 'theirs\n');
    git(other, 'commit', '-qam', 'theirs');
    git(other, 'push', '-q');
    await port.commit(dir, [fix(dir, 'app.py', 'print(2)\n')], 'fix 2');
    await assert.rejects(port.push(dir), (e: unknown) => isAutoDevError(e, 'PushRejected') && /non-fast-forward/.test(e.message));
  });

  it('reports NoRemote when the repository has no remote', async () => {
    const dir = makeRepo(root);
    await assert.rejects(port.push(dir), (e: unknown) => isAutoDevError(e, 'NoRemote'));
  });

  it('pushes a new fix branch and sets its upstream', async () => {
    const bare = join(root, 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
    const dir = makeRepo(root);
    git(dir, 'remote', 'add', 'origin', bare);
    await port.commit(dir, [fix(dir, 'app.py', 'print(1)\n')], 'fix', 'autodev/fix-abc');
    await port.push(dir);
    assert.equal(git(dir, 'rev-parse', '--abbrev-ref', '@{u}'), 'origin/autodev/fix-abc');
  });

  it('reverts a fix with a revert commit', async () => {
    const dir = makeRepo(root);
    const sha = await port.commit(dir, [fix(dir, 'app.py', 'print(1)\n')], 'fix');
    const revertSha = await port.revert(dir, sha);
    assert.notEqual(revertSha, sha);
    assert.equal(git(dir, 'show', 'HEAD:app.py'), 'print(1/0)');
    assert.match(git(dir, 'log', '-1', '--format=%s'), /^Revert "fix"/);
  });

  it('commits when launched from npm (EDITOR, PAGER and GIT_* variables in the environment)', async () => {
    const dir = makeRepo(root);
    const saved = { ...process.env };
    Object.assign(process.env, { EDITOR: 'vi', PAGER: 'less', GIT_SSL_CAINFO: '/etc/ssl/certs/ca-certificates.crt', GIT_DIR: '/nonexistent' });
    try {
      assert.equal(await port.isRepo(dir), true);
      assert.match(await port.commit(dir, [fix(dir, 'app.py', 'print(3)\n')], 'fix'), /^[0-9a-f]{40}$/);
    } finally {
      for (const k of ['EDITOR', 'PAGER', 'GIT_SSL_CAINFO', 'GIT_DIR']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });

  it('isRepo tells a repository from a plain folder', async () => {
    assert.equal(await port.isRepo(makeRepo(root)), true);
    assert.equal(await port.isRepo(root), false);
  });
});
