/**
 * The machine part of MTTR: `autodev heal --json` on a crashing app with a fake OpenAI-compatible model that answers
 * at once with the right edit; the clock runs from the crash event to the HEALED state (both stamped by the CLI).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startFakeLlm, reply, type FakeRequest } from '../test/support/fakeLlmServer';
import { abortable, exec, type BenchContext, type BenchPart } from './benchContext';
import { imageTagFor } from '../src/core/runtime/dockerRuntime';
import { benchSettings, writeApp } from './benchApps';
import { median, round } from './benchStats';

const APP = `import time

def ratio(hits, total):
    return hits / total

print("service starting", flush=True)
time.sleep(0.2)
print("ratio", ratio(3, 0), flush=True)
while True:
    time.sleep(3600)
`;

const OLD = '    return hits / total';
const NEW = '    return hits / total if total else 0.0';
/** The verification window: as short as the CLI allows a real check to be, and included in the figure. */
const VERIFY_SECONDS = 1;

/** A scripted model: first turn edits the implicated line, second turn finishes. No thinking time. */
function scriptedModel(req: FakeRequest) {
  const messages = (req.body?.messages ?? []) as Array<{ role: string }>;
  const turns = messages.filter((m) => m.role === 'assistant').length;
  if (turns === 0) {
    return reply(req, { toolCalls: [{ name: 'edit_file', arguments: { path: 'app.py', old_text: OLD, new_text: NEW } }] });
  }
  return reply(req, { toolCalls: [{ name: 'finish', arguments: { summary: 'Return 0.0 when total is zero instead of dividing by zero.' } }] });
}

interface HealEventLine {
  kind: string;
  at?: number;
  state?: string;
  mttrMs?: number;
  healed?: boolean;
  reason?: string;
  message?: string;
}

/** One `autodev heal --json` run; returns crash→HEALED ms from the CLI's own event timestamps. */
async function healOnce(ctx: BenchContext, cli: string, dir: string, baseUrl: string): Promise<{ ms: number; cliMttr?: number; phases: string }> {
  const settings = benchSettings();
  const args = [cli, 'heal', dir, '--provider', 'openai', '--base-url', baseUrl, '--model', 'fake-instant', '--yes', '--json',
    '--image', settings.pythonImage, '--verify-seconds', String(VERIFY_SECONDS), '--max-attempts', '1', '--timeout-seconds', '120'];
  const child = spawn(process.execPath, args, { env: { ...process.env, AUTODEV_API_KEY: 'bench-key' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let crashAt: number | undefined;
  let healedAt: number | undefined;
  let done: HealEventLine | undefined;
  const states: { state: string; at: number }[] = [];
  const rl = createInterface({ input: child.stdout });
  rl.on('line', (text) => {
    let e: HealEventLine;
    try {
      e = JSON.parse(text) as HealEventLine;
    } catch {
      return;
    }
    if (e.kind === 'crash' && crashAt === undefined) crashAt = e.at;
    if (e.kind === 'state' && e.state && e.at !== undefined) states.push({ state: e.state, at: e.at });
    if (e.kind === 'state' && e.state === 'HEALED' && healedAt === undefined) healedAt = e.at;
    if (e.kind === 'done') done = e;
  });
  const code = await abortable(new Promise<number | null>((resolve) => child.on('exit', resolve)), ctx.signal).catch((err) => {
    child.kill('SIGINT');
    throw err;
  });
  if (crashAt === undefined || healedAt === undefined) {
    throw new Error(`heal did not reach HEALED (exit ${code}; ${done ? `done: ${done.reason}` : 'no done event'}; stderr: ${stderr.trim().split('\n').slice(-3).join(' | ')})`);
  }
  // Where the time went: each state from the crash on, with how long it lasted.
  const from = states.findIndex((x) => x.at >= crashAt! && x.state === 'CRASHED');
  const seq = states.slice(from < 0 ? 0 : from);
  const phases = seq.slice(0, -1).map((x, i) => `${x.state} ${Math.round(seq[i + 1].at - x.at)}`).join(' → ') + ' → HEALED';
  return { ms: healedAt - crashAt, cliMttr: done?.mttrMs, phases };
}

export const mttrPart: BenchPart = {
  name: 'mttr',
  keys: ['mttrMachineMs'],
  docker: true,
  timeoutMs: 10 * 60_000,
  async run(ctx) {
    const cli = join(ctx.repoRoot, 'dist', 'cli.js');
    // The CLI under test is the one built from the current sources.
    await exec(process.execPath, ['scripts/build.mjs'], { cwd: ctx.repoRoot, timeoutMs: 4 * 60_000 });
    if (!existsSync(cli)) throw new Error('dist/cli.js is missing after the build');
    const llm = await startFakeLlm(scriptedModel);
    const reps = ctx.size(5, 1);
    const times: number[] = [];
    const cliTimes: number[] = [];
    const dirs: string[] = [];
    try {
      for (let i = 0; i < reps; i++) {
        const dir = writeApp(ctx, `crashing-${i}`, { 'app.py': APP });
        dirs.push(dir);
        const { ms, cliMttr, phases } = await healOnce(ctx, cli, dir, llm.url);
        ctx.note(`heal ${i + 1} phases (ms): ${phases}`);
        times.push(ms);
        if (cliMttr !== undefined) cliTimes.push(cliMttr);
        ctx.log(`heal ${i + 1}: crash → HEALED ${Math.round(ms)} ms`);
      }
    } finally {
      await llm.close();
      for (const dir of dirs) {
        await exec('docker', ['rmi', '-f', imageTagFor(dir)]).catch(() => undefined);
      }
    }
    ctx.note(
      `${reps} heals (autonomous, --verify-seconds ${VERIFY_SECONDS} included, scripted fake model over HTTP: edit_file then finish, ` +
        `${llm.requests.length} model requests in all); crash → HEALED ms: ${times.map((t) => t.toFixed(0)).join(', ')}` +
        (cliTimes.length ? `; the CLI's own mttrMs: ${cliTimes.map((t) => t.toFixed(0)).join(', ')}` : ''),
    );
    return { mttrMachineMs: round(median(times), 0) };
  },
};
