// What long-running services print around a crash: envelopes (compose services, docker timestamps), JSON log
// records, framework formats, the runtime registry and hostile records. Captured logs are in capturedLogs.test.ts;
// these cases take their text from those captures or from the formats they name.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CrashReport } from '../../../src/core/crash/crashReport';
import { CrashScanner } from '../../../src/core/crash/crashScanner';
import { decodeJsonRecord, unwrapLine } from '../../../src/core/crash/logEnvelope';
import { MARKERS, RUNTIMES } from '../../../src/core/crash/runtimeRegistry';
import { scanText } from '../../../src/core/crash/scanText';
import { FIXTURE_ROOT } from './fixtureCorpus';

const fixture = (name: string) => readFileSync(path.join(FIXTURE_ROOT, name, 'output.log'), 'utf8');
const where = (r: CrashReport) => [r.type, r.userFrame?.file, r.userFrame?.line];

describe('crashes in what real services print', () => {
  describe('JSON log records', () => {
    it('keeps the record level, logger and message of a pino record (numeric level) in the report', () => {
      const [r] = scanText(fixture('node/fastify_pino_json'));
      assert.deepEqual(where(r), ['TypeError', '/app/main.js', 4]);
      assert.deepEqual(r.record, { level: 'error', message: "Cannot read properties of undefined (reading 'country')" });
      assert.deepEqual(r.lines, [5, 5], 'the record is one log line');
    });

    it('reads python-json-logger exc_info with its levelname and logger name', () => {
      const [r] = scanText(fixture('python/json_logger_exc_info'));
      assert.deepEqual(r.record, { level: 'ERROR', logger: 'billing', message: 'invoice failed' });
    });

    it('reads ECS flattened keys (error.stack_trace, log.level) and logstash stack_trace', () => {
      const ecs = JSON.stringify({
        '@timestamp': '2024-05-02T09:14:04.120Z',
        'log.level': 'ERROR',
        'log.logger': 'com.acme.Orders',
        message: 'order failed',
        'error.stack_trace': 'java.lang.IllegalStateException: no lines\n\tat com.acme.Orders.total(Orders.java:42)\n\tat java.base/java.lang.Thread.run(Thread.java:833)\n',
      });
      const [r] = scanText(`started\n${ecs}\nnext`);
      assert.deepEqual(where(r), ['java.lang.IllegalStateException', 'Orders.java', 42]);
      assert.deepEqual(r.record, { level: 'ERROR', logger: 'com.acme.Orders', message: 'order failed' });
      const logstash = JSON.stringify({ level: 'ERROR', logger_name: 'x', message: 'm', stack_trace: 'java.lang.RuntimeException: boom\n\tat com.acme.A.b(A.java:3)' });
      assert.deepEqual(where(scanText(logstash)[0]), ['java.lang.RuntimeException', 'A.java', 3]);
    });

    it("rebuilds structlog's dict tracebacks into the traceback Python prints, cause first", () => {
      const rec = {
        event: 'sync failed',
        level: 'error',
        exception: [
          { exc_type: 'RuntimeError', exc_value: 'sync failed', frames: [{ filename: '/app/sync.py', lineno: 20, name: 'run' }] },
          { exc_type: 'KeyError', exc_value: "'id'", frames: [{ filename: '/app/sync.py', lineno: 12, name: 'load' }] },
        ],
      };
      const [r] = scanText(JSON.stringify(rec) + '\n');
      assert.deepEqual(where(r), ['RuntimeError', '/app/sync.py', 20]);
      assert.deepEqual(r.causes, [{ type: 'KeyError', message: "'id'" }]);
    });

    it('decodes a record behind a collector prefix, and leaves records without a stack alone', () => {
      const line = '[2024-05-02 09:14:04] ' + JSON.stringify({ level: 'error', stack: 'Error: x\n    at f (/app/a.js:1:2)' });
      assert.deepEqual(where(scanText(line)[0]), ['Error', '/app/a.js', 1]);
      assert.equal(decodeJsonRecord('{"level":"info","msg":"a\\nb"}'), null);
      assert.equal(decodeJsonRecord('{"level":"error","stack":"Error: x\\n'), null, 'a cut record is not JSON');
    });

    it('survives hostile records: deep nesting, non-string stacks, a megabyte of frames, prototype keys', () => {
      const deep = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
      const many = JSON.stringify({ level: 'error', stack: 'Error: big\n' + '    at f (/app/a.js:1:2)\n'.repeat(40_000) });
      const proto = '{"__proto__":{"stack":"Error: p\\n    at f (/app/p.js:1:2)"},"constructor":{"stack":1},"stack":["x\\n"]}';
      const r = scanText([deep + '\\n', many, proto, '{"stack":null,"x":"\\n"}'].join('\n'));
      // The megabyte record is past the line cap: cut, so no longer JSON; `__proto__` is an own key of parsed JSON.
      assert.deepEqual(r.map(where), [['Error', '/app/p.js', 1]]);
    });
  });

  describe('envelopes', () => {
    it('strips compose prefixes (v2 and v1 names, empty lines) and names the service', () => {
      assert.deepEqual(unwrapLine('web-1  | Traceback'), { service: 'web-1', body: 'Traceback' });
      assert.deepEqual(unwrapLine('api_2 |   File "x"'), { service: 'api_2', body: '  File "x"' });
      assert.deepEqual(unwrapLine('web-1  |'), { service: 'web-1', body: '' });
      assert.deepEqual(unwrapLine('a | b'), { service: '', body: 'a | b' }, 'a table row is no compose prefix');
    });

    it('keeps the traces of two compose services apart when their lines interleave', () => {
      const py = fixture('python/zero_division').trimEnd().split('\n').map((l) => `api-1     | ${l}`);
      const node = fixture('node/uncaught_type_error').trimEnd().split('\n').map((l) => `worker-1  | ${l}`);
      const mixed: string[] = [];
      for (let i = 0; i < Math.max(py.length, node.length); i++) {
        if (i < py.length) mixed.push(py[i]);
        if (i < node.length) mixed.push(node[i]);
      }
      const got = scanText(mixed.join('\n')).map(where);
      const alone = [...scanText(fixture('python/zero_division')), ...scanText(fixture('node/uncaught_type_error'))].map(where);
      assert.deepEqual(got.sort(), alone.sort());
    });
  });

  describe('framework formats', () => {
    it('reads Node frames indented by two spaces', () => {
      const r = scanText(['request failed', 'TypeError: x is not a function', '  at handle (/app/routes.js:12:5)', '  at /app/node_modules/express/lib/router/layer.js:95:5', 'GET /x 500'].join('\n'));
      assert.deepEqual(where(r[0]), ['TypeError', '/app/routes.js', 12]);
    });

    it('takes the panicking goroutine of a dump even when it is not the first', () => {
      const r = scanText(
        [
          'panic: runtime error: invalid memory address or nil pointer dereference',
          '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a1b2c]',
          '',
          'goroutine 7 [select]:',
          'main.poll(0xc000010000)',
          '\t/app/poll.go:30 +0x85',
          'created by main.main',
          '\t/app/main.go:11 +0x4f',
          '',
          'goroutine 9 [running]:',
          'panic({0x4b6f20, 0x5a8c10})',
          '\t/usr/local/go/src/runtime/panic.go:770 +0x132',
          'main.(*Store).Get(0x0, {0x4e0a1b, 0x3})',
          '\t/app/store.go:21 +0x1d',
          'created by main.main',
          '\t/app/main.go:12 +0x66',
          'exit status 2',
        ].join('\n'),
      );
      assert.deepEqual(where(r[0]), ['panic', '/app/store.go', 21]);
    });

    it('emits a net/http recovered panic as soon as its `created by` frame is read (the server keeps running)', () => {
      const scanner = new CrashScanner({ quietMs: Infinity });
      const seen: CrashReport[] = [];
      scanner.onCrash((r) => seen.push(r));
      for (const l of fixture('go/http_recovered_panic').split('\n').slice(0, 21)) scanner.push(l, 'stderr');
      assert.deepEqual(seen.map(where), [['panic', '/app/main.go', 10]], 'no next line and no timer needed');
      scanner.dispose();
    });

    it('emits a PHP fatal error at its `thrown in` line', () => {
      const scanner = new CrashScanner({ quietMs: Infinity });
      const seen: CrashReport[] = [];
      scanner.onCrash((r) => seen.push(r));
      for (const l of fixture('php/uncaught_exception').trimEnd().split('\n')) scanner.push(l, 'stderr');
      assert.deepEqual(seen.map(where), [['InvalidArgumentException', '/app/main.php', 4]]);
      scanner.dispose();
    });

    it('reads a .NET trace without symbols: no file, so no user frame, but the type and message', () => {
      const [r] = scanText(['Unhandled exception. System.IO.FileNotFoundException: Could not find file \'/app/settings.json\'.', '   at Microsoft.Win32.SafeHandles.SafeFileHandle.Open(String fullPath)', '   at App.Settings.Load()', '   at App.Program.Main(String[] args)'].join('\n'));
      assert.equal(r.type, 'System.IO.FileNotFoundException');
      assert.equal(r.language, 'dotnet');
      assert.equal(r.userFrame, null);
      assert.equal(r.frames.length, 3);
    });

    it('never takes a dependency frame as the user frame, whatever the runtime', () => {
      const deps = [
        ['node', { file: '/app/node_modules/x/index.js', line: 1, function: 'f' }],
        ['python', { file: '/usr/local/lib/python3.11/site-packages/x.py', line: 1, function: 'f' }],
        ['php', { file: '/app/vendor/acme/x.php', line: 1, function: 'f' }],
        ['go', { file: '/usr/local/go/src/net/http/server.go', line: 1, function: 'net/http.(*conn).serve' }],
        ['java', { file: 'DispatcherServlet.java', line: 1, function: 'org.springframework.web.servlet.DispatcherServlet.doService' }],
        ['dotnet', { file: '/_/src/libraries/System.Linq/src/Sum.cs', line: 1, function: 'System.Linq.Enumerable.Sum(IEnumerable`1 source)' }],
        ['ruby', { file: 'actionpack (6.1.7) lib/action_controller/metal.rb', line: 1, function: 'dispatch' }],
      ] as const;
      for (const [lang, frame] of deps) {
        const spec = RUNTIMES.find((r) => r.language === lang)!;
        assert.equal(spec.isUserFrame(frame), false, `${lang}: ${frame.file}`);
      }
    });
  });

  it('lists every runtime once, and every marker with at least one start', () => {
    const names = RUNTIMES.map((r) => r.language);
    assert.deepEqual([...new Set(names)], names);
    for (const l of ['python', 'node', 'java', 'go', 'rust', 'ruby', 'dotnet', 'php']) assert.ok(names.includes(l as never), l);
    for (const m of MARKERS) assert.ok(m.starts.length > 0 && m.marker.length >= 4, m.marker);
  });
});
