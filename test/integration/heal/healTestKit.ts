/** Shared setup of the heal integration tests: examples copied into temp git repos, event capture, scripted models. */
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { LlmProvider } from '../../../src/core/agent/llmProvider';
import { createProvider } from '../../../src/core/agent/providers';
import type { HealConfig } from '../../../src/core/heal/healController';
import type { HealEvent } from '../../../src/core/heal/healEvents';
import { HealSession, type HealSessionOptions } from '../../../src/core/heal/healSession';
import { DEFAULT_RUNTIME_SETTINGS } from '../../../src/core/runtime/containerRuntime';
import { DockerRuntime } from '../../../src/core/runtime/dockerRuntime';
import { MemoryCapabilityCache } from '../../../src/core/agent/capabilityCache';
import { SimpleGitPort } from '../../../src/core/git/simpleGitPort';
import { FsPatchApplier } from '../../../src/core/patch/fsPatchApplier';
import { testLogger } from '../../support/testLogger';
import { reply as replyTurn, type FakeRequest, type FakeResponse, type FakeTurn } from '../../support/fakeLlmServer';

export const PY_IMAGE = 'autodev-offline/python:3.11';
export const ROOT = path.resolve(__dirname, '../../..');
export const CLI = path.join(ROOT, 'dist/cli.js');

/** Copies examples/<name> into a new temp git repository (one commit) and returns its path. */
export function exampleRepo(name: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), `autodev-heal-${name}-`));
  if (name !== 'empty') cpSync(path.join(ROOT, 'examples', name), dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) {
    const abs = path.join(dir, f);
    execFileSync('mkdir', ['-p', path.dirname(abs)]);
    require('node:fs').writeFileSync(abs, text);
  }
  execFileSync('chmod', ['755', dir]);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'dev@example.com');
  git(dir, 'config', 'user.name', 'Dev');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'init');
  return dir;
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** path → sha256 of every file (outside .git): "byte-identical" checks. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      if (name === '.git') continue;
      const abs = path.join(d, name);
      if (statSync(abs).isDirectory()) walk(abs);
      else out[path.relative(dir, abs)] = createHash('sha256').update(readFileSync(abs)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

export interface Harness {
  session: HealSession;
  events: HealEvent[];
  waitFor<K extends HealEvent['kind']>(kind: K, pred?: (e: Extract<HealEvent, { kind: K }>) => boolean, timeoutMs?: number): Promise<Extract<HealEvent, { kind: K }>>;
  dispose(): Promise<void>;
}

export function makeSession(dir: string, provider: LlmProvider, over: Partial<HealConfig> = {}, options: HealSessionOptions = {}): Harness {
  const config: HealConfig = {
    workspaceDir: dir,
    runtime: { ...DEFAULT_RUNTIME_SETTINGS, imageOverride: PY_IMAGE, memoryMb: 256 },
    containerRuntime: new DockerRuntime(),
    provider: async () => provider,
    secrets: [],
    mode: 'autonomous',
    verify: { windowSeconds: 2, replayUnsafeMethods: false },
    fix: { maxTurns: 6, maxTokens: 500_000, maxCostUsd: 5, dailyCostUsd: 0, timeoutMs: 20_000, maxAttempts: 3 },
    git: { commit: true, autoPush: false, branch: 'current' },
    applier: new FsPatchApplier(),
    gitPort: new SimpleGitPort(),
    capabilities: new MemoryCapabilityCache(),
    logger: testLogger(),
    ...over,
  };
  const session = new HealSession(config, { scannerQuietMs: 200, cooldownMs: 60_000, writeReplayState: false, ...options });
  const events: HealEvent[] = [];
  const waiters: { kind: string; pred?: (e: never) => boolean; resolve: (e: never) => void }[] = [];
  session.onEvent((e) => {
    events.push(e);
    for (const w of [...waiters]) {
      if (w.kind === e.kind && (!w.pred || w.pred(e as never))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e as never);
      }
    }
  });
  return {
    session,
    events,
    waitFor(kind, pred, timeoutMs = 90_000) {
      const seen = events.find((e) => e.kind === kind && (!pred || pred(e as never)));
      if (seen) return Promise.resolve(seen as never);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no ${kind} event within ${timeoutMs} ms; saw: ${events.filter((e) => e.kind !== 'log').map((e) => e.kind + (e.kind === 'state' ? ':' + e.state : '')).join(', ')}\nlogs:\n${events.filter((e) => e.kind === 'log').slice(-30).map((e) => (e as { line: { text: string } }).line.text).join('\n')}`)), timeoutMs);
        waiters.push({ kind, pred: pred as never, resolve: (e) => (clearTimeout(t), resolve(e)) });
      });
    },
    dispose: () => session.dispose(),
  };
}

export interface Edit {
  path: string;
  old_text: string;
  new_text: string;
}

/**
 * A scripted OpenAI-compatible model: the first request of an attempt gets `decide(firstUserMessage, n)`'s edit
 * (or a finish without edits when it returns null); the request after the tool result gets `finish`.
 */
export function editingModel(decide: (firstUser: string, attemptNo: number) => Edit | null, usage?: FakeTurn['usage']) {
  let attempts = 0;
  const reply = (req: FakeRequest, turn: FakeTurn) => replyTurn(req, { ...turn, ...(usage ? { usage } : {}) });
  return (req: FakeRequest): FakeResponse => {
    const messages: { role: string; content?: string }[] = req.body?.messages ?? [];
    const last = messages[messages.length - 1];
    if (last?.role === 'tool') return reply(req, { toolCalls: [{ name: 'finish', arguments: { summary: 'guarded the failing expression' } }] });
    const firstUser = messages.find((m) => m.role === 'user')?.content ?? '';
    const edit = decide(firstUser, ++attempts);
    if (!edit) return reply(req, { toolCalls: [{ name: 'finish', arguments: { summary: 'no idea' } }] });
    return reply(req, { toolCalls: [{ name: 'edit_file', arguments: { ...edit } }] });
  };
}

/** Sends a request and returns the status (null when the connection failed). */
export async function httpGet(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<number | null> {
  try {
    const r = await fetch(url, { method: init.method ?? 'GET', headers: init.headers, body: init.body });
    await r.text();
    return r.status;
  } catch {
    return null;
  }
}

/** An OpenAI-compatible provider talking to the fake server over HTTP. */
export function openaiAt(fake: { url: string }): LlmProvider {
  return createProvider({ kind: 'openai', preset: 'custom', baseUrl: fake.url, model: 'fake-model', apiKey: 'sk-test-key-000000000000000000', timeoutMs: 20_000 });
}

/**
 * Per-test clean-up for heal sessions: `track` registers a session and its workspace, `serve` the fake model server
 * the test talks to; `run` disposes the sessions and workspaces (LIFO), then closes the server.
 */
export function sessionCleanup() {
  const cleanup: (() => unknown)[] = [];
  let server: { close(): Promise<void> } | null = null;
  return {
    add: (fn: () => unknown) => cleanup.push(fn),
    track(h: Harness, dir: string): Harness {
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      cleanup.push(() => h.dispose());
      return h;
    },
    /** The test's fake model server: closed last, once no session talks to it any more. */
    serve<T extends { close(): Promise<void> }>(fake: T): T {
      server = fake;
      return fake;
    },
    async run(): Promise<void> {
      for (const c of cleanup.splice(0).reverse()) await c();
      if (server) await server.close();
      server = null;
    },
  };
}

/** A finished `autodev` CLI run: exit code, its --json events, its output. */
export interface CliRun {
  code: number | null;
  events: Record<string, any>[];
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `onEvent` sees each --json line as it arrives (to send requests, or to interrupt). */
export function runCli(args: string[], onEvent?: (e: Record<string, any>, child: ReturnType<typeof spawn>) => void, env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const events: Record<string, any>[] = [];
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    createInterface({ input: child.stdout }).on('line', (line) => {
      stdout += line + '\n';
      try {
        const e = JSON.parse(line);
        events.push(e);
        onEvent?.(e, child);
      } catch {
        // human output
      }
    });
    child.on('close', (code) => resolve({ code, events, stdout, stderr }));
  });
}
