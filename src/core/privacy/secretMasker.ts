/**
 * The one secret masker. Everything that leaves AutoDev — prompts, the recording proxy's exchanges, heal events and
 * state reasons, commit messages, CLI output, the output channel — passes through a SecretMasker. It knows literal
 * values (the workspace's .env* files at any depth, configured keys, credentials seen in recorded requests), each
 * also in base64, base64url, hex and URL-encoded form, and the shapes of common credentials. A masked value becomes
 * `[REDACTED:<kind>]`; `countMasks` counts those markers, so a ledger can count what a request carries wherever in
 * the pipeline it was masked.
 */
import { envSecretValues } from './dotenvSecrets';

export type MaskKind =
  | 'env-value'
  | 'configured-key'
  | 'observed-secret'
  | 'encoded-secret'
  | 'private-key'
  | 'url-credentials'
  | 'openrouter-key'
  | 'openai-key'
  | 'anthropic-key'
  | 'google-key'
  | 'github-token'
  | 'gitlab-token'
  | 'npm-token'
  | 'huggingface-token'
  | 'sendgrid-key'
  | 'stripe-key'
  | 'aws-key'
  | 'aws-secret-key'
  | 'slack-token'
  | 'slack-webhook'
  | 'jwt'
  | 'bearer-token'
  | 'basic-auth'
  | 'cookie'
  | 'header'
  | 'password';

export interface MaskResult {
  text: string;
  /** kind → number of values masked; never the values. */
  counts: Partial<Record<MaskKind, number>>;
}

export interface SecretMasker {
  mask(text: string): MaskResult;
  /** `mask(text).text`. */
  maskText(text: string): string;
  /** Learns a value to mask from now on (a key entered later, a credential seen in a recorded request). */
  addSecret(value: string, kind?: 'configured-key' | 'observed-secret'): void;
  /** How many literal secret values it knows (not their encodings); for diagnostics only. */
  readonly knownSecretCount: number;
}

/** Every marker starts with this; the agent's tools refuse edits of text that holds one. */
export const REDACTION_MARKER = '[REDACTED';
const mark = (kind: MaskKind) => `[REDACTED:${kind}]`;

/** Markers by kind in `text`: what a request carries masked, however early in the pipeline it was masked. */
export function countMasks(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/\[REDACTED:([a-z0-9-]+)\]/g)) out[m[1]] = (out[m[1]] ?? 0) + 1;
  return out;
}

interface Pattern {
  kind: MaskKind;
  re: RegExp;
  /**
   * Cheap gate: the pattern runs only when the lower-cased text holds one of these (or matches this regex). Most
   * log lines hold none, and twenty regex passes per line would dominate a log flood.
   */
  hint: string[] | RegExp;
  /** Replacement builder; default replaces the whole match. Returning the match unchanged means "not a secret". */
  replace?: (m: string[]) => string;
}

const SECRET_NAME_WORD = '(?:pass(?:w(?:or)?d|phrase)?|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|auth)';

// Order matters: whole blocks and URLs before the token shapes they may contain.
const PATTERNS: Pattern[] = [
  { kind: 'private-key', hint: ['private key-----'], re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g },
  { kind: 'slack-webhook', hint: ['hooks.slack.com'], re: /\bhttps:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]{8,}/g },
  {
    // user:password@ and :password@ (redis://:pw@host has no user).
    kind: 'url-credentials',
    hint: ['@'],
    re: /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/@'"`]*):([^\s@/'"`]+)@/gi,
    replace: (m) => (m[3].startsWith(REDACTION_MARKER) ? m[0] : `${m[1]}${m[2]}:${mark('url-credentials')}@`),
  },
  { kind: 'jwt', hint: ['eyj'], re: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/g },
  { kind: 'openrouter-key', hint: ['sk-or-'], re: /\bsk-or-(?:v1-)?[A-Za-z0-9]{16,}/g },
  { kind: 'anthropic-key', hint: ['sk-ant-'], re: /\bsk-ant-[A-Za-z0-9_-]{16,}/g },
  { kind: 'openai-key', hint: ['sk-'], re: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g },
  { kind: 'stripe-key', hint: ['_live_', '_test_', 'whsec_'], re: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|\bwhsec_[A-Za-z0-9]{16,}/g },
  { kind: 'google-key', hint: ['aiza', 'ya29.'], re: /\bAIza[0-9A-Za-z_-]{30,}|\bya29\.[0-9A-Za-z_-]{20,}/g },
  { kind: 'github-token', hint: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'], re: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,})/g },
  { kind: 'gitlab-token', hint: ['gl'], re: /\bgl(?:pat|dt|rt|cbt|ptt|ft|imt|agent|oas)-[A-Za-z0-9_-]{16,}/g },
  { kind: 'npm-token', hint: ['npm_'], re: /\bnpm_[A-Za-z0-9]{30,}/g },
  { kind: 'huggingface-token', hint: ['hf_'], re: /\bhf_[A-Za-z0-9]{30,}/g },
  { kind: 'sendgrid-key', hint: ['sg.'], re: /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g },
  { kind: 'aws-key', hint: ['akia', 'asia', 'aida', 'aroa'], re: /\b(?:AKIA|ASIA|AIDA|AROA)[0-9A-Z]{16}\b/g },
  { kind: 'slack-token', hint: ['xox', 'xapp-'], re: /\bxox[abposre]-[A-Za-z0-9-]{10,}|\bxapp-\d-[A-Za-z0-9-]{10,}/g },
  {
    kind: 'basic-auth',
    hint: ['basic'],
    re: /\b(Basic)(\s+)([A-Za-z0-9+/]{6,}={0,2})/g,
    replace: (m) => `${m[1]}${m[2]}${mark('basic-auth')}`,
  },
  {
    kind: 'bearer-token',
    hint: ['bearer', 'token'],
    re: /\b(Bearer|Token)(\s+)([A-Za-z0-9\-._~+/]{12,}=*)/g,
    replace: (m) => (m[3].startsWith(REDACTION_MARKER) ? m[0] : `${m[1]}${m[2]}${mark('bearer-token')}`),
  },
  {
    // Cookie: a=b; c=d   /   "set-cookie": "sid=…" (a header, not `cookie = request.cookies`)
    kind: 'cookie',
    hint: ['cookie'],
    re: /\b((?:set-)?cookie["']?\s*:\s*["']?)([^\r\n"']{3,})/gi,
    replace: (m) => (m[2].startsWith(REDACTION_MARKER) ? m[0] : `${m[1]}${mark('cookie')}`),
  },
  {
    // DB_PASS=…, TOKEN=…, "api_key": "…", SECRET: … — a literal value, not a code expression such as get_token().
    kind: 'password',
    hint: /(?:pass|pwd|secret|token|key|credential|auth)[^\n]*?[:=]/i,
    re: new RegExp(
      `\\b([A-Za-z0-9_-]*?${SECRET_NAME_WORD}(?![a-z])[A-Za-z0-9_]*)(["']?\\s*[:=]\\s*)(?:"([^"\\s]{3,})"|'([^'\\s]{3,})'|([^\\s"'&,;()[\\]{}<>]{3,})(?![\\w(.[]))`,
      'gi',
    ),
    replace: (m) => {
      const value = m[3] ?? m[4] ?? m[5] ?? '';
      if (/^(none|null|nil|true|false|undefined|redacted|\*+)$/i.test(value) || value.includes(REDACTION_MARKER)) return m[0];
      // max_tokens=1000, PORT-like numbers: counts, not secrets.
      if (/^\d{1,11}$/.test(value)) return m[0];
      // An unquoted identifier path is code (`password = form.password`), not a secret.
      if (m[5] !== undefined && /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(value) && /[._]|^[a-z]/.test(value) && !/\d/.test(value)) return m[0];
      const q = m[3] !== undefined ? '"' : m[4] !== undefined ? "'" : '';
      return `${m[1]}${m[2]}${q}${mark('password')}${q}`;
    },
  },
];

/** Pattern-only masking (no literal values): for text masked without a workspace, e.g. a standalone proxy. */
export function maskKnownShapes(text: string): MaskResult {
  const counts: Partial<Record<MaskKind, number>> = {};
  return { text: applyPatterns(text, counts), counts };
}

/** One pass that says whether any pattern's hint is there at all (most log lines: no). */
const ANY_HINT = new RegExp(PATTERNS.map((p) => (Array.isArray(p.hint) ? p.hint.map((h) => h.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|') : p.hint.source)).join('|'), 'i');

/** A 40-character AWS secret access key on its own: mixed case and a digit (a git sha is lower-case hex). */
function isAwsSecretKey(run: string): boolean {
  return run.length === 40 && /^[A-Za-z0-9/+]+$/.test(run) && /[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run);
}

function applyPatterns(text: string, counts: Partial<Record<MaskKind, number>>): string {
  if (!ANY_HINT.test(text)) return text;
  let out = text;
  const lower = text.toLowerCase();
  for (const p of PATTERNS) {
    if (Array.isArray(p.hint) ? !p.hint.some((h) => lower.includes(h)) : !p.hint.test(text)) continue;
    p.re.lastIndex = 0;
    out = out.replace(p.re, (...args) => {
      const m = args.slice(0, -2).filter((a) => typeof a === 'string' || a === undefined) as string[];
      const replaced = p.replace ? p.replace(m) : mark(p.kind);
      if (replaced !== m[0]) counts[p.kind] = (counts[p.kind] ?? 0) + 1;
      return replaced;
    });
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The whole-value encodings of a secret that an app or a candidate fix could print instead of the value. */
export function encodedForms(value: string): string[] {
  const buf = Buffer.from(value, 'utf8');
  const b64 = buf.toString('base64');
  const forms = new Set([b64, b64.replace(/=+$/, ''), buf.toString('base64url'), buf.toString('hex'), buf.toString('hex').toUpperCase(), encodeURIComponent(value)]);
  forms.delete(value);
  return [...forms].filter((f) => f.length >= 6);
}

const MIN_PARTIAL = 6;
/** Credentials seen in recorded requests that are remembered (the newest). */
const MAX_OBSERVED = 256;
const B64_RUN = /[A-Za-z0-9+/_-]{16,}={0,2}/g;
const HEX_RUN = /[0-9a-fA-F]{16,}/g;
const PCT_RUN = /[A-Za-z0-9._~!*'()+-]*(?:%[0-9A-Fa-f]{2}[A-Za-z0-9._~!*'()+-]*){2,}/g;
const MAX_RUN = 1 << 20;

/**
 * Builds the masker for a workspace: literal values of its .env* files (any depth, not in dependency folders) and
 * `secrets` (configured keys), their encodings, and known credential shapes.
 */
export function createSecretMasker(opts: { workspaceDir?: string; secrets: readonly string[] }): SecretMasker {
  const literals = new Map<string, MaskKind>();
  const secretBytes: string[] = [];
  let literalRe: RegExp | null = null;
  let dirty = true;

  /** Observed values, oldest first: bounded, so a stream of requests with fresh tokens cannot grow it forever. */
  const observed: string[] = [];
  const learn = (value: string, kind: MaskKind) => {
    if (typeof value !== 'string' || value.length < 3 || literals.has(value)) return;
    literals.set(value, kind);
    secretBytes.push(Buffer.from(value, 'utf8').toString('latin1'));
    if (value.length >= MIN_PARTIAL) for (const f of encodedForms(value)) if (!literals.has(f)) literals.set(f, 'encoded-secret');
    dirty = true;
  };
  const forget = (value: string) => {
    literals.delete(value);
    for (const f of encodedForms(value)) if (literals.get(f) === 'encoded-secret') literals.delete(f);
    const i = secretBytes.indexOf(Buffer.from(value, 'utf8').toString('latin1'));
    if (i >= 0) secretBytes.splice(i, 1);
    dirty = true;
  };
  for (const s of opts.secrets) if (typeof s === 'string' && s.length >= 4) learn(s, 'configured-key');
  if (opts.workspaceDir) for (const v of envSecretValues(opts.workspaceDir)) learn(v, 'env-value');
  let known = secretBytes.length;

  // Short values only match as whole words, so "tok" does not eat "token"; long ones match anywhere.
  const literalSource = (v: string) => {
    const e = escapeRegExp(v);
    if (v.length >= 12) return e;
    return `${/^[A-Za-z0-9]/.test(v) ? '(?<![A-Za-z0-9])' : ''}${e}${/[A-Za-z0-9]$/.test(v) ? '(?![A-Za-z0-9])' : ''}`;
  };
  const regex = () => {
    if (dirty) {
      // Longest first so a value containing another is masked whole.
      const values = [...literals.keys()].sort((a, b) => b.length - a.length);
      literalRe = values.length ? new RegExp(values.map(literalSource).join('|'), 'g') : null;
      dirty = false;
    }
    return literalRe;
  };

  /** Does decoded text hold a known secret, or the start/end of one (an encoding wrapped over two lines)? */
  const holdsSecret = (decoded: string): boolean => {
    for (const s of secretBytes) {
      if (s.length < 4) continue;
      if (decoded.includes(s)) return true;
      // Cheap filter first: a partial overlap holds the secret's first or last MIN_PARTIAL characters.
      if (s.length < MIN_PARTIAL || !(decoded.includes(s.slice(0, MIN_PARTIAL)) || decoded.includes(s.slice(-MIN_PARTIAL)))) continue;
      for (let n = s.length - 1; n >= MIN_PARTIAL; n--) {
        if (decoded.endsWith(s.slice(0, n)) || decoded.startsWith(s.slice(s.length - n))) return true;
      }
    }
    return false;
  };
  // Decoded text that is mostly printable ASCII (a decoded file), not the noise a random run decodes to.
  const printable = (s: string) => s.length > 0 && !/[^\x20-\x7e\t\r\n]{2}/.test(s.slice(1, -1));
  /** Decoded text that carries a secret: a known value, or a credential shape (base64 of a key file). */
  const decodedCarriesSecret = (decoded: string): boolean => {
    if (holdsSecret(decoded)) return true;
    if (!printable(decoded)) return false;
    const counts: Partial<Record<MaskKind, number>> = {};
    applyPatterns(decoded, counts);
    return Object.keys(counts).length > 0;
  };

  const maskEncodedRuns = (text: string, counts: Partial<Record<MaskKind, number>>): string => {
    const replaceRuns = (input: string, re: RegExp, decode: (run: string) => string[]): string =>
      input.replace(re, (run) => {
        if (run.length > MAX_RUN || run.startsWith(REDACTION_MARKER)) return run;
        if (isAwsSecretKey(run)) {
          counts['aws-secret-key'] = (counts['aws-secret-key'] ?? 0) + 1;
          return mark('aws-secret-key');
        }
        if (!decode(run).some(decodedCarriesSecret)) return run;
        counts['encoded-secret'] = (counts['encoded-secret'] ?? 0) + 1;
        return mark('encoded-secret');
      });
    let out = text;
    if (/[A-Za-z0-9+/_-]{16}/.test(out)) {
      // (This pass also finds a bare 40-character AWS secret key: it is such a run.)
      // Encoded text mixes cases; a path, an identifier or a lower-case hash does not (and is not decoded).
      out = replaceRuns(out, B64_RUN, (run) => (/[A-Z]/.test(run) && /[a-z]/.test(run) ? [0, 1, 2, 3].map((o) => Buffer.from(run.slice(o), 'base64').toString('latin1')) : []));
      if (secretBytes.length) out = replaceRuns(out, HEX_RUN, (run) => [0, 1].map((o) => Buffer.from(run.slice(o, o + ((run.length - o) & ~1)), 'hex').toString('latin1')));
    }
    if (out.includes('%')) {
      out = replaceRuns(out, PCT_RUN, (run) => {
        try {
          return [decodeURIComponent(run.replace(/\+/g, ' '))];
        } catch {
          return [];
        }
      });
    }
    return out;
  };

  const mask = (text: string): MaskResult => {
    const counts: Partial<Record<MaskKind, number>> = {};
    if (!text) return { text, counts };
    let out = text;
    const re = regex();
    if (re) {
      re.lastIndex = 0;
      out = out.replace(re, (v) => {
        const k = literals.get(v) ?? 'env-value';
        counts[k] = (counts[k] ?? 0) + 1;
        return mark(k);
      });
    }
    out = applyPatterns(out, counts);
    out = maskEncodedRuns(out, counts);
    return { text: out, counts };
  };

  return {
    get knownSecretCount() {
      return known;
    },
    mask,
    maskText: (text) => mask(text).text,
    addSecret(value, kind = 'observed-secret') {
      const v = value?.trim();
      // Short values ("1", "yes") would mask ordinary words everywhere.
      if (!v || v.length < 6 || literals.has(v)) return;
      learn(v, kind);
      if (kind === 'observed-secret') {
        observed.push(v);
        if (observed.length > MAX_OBSERVED) forget(observed.shift()!);
      }
      known = secretBytes.length;
    },
  };
}

/** Adds `b` into `a` (kind → count). */
export function mergeCounts(a: Record<string, number>, b: Partial<Record<string, number>>): Record<string, number> {
  for (const [k, v] of Object.entries(b)) if (v) a[k] = (a[k] ?? 0) + v;
  return a;
}

/**
 * A copy of `value` with every string masked (objects and arrays walked, at most `depth` levels). Keys listed in
 * `keep` are copied as they are: file bodies a patch applies, or a payload already built from masked text.
 */
export function maskDeep<T>(value: T, masker: SecretMasker, keep: ReadonlySet<string> = new Set(), depth = 8): T {
  if (typeof value === 'string') return masker.maskText(value) as T;
  if (depth <= 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, masker, keep, depth - 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = keep.has(k) ? v : maskDeep(v, masker, keep, depth - 1);
  return out as T;
}

// ---------------------------------------------------------------- HTTP metadata (the recording proxy)

/** Header names whose value is always a credential. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key', 'x-auth-token', 'x-csrf-token', 'x-xsrf-token']);
/** Anything named like a credential (x-github-token, x-session-id, client_secret, password…). */
const SECRET_NAME = /(token|secret|passw|pwd|api[-_]?key|auth|session|cookie|credential|signature|jwt|bearer|private)/i;

export function isSecretName(name: string): boolean {
  const n = name.toLowerCase();
  return SECRET_HEADERS.has(n) || SECRET_NAME.test(n);
}

/** A copy of `headers` with every credential-like value replaced by a marker and the rest masked by `masker`. */
export function maskHeaders(headers: Record<string, string | string[] | undefined>, masker: Pick<SecretMasker, 'maskText'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    out[name.toLowerCase()] = isSecretName(name) ? mark('header') : masker.maskText(text.slice(0, 2048));
  }
  return out;
}

/** Masks the values of credential-like query parameters (`?token=…&page=2` → `?token=[REDACTED:header]&page=2`). */
export function maskQuery(query: string): string {
  if (!query) return query;
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      return isSecretName(safeDecode(pair.slice(0, eq))) ? `${pair.slice(0, eq)}=${mark('header')}` : pair;
    })
    .join('&');
}

/**
 * The raw credential values of a request — whole header values, their token part, the password of Basic auth,
 * cookie values, secret query values — for a masker to learn (apps do log their headers).
 */
export function requestSecretValues(headers: Record<string, string | string[] | undefined>, query: string): string[] {
  const out = new Set<string>();
  const add = (v: string | undefined) => {
    const t = v?.trim();
    if (t && t.length >= 6) out.add(t);
  };
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || !isSecretName(name)) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      add(v);
      const scheme = /^\s*(\w+)\s+(\S+)\s*$/.exec(v);
      if (scheme) {
        add(scheme[2]);
        if (/^basic$/i.test(scheme[1])) {
          const decoded = Buffer.from(scheme[2], 'base64').toString('utf8');
          const colon = decoded.indexOf(':');
          if (colon >= 0) add(decoded.slice(colon + 1));
        }
      }
      if (/cookie/i.test(name)) for (const part of v.split(/;\s*/)) add(part.split('=').slice(1).join('=').split(';')[0]);
    }
  }
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const name = safeDecode(pair.slice(0, eq));
    if (isSecretName(name)) {
      add(safeDecode(pair.slice(eq + 1)));
      add(pair.slice(eq + 1));
    }
  }
  return [...out];
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
