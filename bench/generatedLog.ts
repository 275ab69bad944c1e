/**
 * Generates the detection benchmark's log: realistic service output (access logs, JSON logs, SQL debug lines, lines
 * that merely mention errors) with ~1 % of its lines inside real-shaped Python and Node stack traces.
 */

export interface GeneratedLog {
  text: string;
  lineCount: number;
  /** Lines that belong to a stack trace (including the blank lines inside chained Python traces). */
  traceLineCount: number;
  /** How many separate crashes were written (a chained traceback is one crash). */
  crashCount: number;
}

/** Deterministic PRNG (mulberry32) so every run scans the same log. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PATHS = ['/api/items', '/api/users', '/health', '/stats', '/api/orders', '/login', '/static/app.css'];
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'];

function stamp(i: number): string {
  const ms = 1_714_564_800_000 + i * 7;
  return new Date(ms).toISOString();
}

/** One ordinary line of service output. Some deliberately mention errors without being crashes. */
function noiseLine(i: number, r: () => number): string {
  const k = Math.floor(r() * 100);
  const path = PATHS[Math.floor(r() * PATHS.length)];
  const id = Math.floor(r() * 100_000);
  if (k < 30) return `${stamp(i)} INFO  request GET ${path}/${id} 200 ${1 + Math.floor(r() * 40)}ms`;
  if (k < 50) return `127.0.0.1 - - [01/May/2024:12:00:${String(i % 60).padStart(2, '0')} +0000] "GET ${path} HTTP/1.1" 200 ${Math.floor(r() * 9000)} "-" "Mozilla/5.0"`;
  if (k < 65) return `{"level":"info","ts":"${stamp(i)}","msg":"cache lookup","key":"user:${id}","hit":${r() < 0.8},"ms":${(r() * 2).toFixed(2)}}`;
  if (k < 75) return `${stamp(i)} DEBUG sql: SELECT id, name, email FROM users WHERE id = $1 [${id}] (${(r() * 3).toFixed(2)} ms)`;
  if (k < 82) return `worker ${id % 8} processed batch ${i} in ${Math.floor(r() * 900)}ms (0 errors, ${Math.floor(r() * 3)} retries)`;
  if (k < 86) return `{"level":"error","ts":"${stamp(i)}","msg":"upstream timeout","service":"payments","retry":${id % 3}}`;
  if (k < 88) return `${stamp(i)} WARN  KeyError handling enabled for legacy clients; ValueError count=0`;
  if (k < 94) return `${stamp(i)} INFO  user ${USERS[id % USERS.length]} logged in from 10.0.${id % 255}.${i % 255}`;
  return `\x1b[32m${stamp(i)} INFO\x1b[0m  scheduler tick ${i}: ${Math.floor(r() * 40)} jobs queued`;
}

/** A Python traceback through library frames into user code, as CPython 3.11 prints it. */
function pythonTrace(n: number, r: () => number): string[] {
  const variant = n % 4;
  const user = [
    '  File "/app/app.py", line 88, in <module>',
    '    main()',
    '  File "/app/app.py", line 81, in main',
    '    report = build_report(load_stats())',
    `  File "/app/services/stats.py", line ${20 + (n % 30)}, in build_report`,
    '    ratio = stats["hits"] / stats["total"]',
    '            ~~~~~~~~~~~~~~^~~~~~~~~~~~~~~~~',
  ];
  if (variant === 0) return ['Traceback (most recent call last):', ...user, 'ZeroDivisionError: division by zero'];
  if (variant === 1) {
    return [
      `${stamp(n)} ERROR app: Exception on /stats [GET]`,
      'Traceback (most recent call last):',
      '  File "/usr/local/lib/python3.11/site-packages/flask/app.py", line 1484, in full_dispatch_request',
      '    rv = self.dispatch_request()',
      '         ^^^^^^^^^^^^^^^^^^^^^^^',
      '  File "/usr/local/lib/python3.11/site-packages/flask/app.py", line 1469, in dispatch_request',
      '    return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)',
      '           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
      `  File "/app/routes/stats.py", line ${10 + (n % 20)}, in stats`,
      '    return jsonify(top=items[0]["name"])',
      '                       ~~~~~^^^',
      'IndexError: list index out of range',
    ];
  }
  if (variant === 2) {
    return [
      'Traceback (most recent call last):',
      '  File "/app/db.py", line 12, in get_user',
      '    return USERS[user_id]',
      '           ~~~~~^^^^^^^^^',
      `KeyError: 'u-${1000 + (n % 900)}'`,
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      'Traceback (most recent call last):',
      '  File "/app/app.py", line 40, in <module>',
      '    handle(request)',
      '  File "/app/app.py", line 33, in handle',
      '    user = get_user(request.user_id)',
      '           ^^^^^^^^^^^^^^^^^^^^^^^^^',
      '  File "/app/db.py", line 14, in get_user',
      '    raise LookupError(f"no user {user_id}")',
      `LookupError: no user u-${1000 + (n % 900)}`,
    ];
  }
  return [
    'Traceback (most recent call last):',
    '  File "/app/worker.py", line 52, in <module>',
    '    run(config)',
    '  File "/app/worker.py", line 47, in run',
    '    batch = parse(payload)',
    '  File "/usr/lib/python3.11/json/__init__.py", line 346, in loads',
    '    return _default_decoder.decode(s)',
    '           ^^^^^^^^^^^^^^^^^^^^^^^^^^',
    '  File "/usr/lib/python3.11/json/decoder.py", line 355, in raw_decode',
    '    raise JSONDecodeError("Expecting value", s, err.value) from None',
    `json.decoder.JSONDecodeError: Expecting value: line 1 column ${1 + (r() * 80) | 0} (char 0)`,
  ];
}

/** A Node 20 uncaught exception with its source excerpt, caret and internal frames. */
function nodeTrace(n: number): string[] {
  if (n % 2 === 0) {
    const line = 20 + (n % 40);
    return [
      `/app/server.js:${line}`,
      '    const total = data.items.length;',
      '                             ^',
      '',
      "TypeError: Cannot read properties of undefined (reading 'length')",
      `    at summarize (/app/server.js:${line}:30)`,
      '    at Server.<anonymous> (/app/server.js:12:5)',
      '    at Server.emit (node:events:519:28)',
      '    at parserOnIncoming (node:_http_server:1143:12)',
      '    at HTTPParser.parserOnHeadersComplete (node:_http_common:119:17)',
      '',
      'Node.js v20.11.1',
    ];
  }
  return [
    'file:///app/src/jobs.mjs:9',
    "  throw new RangeError(`invalid batch size ${size}`);",
    '        ^',
    '',
    `RangeError: invalid batch size ${n % 7 - 3}`,
    '    at makeBatches (file:///app/src/jobs.mjs:9:9)',
    '    at file:///app/src/main.mjs:5:1',
    '    at ModuleJob.run (node:internal/modules/esm/module_job:222:25)',
    '    at async ModuleLoader.import (node:internal/modules/esm/loader:316:24)',
    '',
    'Node.js v20.11.1',
  ];
}

/**
 * Builds a log of exactly `lineCount` lines where `traceShare` (default 1 %) of the lines are stack-trace lines,
 * spread evenly; two thirds of the traces are Python, one third Node.
 */
export function generateLog(lineCount: number, traceShare = 0.01, seed = 42): GeneratedLog {
  const r = prng(seed);
  const out: string[] = [];
  let traceLines = 0;
  let crashes = 0;
  while (out.length < lineCount) {
    // Insert a trace whenever the running share of trace lines falls below the target, after some noise.
    if (out.length > 50 && traceLines < traceShare * out.length) {
      const trace = crashes % 3 === 2 ? nodeTrace(crashes) : pythonTrace(crashes, r);
      if (out.length + trace.length + 1 > lineCount) break;
      out.push(...trace);
      traceLines += trace.length;
      crashes++;
      // An unrelated line after each trace, as a live service keeps logging.
      out.push(noiseLine(out.length, r));
      continue;
    }
    out.push(noiseLine(out.length, r));
  }
  while (out.length < lineCount) out.push(noiseLine(out.length, r));
  return { text: out.join('\n') + '\n', lineCount: out.length, traceLineCount: traceLines, crashCount: crashes };
}

/**
 * The same kind of service as JSON lines (pino/winston/python-json-logger records): ~1 % of the records carry a
 * stack in `err.stack`, `stack` or `exc_info` with `\n` escapes, as those loggers print them.
 */
export function generateJsonLog(lineCount: number, seed = 7): GeneratedLog {
  const r = prng(seed);
  const out: string[] = [];
  let crashes = 0;
  for (let i = 0; out.length < lineCount; i++) {
    if (r() < 0.01) {
      const n = crashes++;
      const kind = n % 3;
      if (kind === 0) {
        const stack = nodeTrace(2 * n).filter((l) => /^(?:\w*Error|\s+at )/.test(l)).join('\n');
        out.push(JSON.stringify({ level: 50, time: 1_714_564_800_000 + i, pid: 1, hostname: 'web', reqId: `req-${i}`, err: { type: 'TypeError', message: stack.split('\n')[0], stack }, msg: 'request failed' }));
      } else if (kind === 1) {
        const stack = nodeTrace(2 * n).filter((l) => /^(?:\w*Error|\s+at )/.test(l)).join('\n');
        out.push(JSON.stringify({ level: 'error', message: stack.split('\n')[0], stack, timestamp: stamp(i) }));
      } else {
        out.push(JSON.stringify({ asctime: stamp(i), levelname: 'ERROR', name: 'app', message: 'job failed', exc_info: pythonTrace(4 * n + 2, r).join('\n') }));
      }
      continue;
    }
    const id = Math.floor(r() * 100_000);
    const path = PATHS[Math.floor(r() * PATHS.length)];
    out.push(
      r() < 0.7
        ? `{"level":30,"time":${1_714_564_800_000 + i},"pid":1,"hostname":"web","reqId":"req-${i}","req":{"method":"GET","url":"${path}/${id}"},"msg":"incoming request"}`
        : `{"level":"info","message":"cache lookup","key":"user:${id}","hit":${r() < 0.8},"timestamp":"${stamp(i)}"}`,
    );
  }
  out.length = lineCount;
  return { text: out.join('\n') + '\n', lineCount, traceLineCount: crashes, crashCount: crashes };
}
