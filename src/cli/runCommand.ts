/**
 * `autodev run DIR [--entry PATH] [--port N] [--image IMG] [--interactive] [--timeout-seconds N]`: deploys DIR in
 * a sandboxed container, prints its output as it arrives (stdout to stdout, stderr to stderr), says where the app
 * answers, and exits with the container's exit code. `--interactive` passes this terminal's input to the app.
 * Ctrl-C or the timeout stops and removes the container (exit 130 / 124). The output is masked as every other
 * output of AutoDev is (the workspace's `.env` values and known credential formats): it often ends up in CI logs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AutoDevError, isAutoDevError } from '../core/errors';
import type { ContainerExit } from '../core/runtime/containerRuntime';
import { workspaceIdFor } from '../core/runtime/dockerRuntime';
import { createSecretMasker } from '../core/privacy/secretMasker';
import { parseArgs, type CliIo } from './args';
import { ENGINE_FLAGS, enginesFromFlags } from './engineFlags';
import { RUNTIME_FLAGS, runtimeSettingsFromFlags, selectBaseImage } from './runtimeFlags';

/** Exit status when --timeout-seconds elapses (as coreutils `timeout`). */
export const TIMEOUT_EXIT = 124;
/** Exit status after Ctrl-C (128 + SIGINT). */
export const INTERRUPT_EXIT = 130;

export async function runCommand(argv: string[], io: CliIo): Promise<number> {
  const { positionals, flags } = parseArgs(argv, { ...RUNTIME_FLAGS, ...ENGINE_FLAGS, interactive: 'boolean', 'timeout-seconds': 'number' });
  if (positionals.length !== 1) throw new AutoDevError('Usage', 'run needs exactly one DIR');
  const dir = path.resolve(io.cwd, positionals[0]);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new AutoDevError('Usage', `${positionals[0]} is not a directory`);
  const timeout = flags['timeout-seconds'] as number | undefined;
  if (timeout !== undefined && !(timeout > 0)) throw new AutoDevError('Usage', '--timeout-seconds needs a positive number');

  const interactive = flags.interactive === true;
  const { runtime, builder } = await enginesFromFlags(flags, io);
  await runtime.ping();
  if (builder !== runtime) await builder.ping();
  const settings = await selectBaseImage(builder, dir, runtimeSettingsFromFlags(flags, io), io);
  // A closed output pipe (`autodev run … | head`) must not kill us before the container is removed.
  const outputGone = new AbortController();
  const onOutputError = () => outputGone.abort();
  io.stdout.on('error', onOutputError);
  io.stderr.on('error', onOutputError);
  const masker = createSecretMasker({ workspaceDir: dir, secrets: [] });
  const note = (text: string) => {
    if (!outputGone.signal.aborted) io.stderr.write(`[autodev] ${masker.maskText(text)}\n`);
  };

  // The timeout covers the whole command (build included), like coreutils `timeout` around it.
  const timer = new AbortController();
  const timeoutHandle = timeout !== undefined ? setTimeout(() => timer.abort(), timeout * 1000) : undefined;
  timeoutHandle?.unref();
  const signal = AbortSignal.any([io.signal, timer.signal, outputGone.signal]);
  const stopped = (): number => {
    note(timer.signal.aborted ? `timeout after ${timeout} s: stopping the container` : 'interrupted: stopping the container');
    return timer.signal.aborted ? TIMEOUT_EXIT : INTERRUPT_EXIT;
  };

  if (runtime.engine?.remote) note(`engine: ${runtime.engine.label}`);
  note(`building ${positionals[0]}…`);
  let session;
  try {
    const image = await runtime.buildImage(dir, settings, (e) => {
      if (e.kind === 'pull' || e.kind === 'note') note(e.text);
      else if (e.kind === 'step') note(`step ${e.index}/${e.total}: ${e.text}`);
    }, signal);
    if (signal.aborted) return stopped();
    session = await runtime.start(image, { sourceDir: dir, role: 'main', workspaceId: workspaceIdFor(dir), settings, signal, interactive });
    note(`started ${image.kind} app in container ${session.id.slice(0, 12)}${image.appDir ? ` (app folder ${image.appDir}/)` : ''}`);
    const running = session;
    // Where the app answers: the port it really listens on, found in the container (published if it was not).
    void running.appPort(120_000, signal).then((port) => {
      const host = port !== null ? running.publishedPorts.get(port) : undefined;
      if (port !== null && host) note(`the app listens on port ${port}: http://127.0.0.1:${host}/`);
    }, () => undefined);
    if (interactive) {
      io.stdin.on('data', (chunk: Buffer) => running.input(chunk));
      io.stdin.resume();
    }
  } catch (err) {
    clearTimeout(timeoutHandle);
    if (signal.aborted && isAutoDevError(err, 'Cancelled')) return stopped();
    throw err;
  }
  try {
    session.onLine((line) => {
      if (outputGone.signal.aborted) return;
      const text = masker.maskText(line.text);
      if (line.stream === 'stdout') io.stdout.write(text + '\n');
      else io.stderr.write(line.stream === 'system' ? `[autodev] ${text}\n` : text + '\n');
    });
    const exit = await new Promise<ContainerExit | undefined>((resolve) => {
      session.onExit(resolve);
      if (signal.aborted) resolve(undefined);
      signal.addEventListener('abort', () => resolve(undefined), { once: true });
    });
    if (!exit) return stopped();
    if (exit.engineRestarted) {
      // Not the app's exit: the engine took the container with it. An environment error, not the app's code.
      throw new AutoDevError('ContainerGone', `The ${runtime.engine?.kind === 'kubernetes' ? 'cluster' : 'Docker engine'} ended the app's container (it restarted without live-restore, or evicted the pod): run again to redeploy.`);
    }
    if (exit.oomKilled) note(`the app was killed for using more than its memory limit (${exit.memoryLimitMb ?? settings.memoryMb} MiB)`);
    else if (exit.signal) note(`the app was killed by ${exit.signal}`);
    else note(`the app exited with code ${exit.exitCode ?? 'unknown'}`);
    return exit.exitCode ?? 1;
  } finally {
    clearTimeout(timeoutHandle);
    await session.stop();
  }
}
