/**
 * Differential replay: does the patched app answer like the unpatched one did, and does the crashing request's new
 * answer look like its route's other answers? A fix that makes the error go away by answering `[]`, dropping a field
 * or turning a number into null has changed behaviour; this module says where, in words a person and a model can use.
 */

/** An HTTP answer as the comparison needs it (a replay's or a recorded exchange's). */
export interface Answer {
  /** null when nothing answered (connection refused, reset, timeout). */
  status: number | null;
  /** The media type without parameters, lower case (`application/json`); null or absent when there was none. */
  contentType?: string | null;
  body: string;
  /** True when `body` is only the first bytes of the answer (its JSON cannot be compared). */
  truncated?: boolean;
}

/** The structure of a JSON value: types, keys, and list lengths. */
export type Shape =
  | { type: 'null' | 'boolean' | 'number' | 'string' }
  | { type: 'array'; length: number; items: Shape[] }
  | { type: 'object'; keys: Record<string, Shape> };

/** At most this many list items and keys are compared per level (answers can be large). */
const MAX_ITEMS = 20;
const MAX_KEYS = 60;
const MAX_DEPTH = 6;
/** At most this many differences are reported (the first ones say enough). */
const MAX_DIFFERENCES = 6;

export function mediaType(contentType: string | string[] | undefined | null): string | null {
  const v = Array.isArray(contentType) ? contentType[0] : contentType;
  const t = v?.split(';')[0].trim().toLowerCase();
  return t ? t : null;
}

function isJsonType(ct: string | null): boolean {
  return !!ct && (ct === 'application/json' || ct.endsWith('+json') || ct === 'text/json');
}

/** The shape of a JSON body, or null when it is not (complete) JSON. */
export function shapeOf(answer: Answer): Shape | null {
  if (answer.truncated) return null;
  const text = answer.body.trim();
  if (!isJsonType(answer.contentType ?? null) && !/^[[{]/.test(text)) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return shapeOfValue(value, 0);
}

function shapeOfValue(v: unknown, depth: number): Shape {
  if (v === null) return { type: 'null' };
  if (Array.isArray(v)) return { type: 'array', length: v.length, items: depth >= MAX_DEPTH ? [] : v.slice(0, MAX_ITEMS).map((x) => shapeOfValue(x, depth + 1)) };
  if (typeof v === 'object') {
    const keys: Record<string, Shape> = {};
    if (depth < MAX_DEPTH) for (const k of Object.keys(v as object).slice(0, MAX_KEYS)) keys[k] = shapeOfValue((v as Record<string, unknown>)[k], depth + 1);
    return { type: 'object', keys };
  }
  const t = typeof v;
  return { type: t === 'boolean' || t === 'number' ? t : 'string' };
}

const statusClass = (s: number | null) => (s === null ? 'no answer' : `${Math.floor(s / 100)}xx`);
const describeShape = (s: Shape) => (s.type === 'array' ? `a list of ${s.length}` : s.type === 'object' ? 'an object' : s.type === 'null' ? 'null' : `a ${s.type}`);

/**
 * Structural differences from `before` to `after`: missing and added keys, changed types and, when `sameData`,
 * changed list lengths. Paths read like `$.todos[0].title`.
 */
export function shapeDifferences(before: Shape, after: Shape, sameData: boolean, at = '$', out: string[] = []): string[] {
  if (out.length >= MAX_DIFFERENCES) return out;
  if (before.type !== after.type) {
    out.push(`${at} was ${describeShape(before)}, now ${describeShape(after)}`);
    return out;
  }
  if (before.type === 'array' && after.type === 'array') {
    if (sameData && before.length !== after.length) out.push(`${at} had ${before.length} item${before.length === 1 ? '' : 's'}, now ${after.length}`);
    // Items are compared pairwise when the data is the same; otherwise each list's first item stands for its kind.
    const pairs = sameData ? Math.min(before.items.length, after.items.length) : Math.min(1, before.items.length, after.items.length);
    for (let i = 0; i < pairs; i++) shapeDifferences(before.items[i], after.items[i], sameData, `${at}[${i}]`, out);
    return out;
  }
  if (before.type === 'object' && after.type === 'object') {
    for (const k of Object.keys(before.keys)) {
      if (!(k in after.keys)) out.push(`${at}.${k} is missing`);
      else shapeDifferences(before.keys[k], after.keys[k], sameData, `${at}.${k}`, out);
      if (out.length >= MAX_DIFFERENCES) return out;
    }
    for (const k of Object.keys(after.keys)) if (!(k in before.keys) && out.length < MAX_DIFFERENCES) out.push(`${at}.${k} is new`);
  }
  return out;
}

/**
 * How `after` (the patched app's answer) differs from `before` (the unpatched app's answer to the same request):
 * status class, content type, JSON shape, and list lengths when `sameData` (both apps were in the same state; not
 * after the crashing request, which only the patched app completed). Empty when they match.
 */
export function answerDifferences(before: Answer, after: Answer, sameData = true): string[] {
  const out: string[] = [];
  if (statusClass(before.status) !== statusClass(after.status)) out.push(`status ${before.status ?? 'none'} → ${after.status ?? 'no answer'}`);
  if (before.status === null || after.status === null) return out;
  if ((before.contentType ?? '') !== (after.contentType ?? '')) out.push(`content type ${before.contentType ?? 'none'} → ${after.contentType ?? 'none'}`);
  const a = shapeOf(before);
  const b = shapeOf(after);
  if (a && b) out.push(...shapeDifferences(a, b, sameData));
  else if (a && !b) out.push('the answer is no longer JSON');
  else if (!a && before.body.trim() && !after.body.trim()) out.push('the answer is now empty');
  return out;
}

/** An empty list or object, null, an empty body, or an object whose every value is empty: what a guard answers. */
export function isDefaultLooking(shape: Shape | null, body: string): boolean {
  if (!body.trim()) return true;
  if (!shape) return false;
  const empty = (s: Shape): boolean => s.type === 'null' || (s.type === 'array' && s.length === 0) || (s.type === 'object' && Object.keys(s.keys).length === 0);
  if (empty(shape)) return true;
  return shape.type === 'object' && Object.values(shape.keys).every(empty);
}

/** The verdict on the crashing request's answer after the patch. */
export interface CrashAnswerVerdict {
  /** 'refused': it lacks what the route's other answers have; 'masks': it looks like a default, flagged in the review. */
  verdict: 'ok' | 'refused' | 'masks';
  detail: string;
}

/**
 * Compares the crashing request's answer after the patch with earlier successful answers of the same route.
 * A 4xx is an honest "your input is wrong" and passes; a success that lacks keys the route's answers have, or has
 * other types there, is refused; a default-looking success (empty list, nulls) is flagged as masking the error.
 */
export function judgeCrashAnswer(after: Answer, routeAnswers: readonly Answer[], route: string): CrashAnswerVerdict {
  if (after.status === null || after.status >= 500) return { verdict: 'refused', detail: `${route} still fails (${after.status ?? 'no answer'})` };
  if (after.status >= 400) return { verdict: 'ok', detail: `${route} now answers ${after.status}: the input is refused instead of crashing` };
  const shape = shapeOf(after);
  const peers = routeAnswers.filter((a) => a.status !== null && a.status < 300).map((a) => ({ a, s: shapeOf(a) })).filter((p) => p.s);
  if (peers.length && shape) {
    // The route's answers may differ among themselves (optional keys): only what every one of them has is required.
    const required = peers.map((p) => shapeDifferences(p.s!, shape, false).filter((d) => !/ is new$/.test(d)));
    const worst = required.reduce((best, d) => (d.length < best.length ? d : best));
    if (worst.length) return { verdict: 'refused', detail: `${route} answers unlike its earlier successful answers: ${worst.join('; ')}` };
    // A list every earlier answer had items in is empty now: what a guard or an empty default answers.
    const emptied = emptiedLists(peers[0].s!, shape).filter((at) => peers.every((p) => emptiedLists(p.s!, shape).includes(at)));
    if (emptied.length) return { verdict: 'masks', detail: `${route} now answers an empty list at ${emptied.join(', ')} where its earlier answers had items: this masks the error` };
    return { verdict: 'ok', detail: `${route} answers like its earlier successful answers (${describeShape(shape)})` };
  }
  if (peers.length && !shape) return { verdict: 'refused', detail: `${route} answered JSON before and now answers ${after.contentType ?? 'no content type'}` };
  if (isDefaultLooking(shape, after.body)) return { verdict: 'masks', detail: `${route} now answers ${after.body.trim() ? after.body.trim().slice(0, 60) : 'an empty body'}, a default-looking answer: this masks the error` };
  return { verdict: 'ok', detail: `${route} -> ${after.status}` };
}

/** Paths of lists that have items in `before` and none in `after` (same structure otherwise). */
function emptiedLists(before: Shape, after: Shape, at = '$', out: string[] = []): string[] {
  if (before.type === 'array' && after.type === 'array') {
    if (before.length > 0 && after.length === 0) out.push(at);
    else if (before.items.length && after.items.length) emptiedLists(before.items[0], after.items[0], `${at}[0]`, out);
  } else if (before.type === 'object' && after.type === 'object') {
    for (const k of Object.keys(before.keys)) if (k in after.keys) emptiedLists(before.keys[k], after.keys[k], `${at}.${k}`, out);
  }
  return out;
}

/** Masks what differs from run to run in a log line (times, dates, addresses, ids), so two runs can be compared. */
export function normalizeOutputLine(line: string): string {
  return line
    .replace(/\x1b\[[0-9;]*m/g, '')
    .replace(/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?/g, '<time>')
    .replace(/\b\d{1,2}\/\w{3}\/\d{4}(:\d{2}:\d{2}:\d{2})?/g, '<date>')
    .replace(/\b\d{2}:\d{2}:\d{2}(\.\d+)?\b/g, '<time>')
    .replace(/\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/g, '<ip>')
    .replace(/\b0x[0-9a-f]+\b/gi, '<addr>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/\b(pid|port)[ =:]+\d+/gi, '$1 <n>')
    .trimEnd();
}

/**
 * For programs without requests: the patched run must print what the unpatched run printed before it crashed.
 * `before` is the unpatched output up to the crash, `after` the patched run's output. Null when they agree.
 */
export function outputDifference(before: readonly string[], after: readonly string[]): string | null {
  const a = before.map(normalizeOutputLine).filter((l) => l.trim());
  const b = after.map(normalizeOutputLine).filter((l) => l.trim());
  for (let i = 0; i < a.length; i++) {
    if (i >= b.length) return `the patched run printed ${b.length} line${b.length === 1 ? '' : 's'} where the unpatched run printed ${a.length} before the crash; missing: "${a[i].slice(0, 160)}"`;
    if (a[i] !== b[i]) return `line ${i + 1} of the output changed: "${a[i].slice(0, 160)}" → "${b[i].slice(0, 160)}"`;
  }
  return null;
}
