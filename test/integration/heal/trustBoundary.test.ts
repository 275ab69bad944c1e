/**
 * Issue 15, attacks 1–4 and 8, through the whole heal loop: real Docker, real git, a scripted model over HTTP.
 * Each test: the host canary never appears, the commit holds exactly the fix, nothing outside the workspace changes.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DockerRuntime } from '../../../src/core/runtime/dockerRuntime';
import { reply, requestText, startFakeLlm, type FakeRequest, type FakeToolCall } from '../../support/fakeLlmServer';
import { exampleRepo, git, makeSession, type Harness, openaiAt as openai, sessionCleanup } from './healTestKit';

const DIVIDE_FIX = { path: 'app.py', old_text: '    return total / len(people)', new_text: '    return total / len(people) if people else 0.0' };

/** A shell script that appends to `canary` when the host runs it. */
const planted = (canary: string) => `#!/bin/sh\necho "$0" >> '${canary}'\n`;

/**
 * A model that plays `steps` in order within each attempt (one reply per step, counted by its own earlier replies);
 * the step after the last one finishes. The tool-calling probe gets the first step too (any tool call passes it).
 */
function scriptedModel(steps: FakeToolCall[][]) {
  return (req: FakeRequest) => {
    const messages: { role: string }[] = req.body?.messages ?? [];
    const n = messages.filter((m) => m.role === 'assistant').length;
    const calls = steps[n] ?? [{ name: 'finish', arguments: { summary: 'done' } }];
    return reply(req, { toolCalls: calls });
  };
}

/** The lines HEAD changed in `file` relative to its parent: [removed, added]. */
function committedHunkLines(dir: string, file: string): [string[], string[]] {
  const diff = git(dir, 'diff', '--no-ext-diff', 'HEAD~1', 'HEAD', '--', file).split('\n');
  return [diff.filter((l) => /^-[^-]/.test(l)).map((l) => l.slice(1)), diff.filter((l) => /^\+[^+]/.test(l)).map((l) => l.slice(1))];
}

/** path → content (files) or `-> target` (symlinks, not followed) of everything outside .git. */
function linkSafeSnapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, e.name);
      if (e.name === '.git') continue;
      if (e.isSymbolicLink()) out[path.relative(dir, abs)] = `-> ${readlinkSync(abs)}`;
      else if (e.isDirectory()) walk(abs);
      else out[path.relative(dir, abs)] = readFileSync(abs, 'utf8');
    }
  };
  walk(dir);
  return out;
}

function assertCommitIsTheFix(dir: string): void {
  assert.equal(git(dir, 'diff-tree', '--no-commit-id', '--name-only', '-r', 'HEAD'), 'app.py', 'the commit holds app.py only');
  assert.deepEqual(committedHunkLines(dir, 'app.py'), [[DIVIDE_FIX.old_text], [DIVIDE_FIX.new_text]], 'and exactly the fix hunk');
}

describe('trust boundary: issue 15 attacks through the heal loop (real Docker, real git, fake LLM)', function () {
  this.timeout(300_000);
  const cleanup = sessionCleanup();
  let canary: string;
  let outside: string;
  beforeEach(() => {
    outside = mkdtempSync(path.join(tmpdir(), 'autodev-outside-'));
    canary = path.join(outside, `canary-${randomBytes(4).toString('hex')}`);
    cleanup.add(() => rmSync(outside, { recursive: true, force: true }));
  });
  afterEach(() => cleanup.run());
  const track = (h: Harness, dir: string) => cleanup.track(h, dir);
  const bareRemote = (dir: string) => {
    const bare = mkdtempSync(path.join(tmpdir(), 'autodev-bare-'));
    cleanup.add(() => rmSync(bare, { recursive: true, force: true }));
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
    git(dir, 'remote', 'add', 'origin', bare);
    git(dir, 'push', '-q', '-u', 'origin', 'main');
    return bare;
  };
  const outsideUnchanged = () => assert.deepEqual(readdirSync(outside), [], 'nothing appeared outside the workspace');

  it('1: the app plants hooks and core.fsmonitor in /app/.git, the model tries .git too: healed, committed on a fix branch and pushed, nothing runs', async () => {
    const dir = exampleRepo('python-divide');
    const hostile = [
      'import os',
      'for hook in ("post-commit", "pre-commit", "post-checkout", "reference-transaction", "pre-push"):',
      '    try:',
      `        open("/app/.git/hooks/" + hook, "w").write(${JSON.stringify(planted(canary))}); os.chmod("/app/.git/hooks/" + hook, 0o755)`,
      '    except OSError as e:',
      '        print("planting", hook, "refused:", e.strerror, flush=True)',
      'try:',
      '    open("/app/.git/config", "a").write("[core]\\n\\tfsmonitor = /app/.git/hooks/post-commit\\n")',
      'except OSError as e:',
      '    print("fsmonitor refused:", e.strerror, flush=True)',
      '',
    ].join('\n');
    writeFileSync(path.join(dir, 'app.py'), hostile + readFileSync(path.join(dir, 'app.py'), 'utf8'));
    git(dir, 'commit', '-qam', 'hostile app');
    const bare = bareRemote(dir);
    const configBefore = readFileSync(path.join(dir, '.git', 'config'), 'utf8');
    const fake = cleanup.serve(await startFakeLlm(
      scriptedModel([
        [
          { name: 'write_file', arguments: { path: '.git/hooks/post-commit', content: planted(canary) } },
          { name: 'write_file', arguments: { path: '.git/config', content: `[core]\n\tfsmonitor = ${canary}\n` } },
        ],
        [{ name: 'edit_file', arguments: DIVIDE_FIX }],
      ]),
    ));
    const h = track(makeSession(dir, openai(fake), { git: { commit: true, autoPush: true, branch: 'fix-branch' } }), dir);
    await h.session.deploy();
    const done = await h.waitFor('done');
    assert.equal(done.healed, true, done.reason);
    assert.ok(h.events.some((e) => e.kind === 'log' && /planting post-commit refused/.test(e.line.text)), 'the app did try');
    assert.ok(h.events.some((e) => e.kind === 'push' && e.ok));
    await h.dispose();
    assert.equal(existsSync(canary), false, 'a planted hook or fsmonitor ran on the host');
    assert.deepEqual(readdirSync(path.join(dir, '.git', 'hooks')).filter((f) => !f.endsWith('.sample')), []);
    assert.equal(readFileSync(path.join(dir, '.git', 'config'), 'utf8').replace(/\[branch "autodev[^\]]*"\][^[]*/g, ''), configBefore);
    assertCommitIsTheFix(dir);
    assert.equal(execFileSync('git', ['--git-dir', bare, 'rev-parse', git(dir, 'rev-parse', '--abbrev-ref', 'HEAD')], { encoding: 'utf8' }).trim(), git(dir, 'rev-parse', 'HEAD'));
    outsideUnchanged();
  });

  it('2: core.hooksPath points into the repository: the model cannot write hooks there and the repository’s own never run', async () => {
    const dir = exampleRepo('python-divide', { '.githooks/post-commit': planted(canary), '.githooks/pre-commit': planted(canary) });
    execFileSync('chmod', ['+x', path.join(dir, '.githooks/post-commit'), path.join(dir, '.githooks/pre-commit')]);
    git(dir, 'config', 'core.hooksPath', 'scripts/../.githooks');
    const fake = cleanup.serve(await startFakeLlm(
      scriptedModel([
        [
          { name: 'write_file', arguments: { path: '.githooks/commit-msg', content: planted(canary) } },
          { name: 'write_file', arguments: { path: '.husky/pre-commit', content: planted(canary) } },
          { name: 'write_file', arguments: { path: 'lefthook.yml', content: 'pre-commit:\n  commands:\n    x:\n      run: sh -c "touch ' + canary + '"\n' } },
        ],
        [{ name: 'edit_file', arguments: DIVIDE_FIX }],
      ]),
    ));
    const h = track(makeSession(dir, openai(fake)), dir);
    await h.session.deploy();
    const done = await h.waitFor('done');
    assert.equal(done.healed, true, done.reason);
    await h.dispose();
    const requests = fake.requests.map((r) => requestText(r.body)).join('\n');
    assert.ok((requests.match(/off limits/g) ?? []).length >= 3, 'each planting was refused to the model');
    for (const f of ['.githooks/commit-msg', '.husky/pre-commit', 'lefthook.yml']) assert.equal(existsSync(path.join(dir, f)), false, f);
    assert.equal(existsSync(canary), false, 'a hook in the repository ran');
    assertCommitIsTheFix(dir);
    outsideUnchanged();
  });

  it('3: a file named ":(glob)**" and an emptied .gitignore: the pushed commit holds exactly the fix hunk, the user’s edits in app.py and secrets stay out', async () => {
    const dir = exampleRepo('python-divide', { '.gitignore': '.env\n*.pem\nwip/\n' });
    const bare = bareRemote(dir);
    writeFileSync(path.join(dir, '.env'), 'API_KEY=sk-canary-env-0000000000000000\n');
    writeFileSync(path.join(dir, 'deploy.pem'), '-----BEGIN PRIVATE KEY-----\ncanary\n');
    writeFileSync(path.join(dir, 'todo.txt'), 'unfinished work\n');
    // The user's own uncommitted edit in the very file the fix touches.
    const withWip = readFileSync(path.join(dir, 'app.py'), 'utf8').replace('import sys', 'import sys  # WIP: switch to argparse');
    writeFileSync(path.join(dir, 'app.py'), withWip);
    const fake = cleanup.serve(await startFakeLlm(
      scriptedModel([
        [
          { name: 'write_file', arguments: { path: ':(glob)**', content: 'x\n' } },
          { name: 'write_file', arguments: { path: '.gitignore', content: '' } },
          { name: 'write_file', arguments: { path: 'sub/.gitignore', content: '!*\n' } },
        ],
        [{ name: 'edit_file', arguments: DIVIDE_FIX }],
      ]),
    ));
    const h = track(makeSession(dir, openai(fake), { git: { commit: true, autoPush: true, branch: 'current' } }), dir);
    await h.session.deploy();
    const done = await h.waitFor('done');
    assert.equal(done.healed, true, done.reason);
    await h.dispose();
    assertCommitIsTheFix(dir);
    assert.equal(execFileSync('git', ['--git-dir', bare, 'rev-parse', 'main'], { encoding: 'utf8' }).trim(), git(dir, 'rev-parse', 'HEAD'), 'pushed');
    assert.doesNotMatch(git(dir, 'show', 'HEAD:app.py'), /WIP/, 'the user’s edit is not committed');
    const now = readFileSync(path.join(dir, 'app.py'), 'utf8');
    assert.match(now, /WIP: switch to argparse/, 'the user’s edit is still in the working tree');
    assert.ok(now.includes(DIVIDE_FIX.new_text));
    assert.deepEqual(git(dir, 'diff', '--name-only').split('\n'), ['app.py'], 'only app.py has uncommitted edits');
    assert.match(git(dir, 'diff', '--', 'app.py'), /^\+import sys {2}# WIP: switch to argparse$/m, 'and they are the user’s');
    assert.doesNotMatch(git(dir, 'diff', '--', 'app.py'), /^[+-].*if people else/m, 'not the fix');
    assert.equal(git(dir, 'diff', '--cached'), '');
    assert.equal(readFileSync(path.join(dir, '.gitignore'), 'utf8'), '.env\n*.pem\nwip/\n');
    assert.equal(existsSync(path.join(dir, ':(glob)**')), false);
    outsideUnchanged();
  });

  it('4: review mode, the model edits through symlinks into the workspace and out of it: not healed, nothing anywhere changed', async () => {
    const dir = exampleRepo('python-divide');
    symlinkSync(dir, path.join(dir, 'mirror')); // absolute: in a scratch copy it still names the real workspace
    symlinkSync('..', path.join(dir, 'up')); // relative: in a scratch copy it names the copy's parent
    symlinkSync(outside, path.join(dir, 'shared'));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'links');
    const before = linkSafeSnapshot(dir);
    const head = git(dir, 'rev-parse', 'HEAD');
    const fake = cleanup.serve(await startFakeLlm(
      scriptedModel([
        [
          { name: 'edit_file', arguments: { ...DIVIDE_FIX, path: 'mirror/app.py' } },
          { name: 'write_file', arguments: { path: 'up/planted.py', content: 'planted = True\n' } },
          { name: 'write_file', arguments: { path: 'shared/planted.py', content: 'planted = True\n' } },
        ],
      ]),
    ));
    const h = track(makeSession(dir, openai(fake), { mode: 'review', fix: { maxTurns: 4, maxTokens: 500_000, maxCostUsd: 5, dailyCostUsd: 0, timeoutMs: 20_000, maxAttempts: 1 } }), dir);
    await h.session.deploy();
    const done = await h.waitFor('done');
    assert.equal(done.healed, false);
    await h.dispose();
    assert.deepEqual(linkSafeSnapshot(dir), before, 'the workspace is byte-identical');
    assert.equal(git(dir, 'rev-parse', 'HEAD'), head);
    assert.deepEqual(readdirSync(path.dirname(dir)).sort().filter((n) => n === 'planted.py'), [], 'nothing planted next to the workspace');
    outsideUnchanged();
  });

  it('8: a hard link to a file outside is refused (its secret never reaches the model); the verify command runs through the configured Docker host', async () => {
    const dir = exampleRepo('python-divide');
    // A service that keeps running once fixed, so the verify command runs in the scratch container.
    writeFileSync(path.join(dir, 'app.py'), readFileSync(path.join(dir, 'app.py'), 'utf8').replace('import sys', 'import sys, time').replace('    return 0\n', '    time.sleep(3600)\n    return 0\n'));
    git(dir, 'commit', '-qam', 'long-running');
    const secret = `CANARY-HARDLINK-${randomBytes(6).toString('hex')}`;
    const hostFile = path.join(mkdtempSync(path.join(tmpdir(), 'autodev-hostfile-')), 'credentials');
    cleanup.add(() => rmSync(path.dirname(hostFile), { recursive: true, force: true }));
    writeFileSync(hostFile, `token = ${secret}\n`);
    linkSync(hostFile, path.join(dir, 'notes.txt'));
    const fake = cleanup.serve(await startFakeLlm(scriptedModel([[{ name: 'read_file', arguments: { path: 'notes.txt' } }], [{ name: 'edit_file', arguments: DIVIDE_FIX }]])));
    // The environment names an engine that does not answer; the runtime was configured with the real one.
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:9';
    cleanup.add(() => (saved === undefined ? delete process.env.DOCKER_HOST : (process.env.DOCKER_HOST = saved)));
    const h = track(
      makeSession(dir, openai(fake), {
        containerRuntime: new DockerRuntime({ dockerHost: 'unix:///var/run/docker.sock' }),
        verify: { windowSeconds: 2, replayUnsafeMethods: false, command: 'test -f /app/app.py && id -u' },
      }),
      dir,
    );
    await h.session.deploy();
    const done = await h.waitFor('done');
    assert.equal(done.healed, true, done.reason);
    const verify = h.events.find((e) => e.kind === 'verify' && e.result.passed) as { result: { checks: { name: string; passed: boolean; detail: string }[] } } | undefined;
    const check = verify?.result.checks.find((c) => c.name === 'verify command');
    assert.equal(check?.passed, true, JSON.stringify(verify?.result.checks));
    await h.dispose();
    const sent = fake.requests.map((r) => requestText(r.body)).join('\n');
    assert.match(sent, /hard link/, 'the model was told why');
    assert.doesNotMatch(sent, new RegExp(secret), 'the host file’s secret reached the model');
    assert.equal(readFileSync(hostFile, 'utf8'), `token = ${secret}\n`);
    assertCommitIsTheFix(dir);
  });
});
