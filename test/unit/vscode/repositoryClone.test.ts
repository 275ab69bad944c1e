/** Deploy Repository's clone step (no VS Code needed): URL checks, folder naming, a real clone from a local repo. */
import * as assert from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cloneRepository, repositoryFolderName, validateRepositoryUrl } from '../../../src/vscode/repositoryClone';
import { isAutoDevError } from '../../../src/core/errors';

describe('Deploy Repository: clone', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'autodev-clone-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('accepts https, ssh, scp-style, file URLs and absolute paths; rejects the rest with a hint', () => {
    for (const ok of ['https://github.com/o/app.git', 'ssh://git@host/o/app', 'git@github.com:o/app.git', 'file:///srv/app.git', '/srv/app.git']) assert.strictEqual(validateRepositoryUrl(ok), undefined, ok);
    for (const bad of ['', 'app', 'ftp//x', 'github.com/o/app']) assert.match(validateRepositoryUrl(bad) ?? '', /git|URL/i, bad);
  });

  it('names the folder after the repository', () => {
    assert.strictEqual(repositoryFolderName('https://github.com/o/my-app.git'), 'my-app');
    assert.strictEqual(repositoryFolderName('git@github.com:o/svc.git/'), 'svc');
    assert.strictEqual(repositoryFolderName('/srv/repos/thing'), 'thing');
  });

  it('clones a real repository into <parent>/<name> and refuses a non-empty target', async () => {
    const src = path.join(tmp, 'src', 'demo-app');
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(path.join(src, 'app.py'), 'print(1)\n');
    const git = (...a: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...a], { cwd: src });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'init');
    const parent = path.join(tmp, 'parent');
    fs.mkdirSync(parent);
    const dir = await cloneRepository(src, parent);
    assert.strictEqual(dir, path.join(parent, 'demo-app'));
    assert.strictEqual(fs.readFileSync(path.join(dir, 'app.py'), 'utf8'), 'print(1)\n');
    await assert.rejects(cloneRepository(src, parent), (e: unknown) => isAutoDevError(e, 'Usage') && /not empty/.test((e as Error).message));
  });

  it('reports a clone failure as a GitError and leaves no folder behind', async () => {
    await assert.rejects(cloneRepository(path.join(tmp, 'missing.git'), tmp), (e: unknown) => isAutoDevError(e, 'GitError') && /Could not clone/.test((e as Error).message));
    assert.ok(!fs.existsSync(path.join(tmp, 'missing')));
  });
});
