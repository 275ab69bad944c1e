/**
 * The second Docker engine the remote-engine tests deploy to: a dockerd on tcp://127.0.0.1 with its own data-root
 * (scripts/docker-second.sh, started idempotently by scripts/setup.sh and again here). Never the main engine.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';

const SCRIPT = path.resolve(__dirname, '../../scripts/docker-second.sh');

function script(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('bash', [SCRIPT, ...args], { encoding: 'utf8', timeout: 300_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`the second Docker engine (scripts/docker-second.sh ${args.join(' ')}) is not available: ${stderr.trim() || err.message}`)) : resolve(stdout.trim().split('\n').pop()!),
    ),
  );
}

/**
 * Starts the second engine if needed (with its offline images) and returns its DOCKER_HOST. With `liveRestore`
 * given, the engine runs with that setting (restarted if it ran with the other one).
 */
export function secondEngineHost(liveRestore?: boolean): Promise<string> {
  return script(['start', ...(liveRestore === undefined ? [] : [liveRestore ? '--live-restore' : '--no-live-restore'])]);
}

/** Restarts the second engine (stop, start) keeping its live-restore setting; resolves when it answers again. */
export function restartSecondEngine(): Promise<string> {
  return script(['restart']);
}
