import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveWorkspacePath } from '../../../src/core/patch/pathPolicy';
import { isAutoDevError } from '../../../src/core/errors';

describe('workspace path policy', () => {
  let root: string;
  let ws: string;
  before(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'autodev-policy-')));
    ws = join(root, 'ws');
    mkdirSync(join(ws, 'src'), { recursive: true });
    writeFileSync(join(ws, 'src', 'app.py'), 'x');
    mkdirSync(join(root, 'outside'));
    symlinkSync(join(root, 'outside'), join(ws, 'out'));
    symlinkSync(join(ws, 'src'), join(ws, 'alias'));
    writeFileSync(join(ws, 'env.txt'), 'x');
    symlinkSync(join(ws, '.env'), join(ws, 'innocent.txt'));
    symlinkSync(join(root, 'outside', 'planted.sh'), join(ws, 'dangling.txt'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const refused: [string, RegExp][] = [
    ['../../etc/passwd', /leaves the workspace/],
    ['src/../../x', /leaves the workspace/],
    ['/etc/passwd', /absolute/],
    ['C:\\Windows\\win.ini', /absolute/],
    ['~/.ssh/id_rsa', /absolute/],
    ['.git/config', /\.git/],
    ['sub/.git/HEAD', /\.git/],
    ['.vscode/settings.json', /\.vscode/],
    ['.env', /\.env/],
    ['.env.local', /\.env/],
    ['config/.env.production', /\.env/],
    ['.github/workflows/ci.yml', /CI/],
    ['.gitlab-ci.yml', /CI/],
    ['.ci/deploy.sh', /\.ci/],
    ['.autodev/settings.json', /AutoDev/],
    ['out/secret.txt', /symlink/],
    ['out/new-file.txt', /symlink/],
    ['out', /symlink/],
    ['innocent.txt', /\.env/],
    ['dangling.txt', /symlink/],
    ['', /empty/],
    // hook directories, and what git, hook managers, package managers, the editor or CI run on the host
    ['.husky/pre-commit', /\.husky/],
    ['tools/.githooks/pre-push', /\.githooks/],
    ['.devcontainer/devcontainer.json', /\.devcontainer/],
    ['.idea/workspace.xml', /\.idea/],
    ['app.code-workspace', /off limits/],
    ['.pre-commit-config.yaml', /off limits/],
    ['lefthook.yml', /off limits/],
    ['.gitignore', /off limits/],
    ['sub/.gitignore', /off limits/],
    ['.gitattributes', /off limits/],
    ['.gitmodules', /off limits/],
    ['.github/dependabot.yml', /\.github/],
    ['.circleci/config.yml', /\.circleci/],
    ['Jenkinsfile', /off limits/],
    ['.npmrc', /off limits/],
    ['.yarnrc.yml', /off limits/],
    ['.envrc', /off limits/],
    // names that alias another file elsewhere (NTFS, HFS+) or are pathspec magic
    ['.git./config', /dot or a space/],
    ['.git /config', /dot or a space/],
    ['app.py.', /dot or a space/],
    ['.git::$INDEX_ALLOCATION/config', /NTFS stream/],
    ['app.py::$DATA', /NTFS stream/],
    [':(glob)**', /pathspec/],
    ['GIT~1/config', /short/],
    ['.g\u200cit/config', /invisible/],
    ['app\u200b.py', /invisible/],
    ['.GIT/config', /\.git/i],
    ['.ｇｉｔ/config', /off limits/],
    ['nul.py', /device/],
  ];
  for (const [rel, why] of refused) {
    it(`refuses ${JSON.stringify(rel)}`, () => {
      assert.throws(() => resolveWorkspacePath(ws, rel), (e) => isAutoDevError(e, 'PathRefused') && why.test(e.message));
    });
  }

  it('refuses a hard link (another name of a file that may be outside the workspace), to read or write', () => {
    writeFileSync(join(root, 'outside', 'secret.txt'), 'host secret');
    linkSync(join(root, 'outside', 'secret.txt'), join(ws, 'notes.txt'));
    for (const write of [false, true]) {
      assert.throws(() => resolveWorkspacePath(ws, 'notes.txt', { write }), (e) => isAutoDevError(e, 'PathRefused') && /hard link/.test(e.message));
    }
  });

  it('refuses writes through a symlink in any component, even one that stays inside (reads may follow it)', () => {
    assert.throws(() => resolveWorkspacePath(ws, 'alias/app.py', { write: true }), (e) => isAutoDevError(e, 'PathRefused') && /symlink/.test(e.message));
    assert.throws(() => resolveWorkspacePath(ws, 'alias/new/x.py', { write: true }), (e) => isAutoDevError(e, 'PathRefused') && /symlink/.test(e.message));
    assert.equal(resolveWorkspacePath(ws, 'alias/app.py'), join(ws, 'src', 'app.py'));
    assert.equal(resolveWorkspacePath(ws, 'src/app.py', { write: true }), join(ws, 'src', 'app.py'));
  });

  it('refuses the directory core.hooksPath names, whatever it is called', () => {
    const repo = join(root, 'repo');
    mkdirSync(join(repo, 'scripts', 'git-hooks'), { recursive: true });
    execFileSync('git', ['init', '-q', repo]);
    execFileSync('git', ['config', 'core.hooksPath', 'scripts/git-hooks'], { cwd: repo });
    assert.throws(() => resolveWorkspacePath(repo, 'scripts/git-hooks/post-commit', { write: true }), (e) => isAutoDevError(e, 'PathRefused') && /hooksPath/.test(e.message));
    assert.throws(() => resolveWorkspacePath(repo, 'scripts/git-hooks', { write: true }), (e) => isAutoDevError(e, 'PathRefused') && /hooksPath/.test(e.message));
    assert.equal(resolveWorkspacePath(repo, 'scripts/build.sh', { write: true }), join(repo, 'scripts', 'build.sh'));
  });

  it('resolves workspace files, new files and symlinks that stay inside to real paths', () => {
    assert.equal(resolveWorkspacePath(ws, 'src/app.py'), join(ws, 'src', 'app.py'));
    assert.equal(resolveWorkspacePath(ws, './src/new/deep.py'), join(ws, 'src', 'new', 'deep.py'));
    assert.equal(resolveWorkspacePath(ws, 'alias/app.py'), join(ws, 'src', 'app.py'));
    assert.equal(resolveWorkspacePath(ws, 'env.txt'), join(ws, 'env.txt'), 'a name merely containing "env" is fine');
    assert.equal(resolveWorkspacePath(ws, '.'), ws);
  });
});
