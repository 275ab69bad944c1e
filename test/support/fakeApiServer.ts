/**
 * A fake Kubernetes API server on 127.0.0.1 speaking real HTTP (and the v4.channel.k8s.io websocket protocol for
 * exec and port-forward) to the real @kubernetes/client-node, answering with the recorded shapes in
 * test/fixtures/kubernetes. Tests drive the pods' lives: status changes, log lines, dropped connections.
 */
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as net from 'node:net';
import * as path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';

const FIXTURES = path.resolve(__dirname, '../fixtures/kubernetes');

/** A recorded fixture with REF/NAME filled in. */
export function fixture(name: string, fill: Record<string, string> = {}): Record<string, unknown> {
  let text = readFileSync(path.join(FIXTURES, name), 'utf8');
  for (const [k, v] of Object.entries(fill)) text = text.split(k).join(v);
  return JSON.parse(text) as Record<string, unknown>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body?: unknown;
}

interface FakePod {
  object: { metadata: Record<string, unknown> & { name: string; namespace?: string; annotations?: Record<string, string> }; spec: Record<string, unknown>; status?: Record<string, unknown> };
  /** Log lines with their RFC 3339 nanosecond timestamps. */
  log: Array<{ ts: string; text: string }>;
}

type Follower = { pod: string; res: http.ServerResponse };
type Watcher = { pod: string; res: http.ServerResponse };

export class FakeApiServer {
  readonly requests: RecordedRequest[] = [];
  readonly pods = new Map<string, FakePod>();
  /** Status fixture a new pod gets; tests change pods afterwards with setStatus. */
  onCreate: (name: string) => void = () => undefined;
  /** exec: command → [output, status fixture or null for Success]. */
  execHandler: (cmd: string[]) => { output: string; status?: Record<string, unknown> } = () => ({ output: '' });
  private readonly followers = new Set<Follower>();
  private readonly watchers = new Set<Watcher>();
  private readonly sockets = new Set<Socket>();
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false) });
  private clock = Date.parse('2024-09-02T10:15:02Z');
  /** Where port-forward connections go: container port → a local TCP port standing in for the pod. */
  readonly forwards = new Map<number, number>();

  async listen(): Promise<string> {
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('upgrade', (req, socket, head) => this.wss.handleUpgrade(req, socket as Socket, head, (ws) => this.onWebSocket(req, ws)));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A kubeconfig (YAML is JSON) for the client, namespace autodev-test. */
  kubeconfig(url: string): string {
    return JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      // A plain-http server needs insecure-skip-tls-verify in a kubeconfig (the client refuses http otherwise).
      clusters: [{ name: 'fake', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'tester', user: { token: 'fake-token' } }],
      contexts: [{ name: 'fake-ctx', context: { cluster: 'fake', user: 'tester', namespace: 'autodev-test' } }],
      'current-context': 'fake-ctx',
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Next log timestamp: nanosecond precision, several lines per second (so a re-follow repeats some). */
  private nextTs(): string {
    this.clock += 137;
    const d = new Date(this.clock);
    return d.toISOString().replace(/\.(\d{3})Z$/, (_, ms) => `.${ms}${String(this.clock % 1000).padStart(3, '0')}421Z`);
  }

  /** Sets a pod's status from a fixture and tells the watchers (MODIFIED). Ends log follows when it terminated. */
  setStatus(name: string, fixtureName: string): void {
    const pod = this.pods.get(name);
    if (!pod) throw new Error(`no pod ${name}`);
    pod.object.status = fixture(fixtureName, { REF: String((pod.object.spec as { containers: Array<{ image: string }> }).containers[0].image) });
    this.notify(name, 'MODIFIED');
    if (this.terminated(pod)) for (const f of [...this.followers]) if (f.pod === name) this.endFollower(f);
  }

  /** Appends log lines to a pod (followers get them at once). */
  say(name: string, ...texts: string[]): void {
    const pod = this.pods.get(name)!;
    for (const text of texts) {
      const entry = { ts: this.nextTs(), text };
      pod.log.push(entry);
      for (const f of this.followers) if (f.pod === name) f.res.write(`${entry.ts} ${text}\n`);
    }
  }

  /** Ends every log follow cleanly, as an apiserver restart or an idle timeout does. */
  endLogFollows(): void {
    for (const f of [...this.followers]) this.endFollower(f);
  }

  /** Cuts every connection (logs, watches) without a clean end, as a network failure does. */
  cutConnections(): void {
    for (const f of [...this.followers]) f.res.socket?.destroy();
    for (const w of [...this.watchers]) w.res.socket?.destroy();
    this.followers.clear();
    this.watchers.clear();
  }

  /** The only pod whose name starts with `prefix` that still exists (most recent). */
  latestPod(): string | undefined {
    return [...this.pods.keys()].pop();
  }

  private terminated(pod: FakePod): boolean {
    const cs = (pod.object.status?.containerStatuses as Array<{ state?: { terminated?: unknown } }> | undefined)?.[0];
    return !!cs?.state?.terminated;
  }

  private endFollower(f: Follower): void {
    this.followers.delete(f);
    f.res.end();
  }

  private notify(name: string, type: 'ADDED' | 'MODIFIED' | 'DELETED'): void {
    const pod = this.pods.get(name);
    if (!pod) return;
    for (const w of this.watchers) if (w.pod === name) w.res.write(JSON.stringify({ type, object: pod.object }) + '\n');
  }

  private json(res: http.ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private notFound(res: http.ServerResponse, name: string): void {
    this.json(res, 404, fixture('status-notfound.json', { NAME: name }));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    let body: unknown;
    if (req.method === 'POST' || req.method === 'DELETE') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      body = text ? JSON.parse(text) : undefined;
    }
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body });
    if (req.headers.authorization !== 'Bearer fake-token') return this.json(res, 401, { kind: 'Status', status: 'Failure', code: 401, reason: 'Unauthorized' });
    if (url.pathname === '/version') return this.json(res, 200, fixture('version.json'));
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?(?:\/(log))?$/.exec(url.pathname);
    if (!m) return this.json(res, 404, { kind: 'Status', status: 'Failure', code: 404 });
    const [, ns, name, sub] = m;
    if (!name && req.method === 'POST') {
      const obj = body as FakePod['object'];
      obj.metadata.namespace = ns;
      obj.metadata.uid = `uid-${this.pods.size + 1}`;
      obj.metadata.creationTimestamp = new Date(this.clock).toISOString().replace(/\.\d+Z$/, 'Z');
      const pod: FakePod = { object: obj, log: [] };
      this.pods.set(obj.metadata.name, pod);
      pod.object.status = fixture('status-pending.json', { REF: String((obj.spec as { containers: Array<{ image: string }> }).containers[0].image) });
      this.json(res, 201, obj);
      setImmediate(() => this.onCreate(obj.metadata.name));
      return;
    }
    if (!name && url.searchParams.get('watch') === 'true') {
      const pod = /^metadata\.name=(.+)$/.exec(url.searchParams.get('fieldSelector') ?? '')?.[1] ?? '';
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      const w = { pod, res };
      this.watchers.add(w);
      res.on('close', () => this.watchers.delete(w));
      // Without a resourceVersion a watch starts with the current state as ADDED (API concepts: "watch").
      if (this.pods.has(pod)) res.write(JSON.stringify({ type: 'ADDED', object: this.pods.get(pod)!.object }) + '\n');
      else res.write('');
      return;
    }
    if (!name) {
      const selector = url.searchParams.get('labelSelector') ?? '';
      const [k, v] = selector.split('=');
      const items = [...this.pods.values()].map((p) => p.object).filter((o) => !k || (o.metadata.labels as Record<string, string> | undefined)?.[k] === v);
      return this.json(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '4711' }, items });
    }
    const pod = this.pods.get(name);
    if (!pod) return this.notFound(res, name);
    if (req.method === 'DELETE') {
      (pod.object.metadata as Record<string, unknown>).deletionTimestamp = new Date(this.clock).toISOString();
      this.json(res, 200, pod.object);
      this.notify(name, 'MODIFIED');
      this.setStatusQuiet(pod, 'status-exited-3.json');
      for (const f of [...this.followers]) if (f.pod === name) this.endFollower(f);
      this.notify(name, 'DELETED');
      this.pods.delete(name);
      return;
    }
    if (sub === 'log') {
      res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
      const since = url.searchParams.get('sinceTime');
      const withTs = url.searchParams.get('timestamps') === 'true';
      for (const l of pod.log) if (!since || l.ts.slice(0, 19) >= since.slice(0, 19)) res.write(withTs ? `${l.ts} ${l.text}\n` : `${l.text}\n`);
      if (url.searchParams.get('follow') !== 'true' || this.terminated(pod)) return void res.end();
      const f = { pod: name, res };
      this.followers.add(f);
      res.on('close', () => this.followers.delete(f));
      return;
    }
    return this.json(res, 200, pod.object);
  }

  private setStatusQuiet(pod: FakePod, fixtureName: string): void {
    pod.object.status = fixture(fixtureName, { REF: String((pod.object.spec as { containers: Array<{ image: string }> }).containers[0].image) });
  }

  private onWebSocket(req: http.IncomingMessage, ws: WebSocket): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push({ method: 'WS', path: url.pathname, query: url.searchParams });
    const send = (channel: number, data: Buffer | string) => ws.send(Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data)]));
    if (url.pathname.endsWith('/exec')) {
      const { output, status } = this.execHandler(url.searchParams.getAll('command'));
      if (output) send(1, output);
      send(3, JSON.stringify(status ?? { metadata: {}, status: 'Success' }));
      ws.close();
      return;
    }
    if (url.pathname.endsWith('/portforward')) {
      const port = Number(url.searchParams.get('ports'));
      const portBytes = Buffer.alloc(2);
      portBytes.writeUInt16LE(port);
      // Each channel's first message names the port (data channel 0, error channel 1).
      send(0, portBytes);
      send(1, portBytes);
      const target = this.forwards.get(port);
      if (!target) return void ws.close();
      const upstream = net.connect(target, '127.0.0.1');
      upstream.on('data', (d) => send(0, d));
      upstream.on('close', () => ws.close());
      upstream.on('error', () => ws.close());
      ws.on('message', (m: Buffer) => {
        if (m[0] === 0) upstream.write(m.subarray(1));
      });
      ws.on('close', () => upstream.destroy());
    }
  }
}
