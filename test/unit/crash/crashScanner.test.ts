import * as assert from 'node:assert/strict';
import type { CrashReport } from '../../../src/core/crash/crashReport';
import { CrashScanner } from '../../../src/core/crash/crashScanner';
import { createPathMapper } from '../../../src/core/crash/pathMapper';
import type { Disposable } from '../../../src/core/lifecycle';

/** A fake clock and timer: time moves only when the test says so. */
function fakeTime() {
  let now = 0;
  const timers: { at: number; fn: () => void; live: boolean }[] = [];
  return {
    now: () => now,
    setTimer: (fn: () => void, ms: number): Disposable => {
      const t = { at: now + ms, fn, live: true };
      timers.push(t);
      return { dispose: () => void (t.live = false) };
    },
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        now = due.at;
        due.live = false;
        due.fn();
      }
      now = end;
    },
    pending: () => timers.filter((t) => t.live).length,
  };
}

const PY = [
  'Traceback (most recent call last):',
  '  File "/app/main.py", line 4, in <module>',
  '    total = 1 / 0',
  'ZeroDivisionError: division by zero',
];

function scanner(extra: Partial<ConstructorParameters<typeof CrashScanner>[0]> = {}) {
  const time = fakeTime();
  const s = new CrashScanner({ quietMs: 150, setTimer: time.setTimer, now: time.now, ...extra });
  const seen: CrashReport[] = [];
  s.onCrash((r) => seen.push(r));
  return { s, seen, time };
}

describe('CrashScanner (live stream)', () => {
  it('emits a Python crash after a quiet period when no further line comes', () => {
    const { s, seen, time } = scanner();
    for (const l of PY) s.push(l, 'stderr');
    assert.equal(seen.length, 0, 'a chained exception could still follow');
    time.advance(149);
    assert.equal(seen.length, 0);
    time.advance(1);
    assert.equal(seen.length, 1);
    assert.equal(seen[0].type, 'ZeroDivisionError');
    assert.deepEqual(seen[0].lines, [1, 4]);
  });

  it('tags each crash with the container run that wrote it; a trace never spans a restart', () => {
    const { s, seen, time } = scanner();
    // Run 1 is cut by a restart after two lines of its trace; run 2 then crashes in full.
    s.push(PY[0], 'stderr', 1);
    s.push(PY[1], 'stderr', 1);
    for (const l of PY) s.push(l, 'stderr', 2);
    time.advance(150);
    assert.deepEqual(seen.map((r) => [r.run, r.type, r.lines]), [[2, 'ZeroDivisionError', [3, 6]]], 'the cut trace of run 1 is not glued to run 2');
    for (const l of PY) s.push(l, 'stderr', 3);
    s.push('late line', 'stderr', 3);
    assert.deepEqual(seen.map((r) => r.run), [2, 3]);
  });

  it('emits at once on the next unrelated line, without waiting for the timer', () => {
    const { s, seen } = scanner();
    for (const l of PY) s.push(l, 'stderr');
    s.push('INFO restarting worker', 'stderr');
    assert.equal(seen.length, 1);
  });

  it('emits a Node crash the moment its closing brace arrives', () => {
    const { s, seen } = scanner();
    for (const l of ['Error: boom', '    at main (/app/x.js:3:9) {', "  code: 'E_BOOM'", '}']) s.push(l, 'stderr');
    assert.equal(seen.length, 1);
    assert.equal(seen[0].type, 'Error');
  });

  it('keeps waiting on a trace cut before its exception line, and flush() still emits nothing bogus', () => {
    const { s, seen, time } = scanner();
    s.push(PY[0], 'stderr');
    s.push(PY[1], 'stderr');
    time.advance(1000);
    assert.equal(seen.length, 0);
    s.push(PY[2], 'stderr');
    s.push(PY[3], 'stderr');
    s.flush();
    assert.equal(seen.length, 1, 'the trace completed after a pause is one crash');
  });

  it('emits on flush() at the end of the stream', () => {
    const { s, seen } = scanner({ quietMs: Infinity });
    for (const l of PY) s.push(l, 'stderr');
    assert.equal(seen.length, 0);
    s.flush();
    assert.equal(seen.length, 1);
  });

  it('keeps one trace per stream, so stdout chatter does not cut a stderr traceback', () => {
    const { s, seen } = scanner();
    s.push(PY[0], 'stderr');
    s.push('GET /health 200', 'stdout');
    s.push(PY[1], 'stderr');
    s.push('GET /health 200', 'stdout');
    s.push(PY[2], 'stderr');
    s.push(PY[3], 'stderr');
    s.flush();
    assert.equal(seen.length, 1);
    assert.deepEqual(seen[0].lines, [1, 6], 'line numbers count every pushed line');
    assert.deepEqual([seen[0].userFrame?.file, seen[0].userFrame?.line], ['/app/main.py', 4]);
  });

  it('reports a chained exception once, as the last exception', () => {
    const { s, seen, time } = scanner();
    const chained = [
      'Traceback (most recent call last):',
      '  File "/app/main.py", line 2, in <module>',
      "KeyError: 'a'",
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      ...PY,
    ];
    for (const l of chained) s.push(l, 'stderr');
    time.advance(200);
    assert.deepEqual(seen.map((r) => r.type), ['ZeroDivisionError']);
  });

  it('strips ANSI colour codes and accepts several lines in one push', () => {
    const { s, seen } = scanner();
    s.push('\x1b[31mTypeError: x is not a function\x1b[0m\n    at run (/app/a.js:2:3)\n    at /app/a.js:5:1\n', 'stderr');
    s.flush();
    assert.equal(seen.length, 1);
    assert.equal(seen[0].type, 'TypeError');
    assert.equal(s.lines, 3);
  });

  it('maps frames through the path mapper and marks frames that map nowhere', () => {
    const { s, seen } = scanner({ pathMapper: createPathMapper({ workspaceDir: '/ws' }) });
    for (const l of [
      'Traceback (most recent call last):',
      '  File "/app/pkg/run.py", line 9, in main',
      '  File "/usr/local/lib/python3.11/json/__init__.py", line 346, in loads',
      'json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)',
    ])
      s.push(l, 'stderr');
    s.flush();
    const r = seen[0];
    assert.equal(r.frames[0].workspaceFile, undefined);
    assert.equal(r.frames[0].user, false);
    assert.equal(r.frames[1].workspaceFile, 'pkg/run.py');
    assert.equal(r.userFrame?.workspaceFile, 'pkg/run.py');
    assert.equal(r.signature, 'json.decoder.JSONDecodeError|main|pkg/run.py');
  });

  it('stops emitting and cancels its timer when disposed', () => {
    const { s, seen, time } = scanner();
    for (const l of PY) s.push(l, 'stderr');
    s.dispose();
    time.advance(1000);
    s.push('next', 'stderr');
    s.flush();
    assert.equal(seen.length, 0);
    assert.equal(time.pending(), 0);
  });

  it('emits a trace that never completes after a long quiet spell (the process died mid-write)', () => {
    const { s, seen, time } = scanner();
    s.push('Exception in thread "main" java.lang.IllegalStateException: half', 'stderr');
    s.push('\tat com.acme.Main.main(Main.java:3)', 'stderr');
    time.advance(150);
    assert.equal(seen.length, 1, 'a Java trace with a frame is complete enough');
  });
});

describe('CrashScanner early announcement (onCrashSeen)', () => {
  function early(extra: Partial<ConstructorParameters<typeof CrashScanner>[0]> = {}) {
    const k = scanner({ early: true, ...extra });
    const order: string[] = [];
    const announced: CrashReport[] = [];
    k.s.onCrashSeen((r) => {
      announced.push(r);
      order.push(`seen ${r.type}`);
    });
    k.s.onCrash((r) => order.push(`final ${r.type}`));
    return { ...k, announced, order };
  }

  it('announces a Python traceback on its exception line, before the quiet period decides its final form', () => {
    const { s, seen, announced, time } = early();
    for (const l of PY.slice(0, 3)) s.push(l, 'stderr');
    assert.equal(announced.length, 0, 'no exception line yet: not complete');
    s.push(PY[3], 'stderr');
    assert.equal(announced.length, 1, 'the line that completes the trace announces it, with no timer');
    assert.equal(announced[0].type, 'ZeroDivisionError');
    assert.deepEqual([announced[0].userFrame?.file, announced[0].userFrame?.line], ['/app/main.py', 4]);
    assert.equal(seen.length, 0, 'the final report still waits: a chained exception could follow');
    time.advance(150);
    assert.equal(seen.length, 1);
    assert.equal(announced.length, 1, 'announced once');
  });

  it('announces the first complete part of a chain; the final report is the exception it caused', () => {
    const { s, announced, seen, order, time } = early();
    for (const l of ['Traceback (most recent call last):', '  File "/app/main.py", line 2, in <module>', "KeyError: 'a'"]) s.push(l, 'stderr');
    assert.deepEqual(announced.map((r) => r.type), ['KeyError']);
    for (const l of ['', 'During handling of the above exception, another exception occurred:', '', ...PY]) s.push(l, 'stderr');
    time.advance(200);
    assert.deepEqual(seen.map((r) => [r.type, r.lines]), [['ZeroDivisionError', [1, 10]]]);
    assert.deepEqual(announced[0].lines, [1, 3], 'the announcement is a snapshot, not the growing trace');
    assert.equal(announced[0].causes, undefined);
    assert.deepEqual(order, ['seen KeyError', 'final ZeroDivisionError']);
  });

  it('announces a trace decided on its own closing line together with its final report, in that order', () => {
    const { s, order } = early();
    s.push(
      [
        '/app/a.js:2',
        '  x.y();',
        '    ^',
        '',
        'TypeError: Cannot read properties of undefined',
        '    at run (/app/a.js:2:5)',
        '    at Object.<anonymous> (/app/a.js:5:1)',
        '',
        'Node.js v20.11.1',
      ].join('\n'),
      'stderr',
    );
    assert.deepEqual(order, ['seen TypeError', 'final TypeError']);
  });

  it('announces a JSON log record holding a stack with its final report', () => {
    const { s, order } = early();
    s.push(JSON.stringify({ level: 50, msg: 'boom', err: { type: 'TypeError', stack: 'TypeError: boom\n    at handler (/app/server.js:9:11)' } }), 'stdout');
    assert.deepEqual(order, ['seen TypeError', 'final TypeError']);
  });

  it('announces a trace that never looked complete just before it is flushed', () => {
    const { s, order } = early();
    s.push('Traceback (most recent call last):', 'stderr');
    s.push('  File "/app/main.py", line 4, in <module>', 'stderr');
    s.flush();
    assert.deepEqual(order, [], 'not a crash: nothing announced');
    // A Go panic cut after its goroutine header (the process died mid-write) is incomplete, yet a crash when forced.
    for (const l of ['panic: boom', '', 'goroutine 1 [running]:']) s.push(l, 'stderr');
    assert.deepEqual(order, [], 'incomplete: not announced yet');
    s.flush();
    assert.deepEqual(order, ['seen panic', 'final panic']);
  });

  it('is off by default and never fires for a whole log', () => {
    for (const opts of [{}, { early: true, wholeLog: true }]) {
      const { s } = scanner(opts);
      const announced: CrashReport[] = [];
      s.onCrashSeen((r) => announced.push(r));
      for (const l of PY) s.push(l, 'stderr');
      s.flush();
      assert.equal(announced.length, 0, JSON.stringify(opts));
    }
  });
});
