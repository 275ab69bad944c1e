/** `exec` in a Kubernetes pod's app container, with its output capped and its exit code read from the final status. */
import { Writable } from 'node:stream';
import type { Exec, V1Status } from '@kubernetes/client-node';
import type { ExecResult } from './containerExec';
import { APP_CONTAINER } from './kubernetesPod';

const EXEC_OUTPUT_CAP = 64 * 1024;

/** Runs a command in a pod's app container (the exec subresource); the exit code comes from the final V1Status. */
export async function execInPod(exec: Exec, namespace: string, pod: string, cmd: string[], timeoutMs: number): Promise<ExecResult> {
  const out = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  let size = 0;
  const sink = (into: Buffer[]) =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (size < EXEC_OUTPUT_CAP) into.push(chunk);
        size += chunk.length;
        cb();
      },
    });
  let status: V1Status | undefined;
  const ws = await exec.exec(namespace, pod, APP_CONTAINER, cmd, sink(out.stdout), sink(out.stderr), null, false, (s) => (status = s));
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => (ws.close(), resolve()), timeoutMs);
    ws.on('close', () => (clearTimeout(timer), resolve()));
  });
  return { exitCode: exitCodeOf(status), stdout: Buffer.concat(out.stdout).toString('utf8'), stderr: Buffer.concat(out.stderr).toString('utf8') };
}

/** The exec subresource ends with a V1Status: Success is 0; a failure names the code in `details.causes`. */
export function exitCodeOf(status: V1Status | undefined): number | null {
  if (!status) return null;
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const n = cause?.message !== undefined ? Number.parseInt(cause.message, 10) : NaN;
  return Number.isFinite(n) ? n : null;
}
