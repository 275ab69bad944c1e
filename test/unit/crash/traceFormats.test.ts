// Formats of runtime versions not installed here (Ruby 3.4, Rust < 1.73, Go in the official image, ...),
// copied from what those versions print, plus the collector prefixes logs arrive with.
import * as assert from 'node:assert/strict';
import { scanText } from '../../../src/core/crash/scanText';

const one = (log: string) => {
  const r = scanText(log);
  assert.equal(r.length, 1, `expected one crash, got ${JSON.stringify(r.map((x) => x.type))}`);
  return r[0];
};

describe('trace formats of other runtime versions and log collectors', () => {
  it('reads Ruby 3.4 quote-style backtraces with Class#method names', () => {
    const r = one(
      [
        "main.rb:2:in 'Integer#/': divided by 0 (ZeroDivisionError)",
        "\tfrom main.rb:2:in 'Object#average'",
        "\tfrom main.rb:6:in '<main>'",
      ].join('\n'),
    );
    assert.equal(r.type, 'ZeroDivisionError');
    assert.deepEqual([r.userFrame?.file, r.userFrame?.line], ['main.rb', 2]);
    assert.equal(r.frames.length, 3);
  });

  it('skips Ruby gem frames to find the app frame', () => {
    const r = one(
      [
        "/usr/local/bundle/gems/json-2.7.1/lib/json/common.rb:219:in 'JSON::Ext::Parser.parse': unexpected token at 'x' (JSON::ParserError)",
        "\tfrom /usr/local/bundle/gems/json-2.7.1/lib/json/common.rb:219:in 'JSON.parse'",
        "\tfrom /app/app.rb:5:in 'Config.load'",
        "\tfrom /app/app.rb:9:in '<main>'",
      ].join('\n'),
    );
    assert.equal(r.type, 'JSON::ParserError');
    assert.deepEqual([r.userFrame?.file, r.userFrame?.line], ['/app/app.rb', 5]);
  });

  it('reads the pre-1.73 Rust panic format with the message in quotes', () => {
    const r = one(
      [
        "thread 'main' panicked at 'called `Result::unwrap()` on an `Err` value: ParseIntError { kind: InvalidDigit }', src/config.rs:12:38",
        'note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace',
      ].join('\n'),
    );
    assert.equal(r.type, 'panic');
    assert.ok(r.message.startsWith('called `Result::unwrap()`'));
    assert.deepEqual([r.userFrame?.file, r.userFrame?.line], ['src/config.rs', 12]);
  });

  it('falls back to the backtrace when a Rust panic location is inside a crate from the registry', () => {
    const r = one(
      [
        "thread 'main' panicked at /root/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde_json-1.0.1/src/de.rs:40:9:",
        'boom',
        'stack backtrace:',
        '   0: rust_begin_unwind',
        '             at /rustc/abc/library/std/src/panicking.rs:652:5',
        '   1: serde_json::de::from_str',
        '             at /root/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde_json-1.0.1/src/de.rs:40:9',
        '   2: app::load',
        '             at ./src/main.rs:7:5',
        'note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.',
      ].join('\n'),
    );
    assert.deepEqual([r.userFrame?.file, r.userFrame?.line, r.userFrame?.function], ['./src/main.rs', 7, 'app::load']);
  });

  it('treats Go frames under /usr/local/go and the module cache as runtime and library code', () => {
    const r = one(
      [
        'panic: runtime error: slice bounds out of range [:5] with capacity 3',
        '',
        'goroutine 18 [running]:',
        'github.com/acme/lib.Head(...)',
        '\t/go/pkg/mod/github.com/acme/lib@v1.2.0/head.go:9',
        'main.handler({0x7f2b8c, 0xc0000a2000}, 0xc0000b4000)',
        '\t/app/server.go:31 +0x1d',
        'net/http.HandlerFunc.ServeHTTP(0x0?, {0x7f2b8c?, 0xc0000a2000?}, 0x0?)',
        '\t/usr/local/go/src/net/http/server.go:2166 +0x29',
        'created by net/http.(*Server).Serve in goroutine 1',
        '\t/usr/local/go/src/net/http/server.go:3285 +0x4b4',
        'exit status 2',
      ].join('\n'),
    );
    assert.equal(r.type, 'panic');
    assert.deepEqual([r.userFrame?.file, r.userFrame?.line, r.userFrame?.function], ['/app/server.go', 31, 'main.handler']);
    assert.equal(r.signature, 'panic|main.handler|/app/server.go');
  });

  it('reads a Python traceback from a Kubernetes CRI log whose timestamps vary in width', () => {
    const r = one(
      [
        '2024-05-01T10:00:00.123456789Z stderr F Traceback (most recent call last):',
        '2024-05-01T10:00:00.12345Z stderr F   File "/app/main.py", line 3, in <module>',
        '2024-05-01T10:00:00.1234567Z stderr F     run()',
        '2024-05-01T10:00:00.1234Z stderr F   File "/app/main.py", line 2, in run',
        '2024-05-01T10:00:00.12Z stderr F     return 1 / 0',
        '2024-05-01T10:00:00.1Z stderr F ZeroDivisionError: division by zero',
        '2024-05-01T10:00:01Z stdout F next request',
      ].join('\n'),
    );
    assert.equal(r.type, 'ZeroDivisionError');
    assert.deepEqual([r.userFrame?.file, r.userFrame?.line], ['/app/main.py', 2]);
    assert.deepEqual(r.lines, [1, 6]);
  });

  it('reads a Java trace logged by logback after a prefixed message line, with Suppressed and ... more', () => {
    const r = one(
      [
        '2024-05-01 10:00:00.000 ERROR 1 --- [nio-8080-exec-1] c.a.OrderController : order failed',
        'java.lang.IllegalStateException: order 7 has no lines',
        '\tat com.acme.OrderService.total(OrderService.java:42)',
        '\tat com.acme.OrderController.get(OrderController.java:18)',
        '\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)',
        '\tSuppressed: java.io.IOException: close failed',
        '\t\tat com.acme.Db.close(Db.java:9)',
        '\t\t... 2 more',
        'Caused by: java.lang.NullPointerException: null',
        '\tat com.acme.Lines.of(Lines.java:5)',
        '\t... 3 common frames omitted',
        '2024-05-01 10:00:00.100  INFO 1 --- [nio-8080-exec-2] c.a.OrderController : ok',
      ].join('\n'),
    );
    assert.equal(r.type, 'java.lang.IllegalStateException');
    // The root cause has user code: its innermost user frame is where the bug is.
    assert.deepEqual([r.userFrame?.file, r.userFrame?.line], ['Lines.java', 5]);
    assert.deepEqual(r.causes, [{ type: 'java.lang.NullPointerException', message: 'null' }]);
    assert.equal(r.frames.length, 3, 'suppressed frames are not the top-level trace');
    assert.deepEqual(r.lines, [2, 11]);
  });

  it('reads a Node trace with Windows-style and eval frames without mapping them to app code', () => {
    const r = one(
      [
        'ReferenceError: foo is not defined',
        '    at eval (eval at run (/app/index.js:4:3), <anonymous>:1:1)',
        '    at run (/app/index.js:4:3)',
        '    at Object.<anonymous> (/app/index.js:7:1)',
      ].join('\n'),
    );
    assert.deepEqual([r.userFrame?.file, r.userFrame?.line], ['/app/index.js', 4]);
  });

  it('takes the outer error of a Node [cause] chain and ignores the nested frames', () => {
    const r = one(
      [
        'Error: request failed',
        '    at fetchUser (/app/api.js:10:11)',
        '    at async main (/app/index.js:3:3) {',
        '  [cause]: TypeError: fetch failed',
        '      at node:internal/deps/undici/undici:12345:11',
        '      at async fetchUser (/app/api.js:8:5)',
        '}',
      ].join('\n'),
    );
    assert.equal(r.type, 'Error');
    assert.equal(r.frames.length, 2);
    assert.deepEqual([r.userFrame?.file, r.userFrame?.line], ['/app/api.js', 10]);
    assert.deepEqual(r.causes, [{ type: 'TypeError', message: 'fetch failed' }]);
  });

  it('reads a Python 3.13 traceback with carets and a nested ExceptionGroup', () => {
    const r = one(
      [
        '  + Exception Group Traceback (most recent call last):',
        '  |   File "/app/main.py", line 9, in <module>',
        '  |     asyncio.run(main())',
        '  |     ~~~~~~~~~~~^^^^^^^^',
        '  |   File "/app/main.py", line 6, in main',
        '  |     async with asyncio.TaskGroup() as tg:',
        '  | ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception)',
        '  +-+---------------- 1 ----------------',
        '    | Traceback (most recent call last):',
        '    |   File "/app/main.py", line 3, in work',
        '    |     return 1 / 0',
        '    |            ~~^~~',
        '    | ZeroDivisionError: division by zero',
        '    +------------------------------------',
      ].join('\n'),
    );
    assert.equal(r.type, 'ExceptionGroup');
    assert.deepEqual([r.userFrame?.file, r.userFrame?.line], ['/app/main.py', 6]);
  });

  it('does not mistake log levels or prose for exception lines inside a traceback', () => {
    const r = one(
      [
        'Traceback (most recent call last):',
        '  File "/app/main.py", line 2, in <module>',
        'INFO: worker 2 started',
        '    x = {}["k"]',
        'worker 3 says hi',
        "KeyError: 'k'",
      ].join('\n'),
    );
    assert.equal(r.type, 'KeyError');
  });

  it('does not take a bare word after stray lines for an exception, but takes a bare exception name', () => {
    const notPython = ['Reading File "settings.toml", line 3, in section db', 'loading plugins', 'Done'].join('\n');
    assert.deepEqual(scanText(notPython), []);
    const bare = one(['Traceback (most recent call last):', '  File "/app/w.py", line 5, in <module>', '    assert ok', 'AssertionError'].join('\n'));
    assert.deepEqual([bare.type, bare.message, bare.userFrame?.line], ['AssertionError', '', 5]);
  });

  it('reads a loguru traceback with blank lines, variable annotations and the > marker', () => {
    const r = one(
      [
        '2024-05-01 10:00:00.000 | ERROR    | __main__:main:10 - job failed',
        'Traceback (most recent call last):',
        '',
        '  File "/app/main.py", line 14, in <module>',
        '    main()',
        '    \u2514 <function main at 0x7f3c>',
        '',
        '> File "/app/main.py", line 10, in main',
        '    ratio(0)',
        '    \u2514 <function ratio at 0x7f3d>',
        '',
        '  File "/app/main.py", line 5, in ratio',
        '    return 1 / n',
        '               \u2514 0',
        '',
        'ZeroDivisionError: division by zero',
      ].join('\n'),
    );
    assert.equal(r.type, 'ZeroDivisionError');
    assert.deepEqual([r.userFrame?.file, r.userFrame?.line, r.frames.length], ['/app/main.py', 5, 3]);
  });

  it('finds two crashes of different runtimes in one stream', () => {
    const r = scanText(
      [
        'Traceback (most recent call last):',
        '  File "/app/a.py", line 1, in <module>',
        'NameError: name \'x\' is not defined',
        'panic: boom',
        '',
        'goroutine 1 [running]:',
        'main.main()',
        '\t/app/main.go:5 +0x25',
      ].join('\n'),
    );
    assert.deepEqual(r.map((x) => [x.type, x.userFrame?.line]), [['NameError', 1], ['panic', 5]]);
  });

  it('ignores non-crash lines that mention errors', () => {
    const log = [
      '0 errors, 2 warnings',
      'KeyError handling enabled',
      '{"level":"error","msg":"Traceback (most recent call last):\\n  File \\"x\\""}',
      '{"level":"error","err":"TypeError: x","stack":"    at foo (/app/x.js:1:1)"}',
      'Error: 3 retries left',
      'Caused by: nothing',
      'thread pool panicked? no',
      'fatal error: none today',
      'goroutine count 12',
      'Exception in thread pool ignored',
    ].join('\n');
    assert.deepEqual(scanText(log), []);
  });
});
