/**
 * Runs a short command inside a running container (`docker exec`) and returns its output: how AutoDev reads the
 * app's socket table without touching the app. Same user and no extra privileges as the app (no-new-privileges).
 */
import type Docker from 'dockerode';
import { FrameDemuxer } from './frameDemuxer';

export interface ExecResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Output kept per stream: /proc/net/tcp of a busy server is a few hundred lines at most. */
const MAX_OUTPUT = 1 << 20;

export async function execInContainer(container: Docker.Container, cmd: string[], timeoutMs = 5000): Promise<ExecResult> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false });
  const stream = (await exec.start({ hijack: true, stdin: false })) as NodeJS.ReadableStream & { destroy?: () => void };
  const out: Record<'stdout' | 'stderr', Buffer[]> = { stdout: [], stderr: [] };
  const size = { stdout: 0, stderr: 0 };
  const demux = new FrameDemuxer((s, payload) => {
    if (s !== 'stdout' && s !== 'stderr') return;
    if (size[s] >= MAX_OUTPUT) return;
    out[s].push(Buffer.from(payload));
    size[s] += payload.length;
  });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      stream.destroy?.();
      resolve();
    }, timeoutMs);
    stream.on('data', (c: Buffer) => demux.push(c));
    const end = () => {
      clearTimeout(timer);
      resolve();
    };
    stream.on('end', end);
    stream.on('close', end);
    stream.on('error', end);
  });
  const info = await exec.inspect().catch(() => undefined);
  return {
    exitCode: typeof info?.ExitCode === 'number' ? info.ExitCode : null,
    stdout: Buffer.concat(out.stdout).toString('utf8'),
    stderr: Buffer.concat(out.stderr).toString('utf8'),
  };
}
