import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startFakeLlm, type FakeLlm } from '../../support/fakeLlmServer';
import { CLI, editingModel, exampleRepo, git, httpGet, PY_IMAGE, ROOT, runCli, snapshot } from './healTestKit';

const STATS_FIX = { path: 'app.py', old_text: '    return sum(o["amount"] for o in orders) / len(orders)', new_text: '    return sum(o["amount"] for o in orders) / len(orders) if orders else 0.0' };

function containersOf(dir: string): string[] {
  const id = createHash('sha256').update(realpathSync(dir)).digest('hex').slice(0, 16);
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=autodev.workspace=${id}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

describe('autodev heal CLI (real Docker, fake LLM over HTTP)', function () {
  this.timeout(240_000);
  let fake: FakeLlm | null = null;
  const dirs: string[] = [];
  before(() => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  });
  afterEach(async () => {
    await fake?.close();
    fake = null;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('heals python-http-stats end to end with --json --provider openai: url event, model/request records, reproducer, commit, then replay lists the exchanges', async () => {
    const dir = exampleRepo('python-http-stats');
    dirs.push(dir);
    fake = await startFakeLlm(editingModel(() => STATS_FIX));
    let sent = false;
    const run = await runCli(
      ['heal', dir, '--provider', 'openai', '--base-url', fake.url, '--model', 'fake-model', '--image', PY_IMAGE, '--yes', '--commit', '--verify-seconds', '2', '--timeout-seconds', '180', '--json'],
      (e) => {
        if (e.kind === 'proxy' && !sent) {
          sent = true;
          void httpGet(`${e.url}/stats`);
        }
      },
      { AUTODEV_API_KEY: 'sk-canary-cli-key-0000000000000000' },
    );
    assert.equal(run.code, 0, run.stderr + run.stdout.slice(-3000));
    assert.ok(run.events.every((e) => typeof e.kind === 'string'), 'every line has a kind');
    const proxy = run.events.find((e) => e.kind === 'proxy');
    assert.match(proxy?.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const requests = run.events.filter((e) => e.kind === 'model/request');
    assert.equal(requests.length, 2);
    for (const r of requests) {
      assert.ok(Array.isArray(r.files) && typeof r.logLines === 'number' && typeof r.redactions === 'object' && typeof r.tokens === 'object' && 'costUsd' in r, JSON.stringify(r));
    }
    assert.equal(requests[0].files[0].path, 'app.py');
    const done = run.events.at(-1)!;
    assert.equal(done.kind, 'done');
    assert.equal(done.healed, true);
    assert.equal(done.reproducer.before, '500');
    assert.equal(done.reproducer.after, '200');
    assert.match(git(dir, 'log', '-1', '--format=%s'), /^🩹 Auto-fix: ZeroDivisionError in app\.py:\d+$/);
    assert.ok(!run.stdout.includes('sk-canary-cli-key'), 'the API key never appears in the output');
    assert.ok(!fake.requests.some((r) => r.raw.includes('sk-canary-cli-key')), 'nor in a request body');
    assert.deepEqual(containersOf(dir), [], 'no container left');

    const replay = spawnSync(process.execPath, [CLI, 'replay', dir], { encoding: 'utf8' });
    assert.equal(replay.status, 0, replay.stderr);
    assert.match(replay.stdout, /GET\s+\/stats\s+-> 500/);
  });

  it('without --yes prints the verified diff, says review is required, exits 1 and changes nothing', async () => {
    const dir = exampleRepo('python-divide');
    dirs.push(dir);
    const before = snapshot(dir);
    const run = await runCli(['heal', dir, '--image', PY_IMAGE, '--verify-seconds', '2', '--timeout-seconds', '120']);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /^[-+].*return total \/ len\(people\)/m);
    assert.match(run.stdout, /review required: rerun with --yes/);
    assert.deepEqual(snapshot(dir), before);
  });

  it('cleans up on Ctrl-C mid-fix: no container, no half-written file', async () => {
    const dir = exampleRepo('python-divide');
    dirs.push(dir);
    const before = snapshot(dir);
    let interrupted = false;
    fake = await startFakeLlm(() => {
      return { stall: true };
    });
    const start = Date.now();
    const run = await runCli(['heal', dir, '--provider', 'openai', '--base-url', fake.url, '--model', 'm', '--image', PY_IMAGE, '--yes', '--json'], (e, child) => {
      if (e.kind === 'state' && e.state === 'FIXING' && !interrupted) {
        interrupted = true;
        // Let the request reach the model first.
        const poll = setInterval(() => {
          if (fake!.requests.length > 0 || Date.now() - start > 60_000) {
            clearInterval(poll);
            child.kill('SIGINT');
          }
        }, 100);
      }
    });
    assert.ok(interrupted);
    assert.equal(run.code, 130, run.stderr);
    assert.deepEqual(containersOf(dir), []);
    assert.deepEqual(snapshot(dir), before);
    assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp')));
  });

  it('reaching --timeout-seconds is FAILED: exit 1, a FAILED state and a done event, no container left', async () => {
    const dir = exampleRepo('python-http-stats');
    dirs.push(dir);
    const run = await runCli(['heal', dir, '--image', PY_IMAGE, '--timeout-seconds', '4', '--json']);
    assert.equal(run.code, 1, run.stderr);
    assert.ok(run.events.some((e) => e.kind === 'state' && e.state === 'FAILED' && /timeout/.test(e.reason)));
    const done = run.events.at(-1)!;
    assert.equal(done.kind, 'done');
    assert.match(done.reason, /timeout: not healed within 4 s/);
    assert.deepEqual(containersOf(dir), []);
  });

  it('exits 2 on usage errors with a clear message', async () => {
    const missing = await runCli(['heal', path.join(tmpdir(), 'no-such-dir-autodev')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /is not a directory/);
    const flag = await runCli(['heal', '.', '--frobnicate']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /unknown flag --frobnicate/);
    const plain = mkdtempSync(path.join(tmpdir(), 'autodev-plain-'));
    dirs.push(plain);
    const notRepo = await runCli(['heal', plain, '--commit']);
    assert.equal(notRepo.code, 2);
    assert.match(notRepo.stderr, /not one \(git init it first\)/);
  });
});
