/** Errors of the Kubernetes API as the client library throws them: the HTTP code and a readable message. */

export function apiCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown };
  return typeof e?.code === 'number' ? e.code : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
}

export function describeApiError(err: unknown): string {
  const e = err as { code?: number; body?: unknown; message?: string };
  let body = e?.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // plain text
    }
  }
  const message = (body as { message?: string } | undefined)?.message;
  return `${e?.code ? `HTTP ${e.code}: ` : ''}${message ?? e?.message ?? String(err)}`;
}
