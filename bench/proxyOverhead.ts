/**
 * What the recording proxy adds to a request: the same small GET sent straight to an upstream HTTP server and
 * through RecordingProxy, sequentially over keep-alive connections, in interleaved blocks; overhead = p50 difference.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createSecretMasker } from '../src/core/privacy/secretMasker';
import { RecordingProxy } from '../src/core/replay/recordingProxy';
import { abortable, type BenchPart } from './benchContext';
import { percentile, round } from './benchStats';

/** The upstream runs in its own process, as the app does (in its container), so it does not share our event loop. */
const UPSTREAM = `
const http = require('node:http');
const body = JSON.stringify({ items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: 'item ' + i })) });
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

function startUpstream(): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', UPSTREAM], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.stdout!.once('data', (d) => resolve({ child, port: Number.parseInt(String(d), 10) }));
  });
}

function get(agent: Agent, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port, path, agent, headers: { authorization: 'Bearer bench-secret' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

export const proxyPart: BenchPart = {
  name: 'proxy',
  keys: ['proxyOverheadMsP50', 'proxyDirectMsP50'],
  docker: false,
  timeoutMs: 3 * 60_000,
  async run(ctx) {
    const perSide = ctx.size(3000, 300);
    const block = 100;
    const { child, port } = await startUpstream();
    const proxy = new RecordingProxy({ target: () => `http://127.0.0.1:${port}`, masker: createSecretMasker({ secrets: [] }) });
    const direct: number[] = [];
    const proxied: number[] = [];
    try {
      const proxyPort = Number(new URL(await proxy.listen()).port);
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const measure = async (n: number, record: boolean) => {
        for (let done = 0; done < n; done += block) {
          for (let i = 0; i < block; i++) {
            const ms = await get(agent, port, `/api/items?page=${i}`);
            if (record) direct.push(ms);
          }
          for (let i = 0; i < block; i++) {
            const ms = await get(agent, proxyPort, `/api/items?page=${i}`);
            if (record) proxied.push(ms);
          }
        }
      };
      await abortable(measure(ctx.size(500, 100), false), ctx.signal); // warm-up: JIT, sockets
      await abortable(measure(perSide, true), ctx.signal);
      agent.destroy();
      ctx.note(`recorded exchanges kept: ${proxy.exchanges().length} (ring)`);
    } finally {
      await proxy.dispose();
      child.kill();
    }
    const d = percentile(direct, 50);
    const p = percentile(proxied, 50);
    ctx.note(
      `${perSide} sequential keep-alive GETs each way (~1 KB JSON, upstream in its own Node process); p50 direct ${d?.toFixed(3)} ms, ` +
        `proxied ${p?.toFixed(3)} ms; p95 direct ${percentile(direct, 95)?.toFixed(3)} ms, proxied ${percentile(proxied, 95)?.toFixed(3)} ms`,
    );
    return { proxyDirectMsP50: round(d, 3), proxyOverheadMsP50: d !== null && p !== null ? round(p - d, 3) : null };
  },
};
