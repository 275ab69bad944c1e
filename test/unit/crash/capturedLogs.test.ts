import * as assert from 'node:assert/strict';
import type { CrashReport } from '../../../src/core/crash/crashReport';
import { CrashScanner } from '../../../src/core/crash/crashScanner';
import { createPathMapper } from '../../../src/core/crash/pathMapper';
import { scanText } from '../../../src/core/crash/scanText';
import { loadFixtures, type FixtureCase } from './fixtureCorpus';

function summary(r: CrashReport) {
  return { type: r.type, message: r.message, userFile: r.userFrame?.file ?? null, userLine: r.userFrame?.line ?? null };
}

function assertMatches(c: FixtureCase, reports: CrashReport[]): void {
  const got = reports.map(summary);
  assert.equal(got.length, c.count, `${c.name}: ${got.length} crashes found, expected ${c.count}: ${JSON.stringify(got)}`);
  c.crashes.forEach((e, i) => {
    const g = got[i];
    assert.equal(g.type, e.type, `${c.name} #${i} type`);
    assert.ok(g.message.startsWith(e.message), `${c.name} #${i} message "${g.message}" should start with "${e.message}"`);
    assert.equal(g.userFile, e.userFile, `${c.name} #${i} user file`);
    assert.equal(g.userLine, e.userLine, `${c.name} #${i} user line`);
  });
}

const fixtures = loadFixtures();

describe('crash detection on logs captured from real runtimes', () => {
  it('has a corpus of at least 40 captured cases across six runtimes', () => {
    assert.ok(fixtures.length >= 40, `only ${fixtures.length} fixtures`);
    const langs = new Set(fixtures.map((f) => f.name.split('/')[0]));
    for (const l of ['python', 'node', 'java', 'go', 'rust', 'ruby']) assert.ok(langs.has(l), `no ${l} fixtures`);
  });

  describe('scanText over the whole log', () => {
    for (const c of fixtures) {
      it(`finds ${c.count} crash(es) with the right type, user file and line in ${c.name}`, () => {
        assertMatches(c, scanText(c.log));
      });
    }
  });

  describe('CrashScanner fed line by line', () => {
    for (const c of fixtures) {
      it(`reports the same crashes as scanText for ${c.name}`, () => {
        const scanner = new CrashScanner({ quietMs: Infinity });
        const seen: CrashReport[] = [];
        scanner.onCrash((r) => seen.push(r));
        const lines = c.log.split('\n');
        if (lines[lines.length - 1] === '') lines.pop();
        for (const l of lines) scanner.push(l, 'stderr');
        scanner.flush();
        scanner.dispose();
        assertMatches(c, seen);
        assert.deepEqual(seen.map((r) => r.lines), scanText(c.log).map((r) => r.lines));
      });
    }
  });

  describe('the same logs behind log-collector prefixes on every line', () => {
    const prefixes: [string, (i: number) => string][] = [
      ['docker compose', () => 'svc-1  | '],
      ['RFC 3339 timestamps of varying width', (i) => `2024-05-01T10:00:${String(i % 60).padStart(2, '0')}.${i}Z `],
      ['coloured compose', () => '\x1b[36mweb-1 |\x1b[0m '],
      ['bracketed timestamps', (i) => `[2024-05-01 10:00:0${i % 10},${100 + i}] `],
    ];
    for (const [name, prefix] of prefixes) {
      it(`finds the same crashes with ${name} prefixes`, () => {
        for (const c of fixtures) {
          const lines = c.log.split('\n');
          const prefixed = lines.map((l, i) => (i === lines.length - 1 && l === '' ? '' : prefix(i) + l)).join('\n');
          const got = scanText(prefixed).map(summary);
          assert.deepEqual(got, scanText(c.log).map(summary), c.name);
        }
      });
    }
  });

  it('gives every report 1-based line ranges that hold its trace, in order and without overlap', () => {
    for (const c of fixtures) {
      const total = c.log.split('\n').length;
      let prevLast = 0;
      for (const r of scanText(c.log)) {
        assert.ok(r.lines[0] >= 1 && r.lines[0] <= r.lines[1] && r.lines[1] <= total, `${c.name} lines ${r.lines}`);
        assert.ok(r.lines[0] > prevLast, `${c.name}: overlapping traces`);
        prevLast = r.lines[1];
        assert.ok(r.text && r.text.length > 0, `${c.name}: trace text kept`);
      }
    }
  });

  it('maps /app user frames to workspace files and signs crashes without line numbers', () => {
    const mapper = createPathMapper({ workspaceDir: '/nonexistent-workspace', containerWorkdir: '/app' });
    const c = fixtures.find((f) => f.name === 'python/zero_division')!;
    const [r] = scanText(c.log, { pathMapper: mapper });
    assert.equal(r.userFrame?.workspaceFile, 'main.py');
    assert.equal(r.signature, 'ZeroDivisionError|average|main.py');
    const stdlib = scanText(fixtures.find((f) => f.name === 'python/stdlib_innermost')!.log, { pathMapper: mapper })[0];
    const lib = stdlib.frames.find((f) => f.file.includes('_strptime'))!;
    assert.equal(lib.user, false);
    assert.equal(lib.workspaceFile, undefined, 'a stdlib frame maps nowhere and is kept, marked');
  });

  it('groups repeats of the same crash under one signature and tells different crashes apart', () => {
    const logged = scanText(fixtures.find((f) => f.name === 'node/colored_logged_errors')!.log);
    assert.equal(logged.length, 2);
    assert.equal(logged[0].signature, logged[1].signature);
    const three = scanText(fixtures.find((f) => f.name === 'python/print_exc_twice_then_crash')!.log);
    assert.equal(three[0].signature, three[1].signature);
    assert.notEqual(three[1].signature, three[2].signature);
  });

  it('attaches Java causes and Python chained exceptions to the reported crash', () => {
    const java = scanText(fixtures.find((f) => f.name === 'java/caused_by')!.log)[0];
    assert.equal(java.causes?.[0].type, 'java.lang.NumberFormatException');
    const py = scanText(fixtures.find((f) => f.name === 'python/chained_during_handling')!.log)[0];
    assert.equal(py.causes?.[0].type, 'KeyError');
    const nodeCause = scanText(fixtures.find((f) => f.name === 'node/error_cause')!.log)[0];
    assert.equal(nodeCause.causes?.[0].type, 'SyntaxError');
  });

  it('reports Rust and Go panics with type panic and user function names from the frames', () => {
    const rust = scanText(fixtures.find((f) => f.name === 'rust/explicit_panic_backtrace')!.log)[0];
    assert.equal(rust.userFrame?.function, 'main::validate');
    assert.ok(rust.frames.some((f) => f.file.startsWith('/rustc/') && f.user === false));
    const go = scanText(fixtures.find((f) => f.name === 'go/nil_map')!.log)[0];
    assert.equal(go.userFrame?.function, 'main.(*Cache).Put');
    assert.equal(go.frames[0].user, true);
  });
});
