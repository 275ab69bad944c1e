/**
 * A reverse proxy on 127.0.0.1 in front of the app's published port (http-proxy does the HTTP). It keeps the last N
 * exchanges with secrets masked, streams bodies through and records only their first bytes, so memory stays bounded
 * under a flood or a huge upload. Crashes are linked to the exchange that was in flight or answered 5xx.
 */
import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import httpProxy from 'http-proxy';
import { Emitter, type Disposable } from '../lifecycle';
import { maskHeaders, maskQuery, requestSecretValues, type SecretMasker } from '../privacy/secretMasker';

/** One request/response pair as shown to people and models: secrets masked, bodies cut at `bodyLimit` bytes. */
export interface RecordedExchange {
  id: number;
  method: string;
  /** Path without the query. */
  path: string;
  /** Query string without `?`, credential-like parameters masked. */
  query: string;
  requestHeaders: Record<string, string>;
  requestBody: string;
  requestBytes: number;
  requestTruncated: boolean;
  status: number | null;
  responseHeaders: Record<string, string>;
  responseBody: string;
  responseBytes: number;
  responseTruncated: boolean;
  startedAt: number;
  endedAt: number | null;
  durationMs: number | null;
  /** Set when the upstream failed (connection refused, socket hang up: usually the app crashed mid-request). */
  error?: string;
  /** True for WebSocket upgrades (passed through, not recorded beyond the handshake). */
  upgrade?: boolean;
}

/**
 * A route as differential replay groups requests: the method and the path with id-like segments (numbers, uuids,
 * long hex) generalised, so `GET /user/42` and `GET /user/7` are one route, `GET /user/:id`.
 */
export function routeKey(method: string, path: string): string {
  const generic = path
    .split('/')
    .map((seg) => (/^\d+$/.test(seg) || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(seg) || /^[0-9a-f]{16,}$/i.test(seg) ? ':id' : seg))
    .join('/');
  return `${method.toUpperCase()} ${generic}`;
}

/** A successful exchange kept for differential replay, with its unmasked request. */
export interface SampledExchange {
  route: string;
  exchange: RecordedExchange;
  request: ReplayableRequest;
}

/** What a replay needs: the unmasked request, kept only in memory and never logged or sent to a model. */
export interface ReplayableRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: Record<string, string | string[]>;
  /** The full body when it fit in `replayBodyLimit`; null when it was larger (such a request is not replayed). */
  body: Buffer | null;
}

export interface RecordingProxyOptions {
  /** Where requests go; resolved per request because a restarted container may get a new host port. */
  target: () => string | null;
  /** Exchanges kept (ring). Default 100. */
  capacity?: number;
  /** Body bytes recorded per direction. Default 8 KiB. */
  bodyLimit?: number;
  /** Request bodies up to this size are kept whole for replay. Default 1 MiB. */
  replayBodyLimit?: number;
  /** Port to listen on (0 = any). */
  port?: number;
  /** Successful exchanges kept per route for differential replay (outliving the ring). Default 3. */
  samplesPerRoute?: number;
  /** Routes sampled at most (the first ones seen). Default 32. */
  sampledRoutes?: number;
  /**
   * The workspace's masker. It learns each credential value the proxy sees (auth header tokens, Basic passwords,
   * cookie values, secret query values), so the app's own log lines and prompts are masked when the app prints them.
   */
  masker: SecretMasker;
}

interface Entry {
  exchange: RecordedExchange;
  replay: ReplayableRequest;
  requestChunks: Buffer[];
  responseChunks: Buffer[];
  replayChunks: Buffer[] | null;
}

export class RecordingProxy implements Disposable {
  private readonly server: Server;
  private readonly proxy: httpProxy;
  private readonly ring: Entry[] = [];
  private readonly inFlight = new Map<number, Entry>();
  private readonly sampled = new Map<string, Entry[]>();
  private readonly sockets = new Set<Socket>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private nextId = 1;
  private readonly capacity: number;
  private readonly bodyLimit: number;
  private readonly replayBodyLimit: number;
  private readonly masker: SecretMasker;
  private readonly changed = new Emitter<RecordedExchange>();
  /** Fires when an exchange completes (or fails). */
  readonly onExchange = this.changed.event;
  private listening: Promise<string> | null = null;

  constructor(private readonly options: RecordingProxyOptions) {
    this.capacity = Math.max(1, options.capacity ?? 100);
    this.bodyLimit = Math.max(0, options.bodyLimit ?? 8 * 1024);
    this.replayBodyLimit = options.replayBodyLimit ?? 1024 * 1024;
    this.masker = options.masker;
    // xfwd off: the app sees the request as the client sent it; keep-alive agent keeps the added latency low.
    this.proxy = httpProxy.createProxyServer({ ws: true, xfwd: false, agent: this.agent });
    this.proxy.on('proxyRes', (proxyRes, req) => this.onProxyResponse(proxyRes, req));
    this.server = createServer((req, res) => this.onRequest(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.onUpgrade(req, socket, head));
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** Starts listening on 127.0.0.1; resolves to the proxy's base URL (`http://127.0.0.1:PORT`). */
  listen(): Promise<string> {
    this.listening ??= new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve(this.url!);
      });
    });
    return this.listening;
  }

  get url(): string | null {
    const addr = this.server.address() as AddressInfo | null;
    return addr && typeof addr === 'object' ? `http://127.0.0.1:${addr.port}` : null;
  }

  /** Completed and in-flight exchanges, oldest first (copies). */
  exchanges(): RecordedExchange[] {
    return this.ring.map((e) => ({ ...e.exchange }));
  }

  /**
   * Successful (2xx) exchanges, up to `samplesPerRoute` per route (the latest), oldest first: what the app answered
   * while it worked, replayed against the unpatched and the patched scratch app to prove a fix changes nothing else.
   */
  samples(): SampledExchange[] {
    const out: SampledExchange[] = [];
    for (const [route, entries] of this.sampled) for (const e of entries) if (e.replay.body !== null) out.push({ route, exchange: { ...e.exchange }, request: e.replay });
    return out.sort((a, b) => a.exchange.id - b.exchange.id);
  }

  /** The unmasked request of exchange `id`, for the reproducer only. */
  replayable(id: number): ReplayableRequest | null {
    const entry = this.ring.find((e) => e.exchange.id === id);
    return entry ? entry.replay : null;
  }

  /**
   * The exchange a crash belongs to: one in flight while its trace was printed, or one answered 5xx / cut off
   * around that time. `from`/`to` are the times the trace's first and last lines were read. On a busy machine the log
   * can reach us well after the answer did; with `runStartedAt` (the start of the run that wrote the trace), the
   * latest failed exchange of that run, sent before the trace ended, is taken when none falls within `slackMs`.
   */
  exchangeForCrash(from: number, to: number = from, slackMs = 1500, runStartedAt?: number): RecordedExchange | null {
    const near = this.exchangeNear(from, to, slackMs);
    if (near || runStartedAt === undefined) return near;
    const ofRun = this.ring
      .filter(({ exchange: x }) => !x.upgrade && x.startedAt >= runStartedAt && x.startedAt <= to + 50 && (x.error !== undefined || (x.status !== null && x.status >= 500)))
      .sort((a, b) => b.exchange.startedAt - a.exchange.startedAt)[0];
    return ofRun ? { ...ofRun.exchange } : null;
  }

  private exchangeNear(from: number, to: number, slackMs: number): RecordedExchange | null {
    const candidates = this.ring.filter(({ exchange: x }) => {
      if (x.upgrade) return false;
      const started = x.startedAt <= to + 50;
      const notEndedBefore = x.endedAt === null || x.endedAt >= from - slackMs;
      return started && notEndedBefore;
    });
    const failed = candidates.filter(({ exchange: x }) => x.error !== undefined || (x.status !== null && x.status >= 500));
    const inFlight = candidates.filter(({ exchange: x }) => x.endedAt === null);
    const pick = (list: Entry[]) =>
      list.sort((a, b) => Math.abs(a.exchange.startedAt - from) - Math.abs(b.exchange.startedAt - from))[0]?.exchange ?? null;
    const found = pick(failed) ?? pick(inFlight);
    return found ? { ...found } : null;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const entry = this.record(req, false);
    const target = this.options.target();
    if (!target) {
      this.fail(entry, 'the app is not running');
      res.writeHead(502, { 'content-type': 'text/plain' }).end('AutoDev: the app is not running (it crashed or is restarting).\n');
      return;
    }
    this.proxy.web(req, res, { target }, (err) => {
      this.fail(entry, err.message || String(err));
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      // The app closed the connection mid-request: most often it crashed while handling it.
      res.end(`AutoDev: the app did not answer (${err.message}).\n`);
    });
    // Tap the request body after http-proxy has piped it (same tick, so no chunk is missed).
    req.on('data', (chunk: Buffer) => {
      entry.exchange.requestBytes += chunk.length;
      keepFirst(entry.requestChunks, chunk, this.bodyLimit);
      if (entry.replayChunks) {
        if (entry.exchange.requestBytes > this.replayBodyLimit) entry.replayChunks = null;
        else entry.replayChunks.push(chunk);
      }
    });
    req.on('end', () => {
      entry.exchange.requestTruncated = entry.exchange.requestBytes > this.bodyLimit;
      entry.exchange.requestBody = this.maskBody(entry.requestChunks);
      entry.replay.body = entry.replayChunks ? Buffer.concat(entry.replayChunks) : null;
      entry.replayChunks = null;
    });
    res.on('close', () => {
      if (entry.exchange.endedAt === null) this.finish(entry, res.statusCode, res.writableFinished ? undefined : 'client closed the connection');
    });
  }

  private onProxyResponse(proxyRes: IncomingMessage, req: IncomingMessage): void {
    const entry = (req as IncomingMessage & { autodevEntry?: Entry }).autodevEntry;
    if (!entry) return;
    entry.exchange.status = proxyRes.statusCode ?? null;
    entry.exchange.responseHeaders = this.maskHeaderValues(proxyRes.headers);
    proxyRes.on('data', (chunk: Buffer) => {
      entry.exchange.responseBytes += chunk.length;
      keepFirst(entry.responseChunks, chunk, this.bodyLimit);
    });
    proxyRes.on('end', () => this.finish(entry, proxyRes.statusCode ?? null));
    proxyRes.on('error', (err) => this.fail(entry, err.message));
  }

  private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const entry = this.record(req, true);
    const target = this.options.target();
    if (!target) {
      this.fail(entry, 'the app is not running');
      socket.destroy();
      return;
    }
    this.proxy.ws(req, socket, head, { target }, (err) => {
      this.fail(entry, err.message);
      socket.destroy();
    });
    // The handshake is all we record of a WebSocket; frames pass through untouched.
    this.finish(entry, 101);
  }

  private record(req: IncomingMessage, upgrade: boolean): Entry {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    // Learned before anything is recorded, so the request's own body and echoes are masked too.
    for (const v of requestSecretValues(req.headers, q >= 0 ? raw.slice(q + 1) : '')) this.masker.addSecret(v);
    const exchange: RecordedExchange = {
      id: this.nextId++,
      method: req.method ?? 'GET',
      path: q >= 0 ? raw.slice(0, q) : raw,
      query: q >= 0 ? this.masker.maskText(maskQuery(raw.slice(q + 1))) : '',
      requestHeaders: this.maskHeaderValues(req.headers),
      requestBody: '',
      requestBytes: 0,
      requestTruncated: false,
      status: null,
      responseHeaders: {},
      responseBody: '',
      responseBytes: 0,
      responseTruncated: false,
      startedAt: Date.now(),
      endedAt: null,
      durationMs: null,
      ...(upgrade ? { upgrade: true } : {}),
    };
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = v;
    const entry: Entry = {
      exchange,
      replay: { method: exchange.method, url: raw, headers, body: null },
      requestChunks: [],
      responseChunks: [],
      replayChunks: [],
    };
    (req as IncomingMessage & { autodevEntry?: Entry }).autodevEntry = entry;
    this.ring.push(entry);
    // Bounded ring: the oldest exchange goes, even if a slow one is still in flight (it keeps its own reference).
    while (this.ring.length > this.capacity) this.ring.shift();
    this.inFlight.set(exchange.id, entry);
    return entry;
  }

  private finish(entry: Entry, status: number | null, error?: string): void {
    if (entry.exchange.endedAt !== null) return;
    const x = entry.exchange;
    x.endedAt = Date.now();
    x.durationMs = x.endedAt - x.startedAt;
    if (status !== null && x.status === null) x.status = status;
    if (error && x.error === undefined) x.error = error;
    x.responseTruncated = x.responseBytes > this.bodyLimit;
    x.responseBody = this.maskBody(entry.responseChunks);
    entry.responseChunks = [];
    this.inFlight.delete(x.id);
    this.sample(entry);
    this.changed.fire({ ...x });
  }

  private sample(entry: Entry): void {
    const x = entry.exchange;
    if (x.upgrade || x.error !== undefined || x.status === null || x.status < 200 || x.status >= 300) return;
    const route = routeKey(x.method, x.path);
    let list = this.sampled.get(route);
    if (!list) {
      if (this.sampled.size >= Math.max(0, this.options.sampledRoutes ?? 32)) return;
      list = [];
      this.sampled.set(route, list);
    }
    list.push(entry);
    while (list.length > Math.max(1, this.options.samplesPerRoute ?? 3)) list.shift();
  }

  private fail(entry: Entry, message: string): void {
    entry.exchange.error = message;
    this.finish(entry, null, message);
  }

  private maskHeaderValues(headers: Record<string, string | string[] | undefined>): Record<string, string> {
    return maskHeaders(headers, this.masker);
  }

  private maskBody(chunks: Buffer[]): string {
    if (chunks.length === 0) return '';
    const text = Buffer.concat(chunks).toString('utf8');
    return this.masker.maskText(text);
  }

  async dispose(): Promise<void> {
    this.changed.dispose();
    for (const s of this.sockets) s.destroy();
    this.proxy.close();
    this.agent.destroy();
    await new Promise<void>((resolve) => (this.server.listening ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Appends `chunk` to `chunks` while their total stays within `limit` bytes (cuts the last one). */
function keepFirst(chunks: Buffer[], chunk: Buffer, limit: number): void {
  let have = 0;
  for (const c of chunks) have += c.length;
  if (have >= limit) return;
  chunks.push(have + chunk.length <= limit ? Buffer.from(chunk) : Buffer.from(chunk.subarray(0, limit - have)));
}
