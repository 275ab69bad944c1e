/**
 * Verdicts that hold on a busy machine: the CLI heal loop (scratch replay verification, apply, in-place watch) runs
 * once on a quiet machine and once with the CPU oversubscribed (busy processes beyond the core count, started and
 * killed by this test), and must reach the same verdicts: the same states, the same checks passed and failed, the
 * same reproducer evidence, the same exit code. It compares verdicts, never timings.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { CpuLoad } from '../../support/cpuLoad';
import { startFakeLlm } from '../../support/fakeLlmServer';
import { editingModel, exampleRepo, git, httpGet, PY_IMAGE, ROOT, runCli, type CliRun, type Edit } from './healTestKit';

const GOOD = { path: 'app.py', old_text: '    return sum(o["amount"] for o in orders) / len(orders)', new_text: '    return sum(o["amount"] for o in orders) / len(orders) if orders else 0.0' };
/** Hides the error: the request still answers 500, so no verdict may call it healed. */
const HIDES = { path: 'app.py', old_text: '        traceback.print_exc()\n', new_text: '        pass  # errors are not logged any more\n' };

interface Verdict {
  exit: number | null;
  healed: boolean;
  states: string[];
  checks: string[][];
  reproducer: { before?: string; after?: string; reproduced?: boolean } | null;
  committed: boolean;
}

function verdictOf(run: CliRun, dir: string): Verdict {
  const done = run.events.at(-1) ?? {};
  return {
    exit: run.code,
    healed: done.healed === true,
    states: run.events.filter((e) => e.kind === 'state').map((e) => e.state),
    checks: run.events.filter((e) => e.kind === 'verify').map((e) => e.checks.map((c: { name: string; passed: boolean }) => `${c.passed ? '✓' : '✗'} ${c.name}`)),
    reproducer: done.reproducer ? { before: done.reproducer.before, after: done.reproducer.after, reproduced: done.reproducer.reproduced } : null,
    committed: /Auto-fix/.test(git(dir, 'log', '-1', '--format=%s')),
  };
}

/** Heals python-http-stats with a scripted model making `fix`; under CPU load when `loaded`. */
async function heal(fix: Edit, loaded: boolean): Promise<{ verdict: Verdict; run: CliRun }> {
  const dir = exampleRepo('python-http-stats');
  const fake = await startFakeLlm(editingModel(() => fix));
  const load = loaded ? CpuLoad.start(3) : null;
  try {
    let sent = false;
    const run = await runCli(
      ['heal', dir, '--provider', 'openai', '--base-url', fake.url, '--model', 'fake-model', '--image', PY_IMAGE, '--yes', '--commit', '--verify-seconds', '2', '--max-attempts', '1', '--timeout-seconds', '1200', '--json'],
      (e) => {
        if (e.kind === 'proxy' && !sent) {
          sent = true;
          void httpGet(`${e.url}/stats`);
        }
      },
    );
    if (load) assert.ok(load.running, 'the busy processes spun for the whole run');
    return { verdict: verdictOf(run, dir), run };
  } finally {
    await load?.stop();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const explain = (run: CliRun) =>
  run.events
    .filter((e) => e.kind !== 'log' || /rolled back|attempt|reproducer|ready/.test(e.text))
    .map((e) => (e.kind === 'state' ? `state ${e.state} (${e.reason ?? ''})` : e.kind === 'log' ? `log ${e.text}` : e.kind === 'verify' ? `verify ${JSON.stringify(e.checks)}` : e.kind === 'done' ? `done ${e.reason}` : e.kind))
    .join('\n');

describe('verdicts under CPU load (CLI heal loop, replay verification, in-place watch)', function () {
  this.timeout(30 * 60_000);
  before(() => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  });

  it('heals with "500 before, 200 after" on a loaded machine exactly as on a quiet one', async () => {
    const quiet = await heal(GOOD, false);
    assert.equal(quiet.verdict.healed, true, explain(quiet.run));
    assert.deepEqual(quiet.verdict.reproducer, { before: '500', after: '200', reproduced: true });
    const loaded = await heal(GOOD, true);
    assert.deepEqual(loaded.verdict, quiet.verdict, `under load:\n${explain(loaded.run)}\n\nquiet:\n${explain(quiet.run)}`);
  });

  it('refuses a fix that only hides the error on a loaded machine exactly as on a quiet one (no "healed" from timing)', async () => {
    const quiet = await heal(HIDES, false);
    assert.equal(quiet.verdict.healed, false, explain(quiet.run));
    assert.equal(quiet.verdict.exit, 1);
    const loaded = await heal(HIDES, true);
    assert.deepEqual(loaded.verdict, quiet.verdict, `under load:\n${explain(loaded.run)}\n\nquiet:\n${explain(quiet.run)}`);
  });
});
