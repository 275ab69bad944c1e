/**
 * Patch-to-running on a remote engine vs the local bind mount: the same cycle as restartToRunningMs (write a changed
 * app.py, `session.restart()`, stop at the patched app's first line), once on the local engine (bind mount: restart
 * in place) and once on a second engine over TCP that cannot see this machine's files (scripts/docker-second.sh):
 * the changed file is copied into the stopped container (putArchive), then it starts.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DockerRuntime } from '../src/core/runtime/dockerRuntime';
import type { BenchPart } from './benchContext';
import { median, round } from './benchStats';
import { cycles } from './restartLatency';

export const remoteRestartPart: BenchPart = {
  name: 'remoteRestart',
  keys: ['remoteRestartToRunningMs', 'localRestartToRunningMs', 'remoteVsLocalRestart'],
  docker: true,
  timeoutMs: 10 * 60_000,
  async run(ctx) {
    const script = join(ctx.repoRoot, 'scripts/docker-second.sh');
    const { stdout } = await promisify(execFile)('bash', [script, 'start'], { timeout: 300_000 });
    const host = stdout.trim().split('\n').pop()!;
    const reps = ctx.size(10, 3);
    // Alternate local and remote rounds so both see the same load on this shared machine.
    const local: number[] = [];
    const remote: number[] = [];
    const remoteEngine = new DockerRuntime({ dockerHost: host });
    for (let pass = 0; pass < 2; pass++) {
      local.push(...(await cycles(ctx, `local-${pass}`, {}, Math.ceil(reps / 2))));
      remote.push(...(await cycles(ctx, `remote-${pass}`, {}, Math.ceil(reps / 2), remoteEngine)));
    }
    ctx.note(`patch+restart on the local engine (bind mount); ms: ${local.map((t) => t.toFixed(0)).join(', ')}`);
    ctx.note(`patch+copy (putArchive of the changed file)+restart on a second dockerd at ${host} (no mounts); ms: ${remote.map((t) => t.toFixed(0)).join(', ')}`);
    const l = median(local);
    const r = median(remote);
    return { remoteRestartToRunningMs: round(r, 1), localRestartToRunningMs: round(l, 1), remoteVsLocalRestart: r !== null && l ? round(r / l, 2) : null };
  },
};
