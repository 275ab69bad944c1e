/**
 * Stands in for the VS Code host around the real webview bundle: serves the real page (missionControlHtml with
 * its CSP) from 127.0.0.1, shims `acquireVsCodeApi` (records posts, keeps state across reloads), and delivers
 * HostMessages as `message` events like VS Code does. Used by the webview tests and the heap/latency benchmark.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createNonce, missionControlHtml } from '../../src/vscode/missionControlHtml';
import type { MissionControlFeed } from '../../src/vscode/missionControlFeed';
import { parseWebviewMessage, type HostMessage, type WebviewMessage } from '../../src/protocol/messages';
import { type CrashDto } from '../../src/protocol/dtos';

export const CHROMIUM_PATH = process.env.AUTODEV_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];
const ROOT = resolve(__dirname, '../..');

export interface HarnessOptions {
  width?: number;
  height?: number;
  theme?: 'dark' | 'light' | 'high-contrast';
  reducedMotion?: boolean;
  /** Wire a real host feed: `ready` → feed.attach(post), and webview messages go to `onMessage`. */
  feed?: MissionControlFeed;
  onMessage?(m: WebviewMessage): void;
  /** Pass extra flags (e.g. --js-flags=--expose-gc for heap measurements). */
  extraArgs?: string[];
}

export interface Harness {
  readonly browser: Browser;
  readonly page: Page;
  readonly url: string;
  /** Everything the webview posted, in order. */
  posted(): Promise<WebviewMessage[]>;
  /** Delivers host messages in order, as `message` events. */
  send(...messages: HostMessage[]): Promise<void>;
  /** Generates `count` log lines inside the page and delivers them as `logs/didAppend` batches. */
  streamLines(count: number, opts?: { batch?: number; startSeq?: number; prefix?: string; stderrEvery?: number }): Promise<void>;
  /** Resolves once every message sent so far was handled and two frames were rendered. */
  settle(): Promise<void>;
  cspViolations(): Promise<string[]>;
  /** JS heap in use after a full GC (bytes), from the DevTools protocol: for the webview heap benchmark. */
  heapUsedBytes(): Promise<number>;
  /** Delivers a crash and resolves with ms from posting it to the first frame painted with the card showing it. */
  crashToCardMs(crash: CrashDto): Promise<number>;
  /** Reloads the webview like VS Code does when a hidden panel is shown again (`clearState` forgets setState too). */
  reload(opts?: { clearState?: boolean }): Promise<void>;
  pageErrors: string[];
  close(): Promise<void>;
}

function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'dist/webview.js'))) throw new Error('dist/webview.js is missing: run `node scripts/build.mjs` first');
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: run scripts/setup-chromium.sh`);
}

async function serve(theme: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const origin = `http://${req.headers.host}`;
    const path = (req.url ?? '/').split('?')[0];
    const send = (type: string, body: string | Buffer) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (path === '/') {
      const html = missionControlHtml({ scriptUri: `${origin}/dist/webview.js`, styleUri: `${origin}/media/missionControl.css`, cspSource: origin, nonce: createNonce() });
      // VS Code puts the theme kind on <body>; so do we.
      return send('text/html; charset=utf-8', html.replace('<body>', `<body class="vscode-${theme}">`));
    }
    if (path === '/dist/webview.js') return send('text/javascript; charset=utf-8', readFileSync(join(ROOT, 'dist/webview.js')));
    if (path === '/media/missionControl.css') return send('text/css; charset=utf-8', readFileSync(join(ROOT, 'media/missionControl.css')));
    res.writeHead(404).end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

// Runs in the page before its own scripts (not subject to the page CSP, like VS Code's own preload). Kept as
// source text: tsx would decorate a function with `__name` helpers the page does not have.
const SHIM = String.raw`(() => {
  // Functions the tests pass to page.evaluate were compiled by tsx, which wraps named functions in __name().
  if (!window.__name) window.__name = (f) => f;
  const rec = { posted: [], violations: [] };
  window.__mc = rec;
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi may be called only once');
    acquired = true;
    return {
      postMessage: (m) => {
        rec.posted.push(JSON.parse(JSON.stringify(m)));
        if (typeof window.__mcHost === 'function') window.__mcHost(m);
      },
      getState: () => {
        const s = sessionStorage.getItem('vscode-state');
        return s ? JSON.parse(s) : undefined;
      },
      setState: (s) => sessionStorage.setItem('vscode-state', JSON.stringify(s)),
    };
  };
  document.addEventListener('securitypolicyviolation', (e) => rec.violations.push(e.violatedDirective + ' ' + e.blockedURI));
  let sentinel = 0;
  // Same task source as the host's messages, so it is handled after every message posted before it.
  window.__mcSettle = () => new Promise((done) => {
    const id = 'settle-' + (++sentinel);
    const onMessage = (e) => {
      if (e.data !== id) return;
      window.removeEventListener('message', onMessage);
      requestAnimationFrame(() => requestAnimationFrame(() => done()));
    };
    window.addEventListener('message', onMessage);
    window.postMessage(id, '*');
  });
  window.__mcTimeCrash = (msg) => new Promise((done) => {
    const shown = () => document.querySelector('.crash-type')?.textContent === msg.crash.crash.type &&
      document.querySelector('.crash-message')?.textContent === msg.crash.crash.message;
    const t0 = performance.now();
    const obs = new MutationObserver(() => {
      if (!shown()) return;
      obs.disconnect();
      requestAnimationFrame(() => done(performance.now() - t0));
    });
    obs.observe(document.body, { subtree: true, childList: true, characterData: true });
    window.postMessage(msg, '*');
  });
  window.__mcStream = (count, batch, startSeq, prefix, stderrEvery) => {
    const now = Date.now();
    for (let i = 0; i < count; i += batch) {
      const lines = [];
      for (let j = i; j < Math.min(count, i + batch); j++) {
        const seq = startSeq + j;
        lines.push({ seq, stream: stderrEvery > 0 && seq % stderrEvery === 0 ? 'stderr' : 'stdout',
          text: prefix + ' ' + seq + ' GET /api/items?page=' + (seq % 97) + ' 200 ' + (seq % 13) + 'ms', time: now + j });
      }
      window.postMessage({ type: 'logs/didAppend', lines }, '*');
    }
  };
})();`;

export async function openHarness(opts: HarnessOptions = {}): Promise<Harness> {
  assertBuilt();
  const { server, url } = await serve(opts.theme ?? 'dark');
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...(opts.extraArgs ?? [])] });
    const context = await browser.newContext({
      viewport: { width: opts.width ?? 1400, height: opts.height ?? 900 },
      reducedMotion: opts.reducedMotion ? 'reduce' : 'no-preference',
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.addInitScript({ content: SHIM });
    if (opts.feed) {
      const feed = opts.feed;
      const post = (m: HostMessage) =>
        page.evaluate((msg) => window.postMessage(msg, '*'), m).then(() => true, () => false);
      await page.exposeFunction('__mcHost', (raw: unknown) => {
        const m = parseWebviewMessage(raw);
        if (!m) return;
        if (m.type === 'ready') feed.attach(post);
        opts.onMessage?.(m);
      });
    }
    await page.goto(url);
    await page.waitForSelector('.mc');
    const b = browser;
    return {
      browser: b,
      page,
      url,
      pageErrors,
      posted: () => page.evaluate(() => (window as unknown as { __mc: { posted: WebviewMessage[] } }).__mc.posted),
      send: async (...messages) => {
        await page.evaluate((ms) => {
          for (const m of ms) window.postMessage(m, '*');
        }, messages);
      },
      streamLines: async (count, o = {}) => {
        await page.evaluate(
          ([c, batch, start, prefix, every]) => (window as unknown as { __mcStream: (...a: unknown[]) => void }).__mcStream(c, batch, start, prefix, every),
          [count, o.batch ?? 500, o.startSeq ?? 1, o.prefix ?? 'line', o.stderrEvery ?? 0] as const,
        );
      },
      settle: () => page.evaluate(() => (window as unknown as { __mcSettle: () => Promise<void> }).__mcSettle()),
      heapUsedBytes: async () => {
        const cdp = await page.context().newCDPSession(page);
        try {
          await cdp.send('HeapProfiler.collectGarbage');
          const { usedSize } = await cdp.send('Runtime.getHeapUsage');
          return usedSize;
        } finally {
          await cdp.detach().catch(() => undefined);
        }
      },
      crashToCardMs: (crash) =>
        page.evaluate((msg) => (window as unknown as { __mcTimeCrash: (m: unknown) => Promise<number> }).__mcTimeCrash(msg), {
          type: 'crash/didDetect',
          crash,
        } as HostMessage),
      reload: async (o = {}) => {
        if (o.clearState) await page.evaluate(() => sessionStorage.clear());
        await page.reload();
        await page.waitForSelector('.mc');
      },
      cspViolations: () => page.evaluate(() => (window as unknown as { __mc: { violations: string[] } }).__mc.violations),
      close: async () => {
        await b.close().catch(() => undefined);
        await new Promise((ok) => server.close(ok));
      },
    };
  } catch (err) {
    await browser?.close().catch(() => undefined);
    server.close();
    throw err;
  }
}
