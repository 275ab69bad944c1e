import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
  ];
  for (const [rel, why] of refused) {
    it(`refuses ${JSON.stringify(rel)}`, () => {
      assert.throws(() => resolveWorkspacePath(ws, rel), (e) => isAutoDevError(e, 'PathRefused') && why.test(e.message));
    });
  }

  it('resolves workspace files, new files and symlinks that stay inside to real paths', () => {
    assert.equal(resolveWorkspacePath(ws, 'src/app.py'), join(ws, 'src', 'app.py'));
    assert.equal(resolveWorkspacePath(ws, './src/new/deep.py'), join(ws, 'src', 'new', 'deep.py'));
    assert.equal(resolveWorkspacePath(ws, 'alias/app.py'), join(ws, 'src', 'app.py'));
    assert.equal(resolveWorkspacePath(ws, 'env.txt'), join(ws, 'env.txt'), 'a name merely containing "env" is fine');
    assert.equal(resolveWorkspacePath(ws, '.'), ws);
  });
});
