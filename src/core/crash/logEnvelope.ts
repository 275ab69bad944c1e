/**
 * The envelope around a process's own output, removed per line before the parsers see it: a compose `web-1  | `
 * service prefix (whose name routes the line to that service's trace state), and structured (JSON) log records
 * whose stack-bearing field is expanded into the lines of the trace it holds. Per-line prefixes a process or a
 * collector adds (timestamps, levels, loggers, threads, `docker logs -t`) are learned per trace (LinePrefix).
 */

/** What a JSON log record says besides its stack; kept in the crash report. */
export interface LogRecord {
  level?: string;
  logger?: string;
  message?: string;
}

/** `web-1  | `, `web_1 | ` (docker compose v2 / v1: service name, replica index, padding, bar). */
const COMPOSE = /^([A-Za-z0-9][\w.-]*?[-_]\d+) *\|(?: |$)/;
/** The service a compose-prefixed line came from and the line without the envelope. */
export interface Unwrapped {
  service: string;
  body: string;
}

const NO_SERVICE = '';

/** False for a line without a compose prefix (the common case, one `indexOf`). */
export function mayHaveEnvelope(line: string): boolean {
  const bar = line.indexOf('|');
  return bar > 0 && bar < 80;
}

/** Strips a compose prefix and names the service it came from. */
export function unwrapLine(line: string): Unwrapped {
  const m = COMPOSE.exec(line);
  return m ? { service: m[1], body: line.slice(m[0].length) } : { service: NO_SERVICE, body: line };
}

/** Keys whose string value may hold a whole trace (pino/bunyan `err.stack`, winston `stack`, ECS, logstash, ...). */
const STACK_KEYS = new Set([
  'stack', 'stack_trace', 'stacktrace', 'exc_info', 'exc_text', 'exception', 'traceback', 'error.stack_trace',
  'err.stack', 'error.stack', '@x', 'error', 'err', 'full_message',
]);
const GOROUTINE_HEADER = /^goroutine \d+ \[/;
/** Where a Go logger keeps a recovered panic's value (zap `error`, logrus `error`/`err`, a middleware's `panic`). */
const PANIC_VALUE_KEYS = ['panic', 'error', 'err'];
const LEVEL_KEYS = ['level', 'levelname', 'severity', 'log.level', '@l', 'lvl', 'loglevel'];
const LOGGER_KEYS = ['logger', 'logger_name', 'log.logger', 'name', 'loggerName', 'category', 'SourceContext'];
const MESSAGE_KEYS = ['msg', 'message', 'event', '@m', '@mt', 'Message'];
/** pino and bunyan levels are numbers. */
const NUMERIC_LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** A JSON log record holding a stack: the trace's lines and the record's level, logger and message. */
export interface DecodedRecord {
  lines: string[];
  record: LogRecord;
}

/**
 * Decodes a JSON log line whose record holds a multi-line stack. Null for anything else (the common case costs
 * a char test and two `indexOf`s: a record with a trace holds an escaped newline, or structlog's `exc_type`).
 */
export function decodeJsonRecord(line: string): DecodedRecord | null {
  if (line.charCodeAt(line.length - 1) !== 125) return null;
  if (line.indexOf('\\n') < 0 && line.indexOf('"exc_type"') < 0) return null;
  // A collector may print its own prefix before the record (`[time] {"level":50,...}`).
  const start = line.charCodeAt(0) === 123 ? 0 : line.indexOf('{"');
  if (start < 0) return null;
  let o: unknown;
  try {
    o = JSON.parse(start ? line.slice(start) : line);
  } catch {
    return null;
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) return null;
  const rec = o as Record<string, unknown>;
  const stack = findStack(rec);
  if (!stack) return null;
  const lines = stack.split('\n');
  for (let i = 0; i < lines.length; i++) if (lines[i].endsWith('\r')) lines[i] = lines[i].slice(0, -1);
  // A Go record (zap, logrus, slog) keeps the panic's value in its own field and debug.Stack() in the stack field:
  // put the `panic:` line Go itself would print before the goroutine trace.
  if (GOROUTINE_HEADER.test(lines[0])) {
    const value = pick(rec, PANIC_VALUE_KEYS);
    if (typeof value === 'string' && value.indexOf('\n') < 0) lines.unshift(`panic: ${value}`);
  }
  const record: LogRecord = {};
  const level = pick(rec, LEVEL_KEYS);
  if (level !== undefined) record.level = typeof level === 'number' ? (NUMERIC_LEVELS[level] ?? String(level)) : String(level);
  const logger = pick(rec, LOGGER_KEYS);
  if (typeof logger === 'string') record.logger = logger;
  const message = pick(rec, MESSAGE_KEYS);
  if (typeof message === 'string') record.message = message.length > 2000 ? message.slice(0, 2000) : message;
  return { lines, record };
}

function pick(rec: Record<string, unknown>, keys: string[]): unknown {
  for (const k of keys) {
    const v = rec[k];
    if (typeof v === 'string' || typeof v === 'number') return v;
  }
  // ECS nests `log: { level, logger }`.
  const log = rec.log;
  if (log && typeof log === 'object') {
    for (const k of keys) {
      const v = (log as Record<string, unknown>)[k.replace(/^log\./, '')];
      if (typeof v === 'string' && k.startsWith('log.')) return v;
    }
  }
  return undefined;
}

function isStack(key: string, v: unknown): v is string {
  return typeof v === 'string' && v.indexOf('\n') >= 0 && STACK_KEYS.has(key.toLowerCase());
}

/** The stack string of a record: nested error objects first (`err.stack`), then top-level fields. */
function findStack(rec: Record<string, unknown>): string | null {
  for (const key in rec) {
    const v = rec[key];
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const inner = v as Record<string, unknown>;
      for (const k in inner) if (isStack(k, inner[k])) return inner[k] as string;
    }
  }
  for (const key in rec) {
    const v = rec[key];
    if (isStack(key, v)) return v;
    if (Array.isArray(v) && key === 'exception') {
      const py = structlogTraceback(v);
      if (py) return py;
    }
  }
  return null;
}

/**
 * structlog's `dict_tracebacks`: `exception: [{exc_type, exc_value, frames: [{filename, lineno, name}]}]`, causes
 * first. Rewritten as the traceback Python would print, so the Python parser reads it.
 */
function structlogTraceback(list: unknown[]): string | null {
  const parts: string[] = [];
  for (const e of list) {
    if (!e || typeof e !== 'object') return null;
    const x = e as { exc_type?: unknown; exc_value?: unknown; frames?: unknown };
    if (typeof x.exc_type !== 'string' || !Array.isArray(x.frames)) return null;
    const lines = ['Traceback (most recent call last):'];
    for (const f of x.frames as { filename?: unknown; lineno?: unknown; name?: unknown }[]) {
      lines.push(`  File "${String(f?.filename)}", line ${Number(f?.lineno)}, in ${String(f?.name)}`);
    }
    lines.push(x.exc_value !== undefined && x.exc_value !== '' ? `${x.exc_type}: ${String(x.exc_value)}` : x.exc_type);
    parts.push(lines.join('\n'));
  }
  if (!parts.length) return null;
  // Printed chains go cause first; structlog lists the raised exception first.
  return parts.reverse().join('\n\nThe above exception was the direct cause of the following exception:\n\n') + '\n';
}
