/**
 * Git as a trust boundary (issue 15, attacks 1–3), with real git: planted hooks, fsmonitor and a hooksPath inside
 * the repository never run from AutoDev's commit, push or revert; the commit holds exactly the fix's hunks, whatever
 * the file names, `.gitignore` or the user's uncommitted and staged edits.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PatchFile } from '../../../src/core/patch/pendingPatch';
import { isAutoDevError } from '../../../src/core/errors';
import { SimpleGitPort } from '../../../src/core/git/simpleGitPort';

const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trimEnd();

const APP = ['import os', '', 'def ratio(a, b):', '    return a / b', '', 'print(ratio(1, 0))', ''].join('\n');

function repo(root: string): string {
  const dir = join(root, 'work');
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  git(dir, 'config', 'user.email', 'dev@example.com');
  git(dir, 'config', 'user.name', 'Dev');
  writeFileSync(join(dir, 'app.py'), APP);
  writeFileSync(join(dir, '.gitignore'), '.env\n*.pem\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'init');
  return dir;
}

function fix(dir: string, file: string, edit: (text: string) => string): PatchFile {
  const abs = join(dir, file);
  const original = existsSync(abs) ? readFileSync(abs, 'utf8') : null;
  const patched = edit(original ?? '');
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, patched);
  return { path: file, original, patched };
}

const guard = (t: string) => t.replace('    return a / b', '    return a / b if b else 0.0');

/** A shell script that creates `canary` when run (a hook, an fsmonitor hook). */
function plant(file: string, canary: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `#!/bin/sh\necho "$0" >> '${canary}'\nexit 0\n`);
  chmodSync(file, 0o755);
}

const HOOKS = ['pre-commit', 'prepare-commit-msg', 'commit-msg', 'post-commit', 'post-checkout', 'reference-transaction', 'pre-push', 'post-rewrite', 'post-index-change'];

describe('git as a trust boundary (real git)', function () {
  this.timeout(60000);
  let root: string;
  let canary: string;
  const port = new SimpleGitPort();
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'autodev-gitb-'));
    canary = join(root, `canary-${randomBytes(4).toString('hex')}`);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** Proves the planted code is live: plain git runs it. Then clears the canary for the real check. */
  function provePlantRuns(dir: string): void {
    git(dir, 'status', '--porcelain');
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'control');
    assert.ok(existsSync(canary), 'control: plain git runs the planted hooks/fsmonitor');
    git(dir, 'reset', '-q', '--soft', 'HEAD~1');
    rmSync(canary);
  }

  it('never runs hooks in .git/hooks or core.fsmonitor from .git/config (commit on a fix branch, push, revert)', async () => {
    const dir = repo(root);
    const bare = join(root, 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
    git(dir, 'remote', 'add', 'origin', bare);
    for (const h of HOOKS) plant(join(dir, '.git', 'hooks', h), canary);
    plant(join(dir, '.git', 'fsmon.sh'), canary);
    git(dir, 'config', 'core.fsmonitor', join(dir, '.git', 'fsmon.sh'));
    provePlantRuns(dir);

    const sha = await port.commit(dir, [fix(dir, 'app.py', guard)], 'fix', 'autodev/fix-1234');
    await port.push(dir);
    await port.revert(dir, sha);
    assert.equal(await port.isRepo(dir), true);
    assert.equal(existsSync(canary), false, `a planted hook ran: ${existsSync(canary) ? readFileSync(canary, 'utf8') : ''}`);
    assert.equal(execFileSync('git', ['--git-dir', bare, 'rev-parse', 'autodev/fix-1234'], { encoding: 'utf8' }).trim(), sha);
  });

  it('never runs hooks from a core.hooksPath inside the repository (husky, .githooks)', async () => {
    const dir = repo(root);
    for (const h of HOOKS) {
      plant(join(dir, '.husky', h), canary);
      plant(join(dir, '.githooks', h), canary);
    }
    git(dir, 'config', 'core.hooksPath', '.husky');
    provePlantRuns(dir);
    await port.commit(dir, [fix(dir, 'app.py', guard)], 'fix');
    git(dir, 'config', 'core.hooksPath', '.githooks');
    await port.commit(dir, [fix(dir, 'app.py', (t) => t + '# more\n')], 'fix 2');
    assert.equal(existsSync(canary), false, 'a hook in the repository ran');
  });

  it('runs the hooks when the user opted in (the control for the two tests above)', async () => {
    const dir = repo(root);
    plant(join(dir, '.git', 'hooks', 'post-commit'), canary);
    await new SimpleGitPort({ runHooks: true }).commit(dir, [fix(dir, 'app.py', guard)], 'fix');
    assert.ok(existsSync(canary));
  });

  it('commits a file named ":(glob)**" literally, never .env, keys or other work, even with .gitignore emptied', async () => {
    const dir = repo(root);
    writeFileSync(join(dir, '.env'), 'API_KEY=sk-canary\n');
    writeFileSync(join(dir, 'id_rsa.pem'), '-----BEGIN PRIVATE KEY-----\n');
    writeFileSync(join(dir, 'wip.py'), 'unfinished = True\n');
    writeFileSync(join(dir, '.gitignore'), '');
    const files = [fix(dir, 'app.py', guard), fix(dir, ':(glob)**', () => 'x\n'), fix(dir, ':(top,glob)*', () => 'y\n')];
    const sha = await port.commit(dir, files, 'fix');
    const inCommit = git(dir, 'diff-tree', '--no-commit-id', '--name-only', '-r', '-z', sha).split('\0').filter(Boolean).sort();
    assert.deepEqual(inCommit, [':(glob)**', ':(top,glob)*', 'app.py']);
    const status = git(dir, 'status', '--porcelain', '-uall');
    for (const f of ['.env', 'id_rsa.pem', 'wip.py']) assert.match(status, new RegExp(`^\\?\\? ${f.replace('.', '\\.')}$`, 'm'));
    assert.match(status, /^ M \.gitignore$/m, 'the emptied .gitignore is not committed');
  });

  it('commits exactly the fix hunk when the user has uncommitted edits in the same file, which stay uncommitted', async () => {
    const dir = repo(root);
    // The user's unfinished work in the file the fix touches (other lines), before the crash.
    const userEdit = (t: string) => t.replace('import os', 'import os\nimport sys  # WIP').replace("print(ratio(1, 0))", "print(ratio(1, 0))  # TODO");
    writeFileSync(join(dir, 'app.py'), userEdit(APP));
    const f = fix(dir, 'app.py', guard);
    const worktreeBefore = readFileSync(join(dir, 'app.py'), 'utf8');
    const sha = await port.commit(dir, [f], 'fix');
    assert.equal(git(dir, 'show', `${sha}:app.py`) + '\n', guard(APP), 'HEAD holds the fix and nothing else');
    assert.equal(readFileSync(join(dir, 'app.py'), 'utf8'), worktreeBefore, 'the working tree is untouched');
    assert.equal(git(dir, 'diff', '--cached'), '', 'nothing is left staged (no reversed fix in the index)');
    const diff = git(dir, 'diff');
    assert.match(diff, /^\+import sys {2}# WIP$/m);
    assert.match(diff, /^\+print\(ratio\(1, 0\)\) {2}# TODO$/m);
    assert.doesNotMatch(diff, /^[+-].*if b else/m, 'the fix is committed, not left as a working-tree change');
  });

  it('keeps what the user staged in the fixed file staged, with the fix merged in', async () => {
    const dir = repo(root);
    writeFileSync(join(dir, 'app.py'), APP.replace('import os', 'import os\nimport json'));
    git(dir, 'add', 'app.py');
    const sha = await port.commit(dir, [fix(dir, 'app.py', guard)], 'fix');
    assert.equal(git(dir, 'show', `${sha}:app.py`) + '\n', guard(APP));
    assert.equal(git(dir, 'diff', '--cached', '--', 'app.py').split('\n').filter((l) => /^[+-][^+-]/.test(l)).join('\n'), '+import json');
  });

  it('refuses (commits nothing) when the fix rewrites lines the user has uncommitted edits on', async () => {
    const dir = repo(root);
    writeFileSync(join(dir, 'app.py'), APP.replace('    return a / b', '    return a / b  # mine'));
    const head = git(dir, 'rev-parse', 'HEAD');
    const f = fix(dir, 'app.py', (t) => t.replace('    return a / b  # mine', '    return a / b if b else 0.0'));
    await assert.rejects(port.commit(dir, [f], 'fix'), (e: unknown) => isAutoDevError(e, 'GitError') && /uncommitted edits/.test(e.message));
    assert.equal(git(dir, 'rev-parse', 'HEAD'), head);
    assert.equal(readFileSync(join(dir, 'app.py'), 'utf8'), f.patched);
  });

  it('commits a fix to a workspace that is a subfolder of the repository, and a new file', async () => {
    const top = repo(root);
    const dir = join(top, 'svc');
    mkdirSync(dir);
    writeFileSync(join(dir, 'main.py'), 'x = 1\n');
    git(top, 'add', '-A');
    git(top, 'commit', '-qm', 'svc');
    const sha = await port.commit(dir, [fix(dir, 'main.py', () => 'x = 2\n'), fix(dir, 'lib/util.py', () => 'def f(): pass\n')], 'fix');
    assert.deepEqual(git(top, 'diff-tree', '--no-commit-id', '--name-only', '-r', sha).split('\n').sort(), ['svc/lib/util.py', 'svc/main.py']);
    assert.equal(git(top, 'status', '--porcelain'), '');
  });
});
