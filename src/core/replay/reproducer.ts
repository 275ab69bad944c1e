/**
 * A crash's reproducer: the request that crashed a service (whatever its method: the scratch copy is thrown away, unless
 * turned off), the start itself (crash at start-up), or the same command (CLI apps). Also replays a request against a
 * given base URL.
 */
import { request as httpRequest } from 'node:http';
import type { CrashReport } from '../crash/crashReport';
import type { ReproducerResult } from './replayResults';
import type { AppImage } from '../runtime/containerRuntime';
import { mediaType, type Answer } from './answerShape';
import type { RecordedExchange, ReplayableRequest, SampledExchange } from './recordingProxy';

export const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];

export type ReproducerPlan =
  | { kind: 'http'; description: string; request: ReplayableRequest; containerPort: number; exchangeId: number; note?: string; samples?: SampledExchange[] }
  | { kind: 'start' | 'command'; description: string; note?: string }
  | { kind: 'none'; description: string; note: string };

export interface PlanInput {
  crash: CrashReport;
  image: AppImage;
  /** The exchange linked to the crash by the proxy, if any, and its unmasked request. */
  exchange: RecordedExchange | null;
  request: ReplayableRequest | null;
  /** Container port the exchange went to. */
  containerPort: number | null;
  replayUnsafeMethods: boolean;
  /** True when the app crashed before it was ever reachable (or has no port): the start itself reproduces it. */
  crashedAtStartup?: boolean;
  /** Successful exchanges of the live app (the proxy's samples), replayed around the crash for differential replay. */
  samples?: SampledExchange[];
}

/** Chooses how to reproduce `crash`, saying plainly why when a request is not replayed. */
export function planReproducer(input: PlanInput): ReproducerPlan {
  const { exchange, request, image } = input;
  const fallbackKind: 'start' | 'command' = image.ports.length > 0 ? 'start' : 'command';
  const fallbackDescription = fallbackKind === 'start' ? 'start' : image.cmd.join(' ') || 'start';
  if (exchange && request && input.containerPort !== null) {
    const description = `${exchange.method} ${exchange.path}${exchange.query ? `?${exchange.query}` : ''}`;
    if (!SAFE_METHODS.includes(exchange.method.toUpperCase()) && !input.replayUnsafeMethods) {
      return {
        kind: 'none',
        description,
        note: `not replayed: replaying ${exchange.method} requests is turned off (autodev.verify.replayUnsafeMethods), so the crash cannot be reproduced and a fix stays unverified`,
      };
    }
    if (request.body === null) {
      return { kind: 'none', description, note: 'not replayed: the request body was too large to keep, so the crash cannot be reproduced and a fix stays unverified' };
    }
    // Unsafe samples are replayed only when unsafe replay is on, like the crash itself.
    const samples = (input.samples ?? []).filter((x) => x.exchange.id !== exchange.id && (input.replayUnsafeMethods || SAFE_METHODS.includes(x.exchange.method.toUpperCase())));
    return { kind: 'http', description, request, containerPort: input.containerPort, exchangeId: exchange.id, ...(samples.length ? { samples } : {}) };
  }
  if (image.ports.length > 0 && !input.crashedAtStartup) {
    return {
      kind: fallbackKind,
      description: fallbackDescription,
      note: 'no request was linked to this crash: falling back to the window check (the app is started and watched for the crash)',
    };
  }
  return { kind: fallbackKind, description: fallbackDescription };
}

export interface ReplayResponse extends Answer {
  error?: string;
}

/** Body bytes a replay keeps: enough for the JSON shape of an ordinary answer. */
const REPLAY_BODY_LIMIT = 256 * 1024;

/** Sends `req` to `baseUrl` (the scratch or main container's published port) and waits for the answer. */
export function replayRequest(baseUrl: string, req: ReplayableRequest, timeoutMs: number, signal?: AbortSignal): Promise<ReplayResponse> {
  return new Promise((resolve) => {
    const target = new URL(req.url, baseUrl);
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      // Hop-by-hop headers and the original host/length do not apply to the new connection.
      if (['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade', 'proxy-connection'].includes(k.toLowerCase())) continue;
      headers[k] = v;
    }
    if (req.body && req.body.length) headers['content-length'] = String(req.body.length);
    let settled = false;
    const done = (r: ReplayResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const r = httpRequest(target, { method: req.method, headers, signal, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const contentType = mediaType(res.headers['content-type']);
      res.on('data', (c: Buffer) => {
        if (size < REPLAY_BODY_LIMIT) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => done({ status: res.statusCode ?? null, contentType, body: Buffer.concat(chunks).subarray(0, REPLAY_BODY_LIMIT).toString('utf8'), ...(size > REPLAY_BODY_LIMIT ? { truncated: true } : {}) }));
      res.on('error', (e) => done({ status: res.statusCode ?? null, contentType, error: e.message, body: '', truncated: true }));
    });
    const timer = setTimeout(() => {
      r.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    r.on('error', (e) => done({ status: null, contentType: null, error: e.message, body: '' }));
    r.end(req.body && req.body.length ? req.body : undefined);
  });
}

/** A short side-by-side form of an answer: `200 application/json {"todos":[{"title":"a"}],"total":1}`. */
export function describeAnswer(r: Answer & { error?: string }, max = 100): string {
  if (r.status === null) return `no response (${r.error ?? 'connection closed'})`;
  const body = r.body.replace(/\s+/g, ' ').trim();
  return `${r.status}${r.contentType ? ` ${r.contentType}` : ''}${body ? ` ${body.length > max ? `${body.slice(0, max)}…` : body}` : ''}`;
}

/** `500`, `connection closed (socket hang up)`… */
export function describeResponse(r: ReplayResponse): string {
  if (r.status !== null) return String(r.status);
  return `no response (${r.error ?? 'connection closed'})`;
}

/** The evidence line for the commit body and the review: `Reproduced-By: GET /stats -> 500 before, 200 after`. */
export function reproducedByLine(result: ReproducerResult): string {
  const before = result.before ?? 'not run';
  const after = result.after ?? 'not run';
  const line = `Reproduced-By: ${result.description} -> ${before} before, ${after} after`;
  return result.note ? `${line} (${result.note})` : line;
}
