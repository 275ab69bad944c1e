/**
 * The mount sandbox (issue 15, attack 1) on the real engine: a hostile app tries to plant what git or the editor
 * runs on the host. `.git`, hook directories, `.vscode` and the other host-executed files are read-only in the
 * container; the app runs as the workspace's owner, so what it may write stays the user's; a repository's own
 * Dockerfile keeps its USER and `.git` stays protected; exec goes through the session (the runtime's client).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DockerRuntime, workspaceIdFor } from '../../../src/core/runtime/dockerRuntime';
import { SimpleGitPort } from '../../../src/core/git/simpleGitPort';
import { Sessions, TEST_SETTINGS, watch, Workspaces } from './runtimeHarness';

const OWNER = 4242;

/** Tries each write and says what happened, one line per path: WROTE or DENIED <errno>. */
const HOSTILE_APP = (canary: string) => `
import os, stat
PLANT = "#!/bin/sh\\necho planted >> ${canary}\\n"
def attempt(what, fn):
    try:
        fn()
        print("WROTE", what, flush=True)
    except OSError as e:
        print("DENIED", what, e.errno, flush=True)
def write(p, text=PLANT, mode="w"):
    def go():
        d = os.path.dirname(p)
        if not os.path.isdir(d):
            os.makedirs(d)
        with open(p, mode) as f:
            f.write(text)
        os.chmod(p, 0o755)
    return go
attempt(".git/hooks/post-commit", write("/app/.git/hooks/post-commit"))
attempt(".git/config", write("/app/.git/config", "[core]\\n\\tfsmonitor = /app/fsmon.sh\\n", "a"))
attempt(".git/rename", lambda: os.rename("/app/.git", "/app/.git-old"))
attempt(".husky/pre-commit", write("/app/.husky/pre-commit"))
attempt(".vscode/tasks.json", write("/app/.vscode/tasks.json", '{"tasks":[{"runOptions":{"runOn":"folderOpen"}}]}'))
attempt(".gitignore", write("/app/.gitignore", ""))
attempt(".gitignore-unlink", lambda: os.unlink("/app/.gitignore"))
attempt(".pre-commit-config.yaml", write("/app/.pre-commit-config.yaml"))
attempt("data.txt", write("/app/data.txt", "the app's own data"))
print("UID", os.getuid(), os.getgid(), flush=True)
`;

describe('workspace sandbox (real engine)', function () {
  this.timeout(180_000);
  const runtime = new DockerRuntime();
  const workspaces = new Workspaces();
  const sessions = new Sessions();
  before(() => runtime.ping());
  afterEach(() => sessions.stopAll());
  after(() => workspaces.cleanup());

  function repoWorkspace(files: Record<string, string>): string {
    const dir = workspaces.make(files);
    execFileSync('git', ['init', '-q', '-b', 'main', dir]);
    execFileSync('git', ['-C', dir, 'config', 'user.email', 'dev@example.com']);
    execFileSync('git', ['-C', dir, 'config', 'user.name', 'Dev']);
    execFileSync('git', ['-C', dir, 'add', '-A']);
    execFileSync('git', ['-C', dir, 'commit', '-qm', 'init']);
    return dir;
  }

  async function runToExit(dir: string) {
    const image = await runtime.buildImage(dir, TEST_SETTINGS);
    const session = await runtime.start(image, { sourceDir: dir, role: 'main', workspaceId: workspaceIdFor(dir), settings: TEST_SETTINGS });
    sessions.add(session);
    const w = watch(session);
    const exit = await w.nextExit();
    const out = w.lines.map((l) => l.text);
    return { session, exit, out, said: (what: string) => out.find((l) => l === `WROTE ${what}` || l.startsWith(`DENIED ${what} `)) };
  }

  it('keeps .git, hook directories, .vscode and host-executed files read-only; the app runs as the workspace owner', async () => {
    const canary = path.join('/tmp', `autodev-canary-${randomBytes(4).toString('hex')}`);
    const dir = repoWorkspace({ 'app.py': HOSTILE_APP(canary), '.gitignore': '.env\n', '.husky/.keep': '', '.pre-commit-config.yaml': 'repos: []\n', '.env': 'KEY=1\n' });
    execFileSync('git', ['-C', dir, 'config', 'core.hooksPath', '.husky']);
    execFileSync('chown', ['-R', `${OWNER}:${OWNER}`, dir]);
    const gitConfigBefore = readFileSync(path.join(dir, '.git', 'config'), 'utf8');

    const run = await runToExit(dir);
    assert.equal(run.exit.exitCode, 0, run.out.join('\n'));
    for (const what of ['.git/hooks/post-commit', '.git/config', '.git/rename', '.husky/pre-commit', '.vscode/tasks.json', '.gitignore', '.gitignore-unlink', '.pre-commit-config.yaml']) {
      assert.match(run.said(what) ?? `nothing about ${what}`, /^DENIED /, `${what}: ${run.out.join('\n')}`);
    }
    assert.match(run.said('data.txt') ?? '', /^WROTE /, 'the app may still write its own files');
    assert.ok(run.out.includes(`UID ${OWNER} ${OWNER}`), run.out.join('\n'));

    // On the host: nothing planted, the app's file belongs to the workspace owner, the mount point is gone again.
    assert.equal(existsSync(path.join(dir, '.git', 'hooks', 'post-commit')), false);
    assert.equal(readFileSync(path.join(dir, '.git', 'config'), 'utf8'), gitConfigBefore);
    assert.equal(readFileSync(path.join(dir, '.gitignore'), 'utf8'), '.env\n');
    assert.equal(existsSync(path.join(dir, '.husky', 'pre-commit')), false);
    assert.equal(statSync(path.join(dir, 'data.txt')).uid, OWNER);
    await run.session.stop();
    assert.equal(existsSync(path.join(dir, '.vscode')), false, 'the .vscode mount point is removed after the container');

    // And AutoDev's own git calls afterwards run nothing either (hooks and fsmonitor off regardless). This test
    // runs as root: hand the repository back to us, as git only works in repositories its user owns.
    execFileSync('chown', ['-R', `${process.getuid!()}:${process.getgid!()}`, dir]);
    writeFileSync(path.join(dir, 'app.py'), 'print("fixed")\n');
    await new SimpleGitPort().commit(dir, [{ path: 'app.py', original: HOSTILE_APP(canary), patched: 'print("fixed")\n' }], 'fix');
    assert.equal(existsSync(canary), false);
  });

  it('gives a workspace without .git a read-only .git mount point, so the app cannot make it a repository', async () => {
    const dir = workspaces.make({ 'app.py': 'import os\ntry:\n    os.makedirs("/app/.git/hooks")\n    print("MADE", flush=True)\nexcept OSError as e:\n    print("DENIED", e.errno, flush=True)\n' });
    const run = await runToExit(dir);
    assert.ok(run.out.some((l) => l.startsWith('DENIED')), run.out.join('\n'));
    await run.session.stop();
    assert.deepEqual(readdirSync(dir).sort(), ['app.py'], 'no .git (nor .vscode) left behind');
  });

  it("keeps a repository Dockerfile's USER, protects .git either way, and execs through the session", async () => {
    const dir = repoWorkspace({
      Dockerfile: `FROM ${TEST_SETTINGS.pythonImage}\nWORKDIR /app\nUSER 3131:3131\nCMD ["python3", "-c", "import os,time; print('UID', os.getuid(), flush=True); time.sleep(60)"]\n`,
    });
    execFileSync('chmod', ['-R', 'a+rwX', dir]); // the image's user may write where the repository allows it
    const image = await runtime.buildImage(dir, TEST_SETTINGS);
    const session = await runtime.start(image, { sourceDir: dir, role: 'main', workspaceId: workspaceIdFor(dir), settings: TEST_SETTINGS });
    sessions.add(session);
    await watch(session).waitForLine(/^UID /);
    const id = await session.exec(['id', '-u']);
    assert.equal(id.output.trim(), '3131');
    const plant = await session.exec(['sh', '-c', 'echo x > /app/.git/hooks/post-checkout && echo WROTE || echo DENIED']);
    assert.match(plant.output, /DENIED/);
    assert.equal(lstatSync(path.join(dir, '.git')).isDirectory(), true);
    assert.equal(existsSync(path.join(dir, '.git', 'hooks', 'post-checkout')), false);
  });
});
