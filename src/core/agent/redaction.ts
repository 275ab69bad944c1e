/**
 * Masks secrets before text leaves the machine (prompts, tool results) or reaches a log: values from the
 * workspace's .env* files, configured API keys, and common credential formats. Counts what it masked per kind.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

export type RedactionKind =
  | 'env-value'
  | 'configured-key'
  | 'private-key'
  | 'url-credentials'
  | 'openrouter-key'
  | 'openai-key'
  | 'anthropic-key'
  | 'google-key'
  | 'github-token'
  | 'aws-key'
  | 'slack-token'
  | 'jwt'
  | 'bearer-token'
  | 'password';

export interface RedactionResult {
  text: string;
  /** kind → number of values masked; never the values. */
  counts: Partial<Record<RedactionKind, number>>;
}

export interface Redactor {
  redact(text: string): RedactionResult;
  /** How many literal secret values (env values + configured keys) it knows; for diagnostics only. */
  readonly knownSecretCount: number;
}

/** The marker that replaces a secret; the model is told it cannot edit text holding one. */
export const REDACTION_MARKER = '[REDACTED';
const mark = (kind: RedactionKind) => `[REDACTED:${kind}]`;

interface Pattern {
  kind: RedactionKind;
  re: RegExp;
  /** Replacement builder; default replaces the whole match. */
  replace?: (m: RegExpExecArray) => string;
}

// Order matters: whole blocks and URLs before the token shapes they may contain.
const PATTERNS: Pattern[] = [
  { kind: 'private-key', re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g },
  {
    kind: 'url-credentials',
    re: /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/@'"`]+):([^\s@/'"`]+)@/gi,
    replace: (m) => `${m[1]}${m[2]}:${mark('url-credentials')}@`,
  },
  { kind: 'jwt', re: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/g },
  { kind: 'openrouter-key', re: /\bsk-or-(?:v1-)?[A-Za-z0-9]{16,}/g },
  { kind: 'anthropic-key', re: /\bsk-ant-[A-Za-z0-9_-]{16,}/g },
  { kind: 'openai-key', re: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g },
  { kind: 'google-key', re: /\bAIza[0-9A-Za-z_-]{30,}/g },
  { kind: 'github-token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,})/g },
  { kind: 'aws-key', re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { kind: 'slack-token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  {
    kind: 'bearer-token',
    re: /\b(Bearer|Token)(\s+)([A-Za-z0-9\-._~+/]{12,}=*)/g,
    replace: (m) => `${m[1]}${m[2]}${mark('bearer-token')}`,
  },
  {
    // password=…, "api_key": "…", SECRET: … — a literal value, not a code expression such as get_token().
    kind: 'password',
    re: /\b([A-Za-z_]*(?:passw(?:or)?d|pwd|secret|api[_-]?key|access[_-]?key|auth[_-]?token|client[_-]?secret)[A-Za-z_]*)(["']?\s*[:=]\s*)(?:"([^"\s]{3,})"|'([^'\s]{3,})'|([^\s"'&,;()[\]{}<>]{3,})(?![\w(.[]))/gi,
    replace: (m) => {
      const value = m[3] ?? m[4] ?? m[5] ?? '';
      if (/^(none|null|nil|true|false|undefined|redacted|\*+)$/i.test(value) || value.startsWith(REDACTION_MARKER)) return m[0];
      // An unquoted identifier path is code (`password = form.password`), not a secret.
      if (m[5] !== undefined && /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(value) && /[._]|^[a-z]/.test(value) && !/\d/.test(value)) return m[0];
      const q = m[3] !== undefined ? '"' : m[4] !== undefined ? "'" : '';
      return `${m[1]}${m[2]}${q}${mark('password')}${q}`;
    },
  },
];

const SECRETISH_KEY = /(key|token|secret|pass|pwd|credential|auth|private|dsn|cookie|session|signature|salt)/i;
const HARMLESS_VALUE = /^(true|false|yes|no|on|off|null|none|0|1|development|production|test|debug|info|warn|error|localhost|127\.0\.0\.1)$/i;

/** KEY=value pairs of a dotenv file (export prefix, quotes and inline comments handled). */
export function parseDotenv(text: string): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2].trim();
    if ((value.startsWith('"') && value.lastIndexOf('"') > 0) || (value.startsWith("'") && value.lastIndexOf("'") > 0)) {
      value = value.slice(1, value.lastIndexOf(value[0]));
    } else {
      value = value.replace(/\s+#.*$/, '').trim();
    }
    if (value) out.push({ key: m[1], value });
  }
  return out;
}

/** Secret values of every .env* file at the workspace root and one level down (monorepo services). */
export function envSecretValues(workspaceDir: string): string[] {
  const values = new Set<string>();
  const dirs = [workspaceDir];
  try {
    for (const e of readdirSync(workspaceDir, { withFileTypes: true })) {
      if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') dirs.push(path.join(workspaceDir, e.name));
    }
  } catch {
    return [];
  }
  for (const dir of dirs) {
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => n.toLowerCase().startsWith('.env'));
    } catch {
      continue;
    }
    for (const name of names) {
      const file = path.join(dir, name);
      try {
        if (!statSync(file).isFile() || statSync(file).size > 1_000_000) continue;
        for (const { key, value } of parseDotenv(readFileSync(file, 'utf8'))) {
          if (HARMLESS_VALUE.test(value)) continue;
          // Short values are only secrets when the key says so; otherwise "8080" would be masked everywhere.
          if (value.length >= 6 || (SECRETISH_KEY.test(key) && value.length >= 3)) values.add(value);
        }
      } catch {
        // unreadable .env: nothing to learn from it
      }
    }
  }
  return [...values];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Builds a redactor for a workspace. `secrets` are configured values (API keys) masked wherever they appear.
 */
export function createRedactor(opts: { workspaceDir?: string; secrets: string[] }): Redactor {
  const env = opts.workspaceDir ? envSecretValues(opts.workspaceDir) : [];
  const configured = opts.secrets.filter((s) => typeof s === 'string' && s.length >= 4);
  // Longest first so a value containing another is masked whole.
  const literals: { value: string; kind: RedactionKind }[] = [
    ...configured.map((value) => ({ value, kind: 'configured-key' as const })),
    ...env.filter((v) => !configured.includes(v)).map((value) => ({ value, kind: 'env-value' as const })),
  ].sort((a, b) => b.value.length - a.value.length);
  // Short values only match as whole words, so "tok" does not eat "token"; long ones match anywhere.
  const literalSource = (v: string) => {
    const e = escapeRegExp(v);
    if (v.length >= 12) return e;
    return `${/^[A-Za-z0-9]/.test(v) ? '(?<![A-Za-z0-9])' : ''}${e}${/[A-Za-z0-9]$/.test(v) ? '(?![A-Za-z0-9])' : ''}`;
  };
  const literalRe = literals.length ? new RegExp(literals.map((l) => literalSource(l.value)).join('|'), 'g') : null;
  const kindOf = new Map(literals.map((l) => [l.value, l.kind]));

  return {
    knownSecretCount: literals.length,
    redact(text: string): RedactionResult {
      const counts: Partial<Record<RedactionKind, number>> = {};
      const bump = (k: RedactionKind) => (counts[k] = (counts[k] ?? 0) + 1);
      let out = text;
      if (literalRe) {
        out = out.replace(literalRe, (v) => {
          const k = kindOf.get(v) ?? 'env-value';
          bump(k);
          return mark(k);
        });
      }
      for (const p of PATTERNS) {
        p.re.lastIndex = 0;
        out = out.replace(p.re, (...args) => {
          const m = args.slice(0, -2) as unknown as RegExpExecArray;
          // Named groups are absent here, so the last two args are offset and input.
          const replaced = p.replace ? p.replace(m) : mark(p.kind);
          if (replaced !== m[0]) bump(p.kind);
          return replaced;
        });
      }
      return { text: out, counts };
    },
  };
}

/** Adds `b` into `a` (kind → count). */
export function mergeCounts(a: Record<string, number>, b: Partial<Record<string, number>>): Record<string, number> {
  for (const [k, v] of Object.entries(b)) if (v) a[k] = (a[k] ?? 0) + v;
  return a;
}
