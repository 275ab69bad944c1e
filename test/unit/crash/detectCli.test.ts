import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FIXTURE_ROOT } from './fixtureCorpus';

const REPO = path.resolve(__dirname, '../../..');
// AUTODEV_CLI points at an already built CLI (to test a bundle without rebuilding); normally we build.
const CLI = process.env.AUTODEV_CLI ?? path.join(REPO, 'dist', 'cli.js');

function detect(args: string[], input?: string, cwd = REPO) {
  const r = spawnSync(process.execPath, [CLI, 'detect', ...args], { cwd, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('autodev detect (built CLI)', function () {
  this.timeout(180_000);
  let tmp: string;
  before(() => {
    if (!process.env.AUTODEV_CLI) {
      const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, encoding: 'utf8' });
      assert.equal(b.status, 0, `build failed:\n${b.stderr}`);
    }
    tmp = mkdtempSync(path.join(tmpdir(), 'autodev-detect-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('prints one NDJSON report per crash for a log file and exits 0', () => {
    const r = detect([path.join(FIXTURE_ROOT, 'mixed', 'two_runtimes', 'output.log')]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    const reports = lines.map((l) => JSON.parse(l));
    assert.deepEqual(reports.map((x) => x.type), ['ZeroDivisionError', 'TypeError']);
    for (const x of reports) {
      for (const key of ['language', 'type', 'message', 'frames', 'userFrame', 'signature', 'lines']) assert.ok(key in x, key);
    }
  });

  it('reads standard input when the file is -', () => {
    const log = 'starting\nException in thread "main" java.lang.ArithmeticException: / by zero\n\tat Main.main(Main.java:3)\n';
    const r = detect(['-'], log);
    assert.equal(r.code, 0, r.stderr);
    const [x] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(x.type, 'java.lang.ArithmeticException');
    assert.deepEqual(x.userFrame.line, 3);
  });

  it('reports the crashes of eight service families back to back, a JSON record with its level and message', () => {
    const r = detect([path.join(FIXTURE_ROOT, 'mixed', 'services_back_to_back', 'output.log')]);
    assert.equal(r.code, 0, r.stderr);
    const reports = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(
      reports.map((x) => x.language),
      ['python', 'node', 'go', 'java', 'php', 'node', 'ruby', 'dotnet'],
    );
    assert.deepEqual(reports[5].record, { level: 'error', message: "Cannot read properties of undefined (reading 'country')" });
  });

  it('decodes a JSON record longer than a trace line (a 100 KB stack) read from stdin', () => {
    const stack = 'Error: deep\n' + Array.from({ length: 2500 }, (_, i) => `    at f${i} (/app/lib/deep.js:${i + 1}:3)`).join('\n');
    const r = detect(['-'], `{"level":"info","msg":"up"}\n${JSON.stringify({ level: 'error', msg: 'failed', stack })}\n`);
    assert.equal(r.code, 0, r.stderr);
    const [x] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual([x.type, x.userFrame.file, x.userFrame.line, x.record.message], ['Error', '/app/lib/deep.js', 1, 'failed']);
  });

  it('prints nothing for a clean log and exits 0', () => {
    const r = detect([path.join(FIXTURE_ROOT, 'python', 'not_a_crash', 'output.log')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
  });

  it('maps /app frames to workspace files relative to --workspace', () => {
    const r = detect(['--workspace', tmp, path.join(FIXTURE_ROOT, 'python', 'package_module', 'output.log')]);
    const [x] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(x.userFrame.workspaceFile, 'pkg/service.py');
  });

  it('exits 2 with a clear message for a missing file', () => {
    const r = detect([path.join(tmp, 'missing.log')]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /log file not found: .*missing\.log/);
  });

  it('exits 2 with usage help when no file is given', () => {
    const r = detect([]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /one log file, or - to read standard input/);
  });

  it('survives a 10 MB line without a newline before the crash', () => {
    const file = path.join(tmp, 'huge.log');
    writeFileSync(file, 'y'.repeat(10 * 1024 * 1024) + '\npanic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:5 +0x25\nexit status 2\n');
    const r = detect([file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout.trim()).type, 'panic');
  });
});
