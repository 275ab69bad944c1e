/** Masks secrets in recorded HTTP metadata: auth headers, cookies, token-like headers and query parameters. */

export const MASK = '[masked]';

/** Header names whose value is always a credential. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key', 'x-auth-token', 'x-csrf-token', 'x-xsrf-token']);
/** Anything named like a credential (x-github-token, x-session-id, client_secret, password…). */
const SECRET_NAME = /(token|secret|passw|pwd|api[-_]?key|auth|session|cookie|credential|signature|jwt|bearer|private)/i;

export function isSecretName(name: string): boolean {
  const n = name.toLowerCase();
  return SECRET_HEADERS.has(n) || SECRET_NAME.test(n);
}

/** Returns a copy of `headers` with every credential-like value replaced by `[masked]`. */
export function maskHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    out[name.toLowerCase()] = isSecretName(name) ? MASK : maskInlineSecrets(text).slice(0, 2048);
  }
  return out;
}

/** Masks the values of credential-like query parameters (`?token=…&page=2` → `?token=[masked]&page=2`). */
export function maskQuery(query: string): string {
  if (!query) return query;
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const name = safeDecode(pair.slice(0, eq));
      return isSecretName(name) ? `${pair.slice(0, eq)}=${MASK}` : pair;
    })
    .join('&');
}

/** Masks well-known secret shapes inside free text (bodies, header values): bearer tokens, JWTs, key formats, URL credentials. */
export function maskInlineSecrets(text: string): string {
  return text
    .replace(/\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${MASK}`)
    .replace(/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, MASK)
    .replace(/\b(sk-[A-Za-z0-9_-]{16,}|sk-or-v1-[A-Za-z0-9]{16,}|AIza[0-9A-Za-z_-]{30,}|gh[pousr]_[A-Za-z0-9]{30,}|xox[abpr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16})\b/g, MASK)
    .replace(/(\w+:\/\/)[^/\s:@]+:[^/\s@]+@/g, `$1${MASK}@`)
    .replace(/("?(?:password|passwd|secret|token|api[_-]?key|access[_-]?token|client[_-]?secret)"?\s*[:=]\s*"?)([^"&\s,}]+)/gi, `$1${MASK}`);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
