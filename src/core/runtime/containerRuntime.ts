/** The port to a container engine. One real implementation (dockerode); tests use the real engine. */
import type { Disposable } from '../lifecycle';

export type LogStream = 'stdout' | 'stderr' | 'system';

/** One complete line of container output (ANSI kept for display; the crash scanner strips it). */
export interface LogLine {
  stream: LogStream;
  text: string;
  /** ms since epoch when the line was read by us. */
  time: number;
  /** 1-based, monotonically increasing per session. */
  seq: number;
  /** True when the line exceeded the per-line cap and was cut. */
  truncated?: boolean;
}

export interface ContainerExit {
  exitCode: number | null;
  /** e.g. 'SIGKILL' when the exit code is 128+n and no OOM. */
  signal: string | null;
  oomKilled: boolean;
  /** Memory limit in MiB when oomKilled, for the "killed for memory" message. */
  memoryLimitMb?: number;
}

export interface RuntimeSettings {
  pythonImage: string; // default python:3.12-slim
  nodeImage: string; // default node:20-slim
  /** Overrides the base image of the generated Dockerfile (CLI --image). */
  imageOverride?: string;
  memoryMb: number; // default 512
  cpus: number; // default 1
  pidsLimit: number; // default 256
  /** Extra container ports to publish (autodev.runtime.ports). */
  ports: number[];
  /** Explicit environment for the app (never the host's environment). */
  env: Record<string, string>;
}

export const DEFAULT_RUNTIME_SETTINGS: RuntimeSettings = {
  pythonImage: 'python:3.12-slim',
  nodeImage: 'node:20-slim',
  memoryMb: 512,
  cpus: 1,
  pidsLimit: 256,
  ports: [],
  env: {},
};

export type AppKind = 'dockerfile' | 'python' | 'node';

/** A built image ready to run any copy of the workspace (the source is bind-mounted at `workdir`). */
export interface AppImage {
  tag: string;
  kind: AppKind;
  /** Container directory where the workspace is mounted, e.g. /app. Traces name files under it. */
  workdir: string;
  /** Ports the app listens on inside the container (EXPOSE, settings, generated known port). */
  ports: number[];
  /** The command the app runs with (for the "same command" reproducer). */
  cmd: string[];
}

export type BuildEvent = { kind: 'build'; text: string } | { kind: 'pull'; text: string };

export interface StartOptions {
  /** Host directory bind-mounted at image.workdir (the workspace, or a scratch copy of it). */
  sourceDir: string;
  /** 'main' for the user's app, 'scratch' for verification runs. Stored as a label. */
  role: 'main' | 'scratch';
  /** Identifies the workspace in labels (e.g. a hash of its path). */
  workspaceId: string;
  settings: RuntimeSettings;
  signal?: AbortSignal;
}

export interface ContainerSession extends Disposable {
  readonly id: string;
  /** container port → host port (published on 127.0.0.1 only). */
  readonly publishedPorts: ReadonlyMap<number, number>;
  /** Subscribes to complete lines, in order. */
  onLine(listener: (line: LogLine) => void): Disposable;
  /** Fires once per run of the container (again after restart). */
  onExit(listener: (exit: ContainerExit) => void): Disposable;
  /** Restart the same container (bind mount: edits are picked up, no rebuild). */
  restart(): Promise<void>;
  /** Stop and remove the container. */
  stop(): Promise<void>;
  readonly running: boolean;
}

export interface ContainerRuntime {
  /** Throws AutoDevError('DockerUnavailable') within a few seconds when no engine answers. */
  ping(): Promise<void>;
  /** Builds the workspace's Dockerfile or a generated one. Throws AutoDevError('BuildFailed') with the log tail. */
  buildImage(workspaceDir: string, settings: RuntimeSettings, onEvent?: (e: BuildEvent) => void, signal?: AbortSignal): Promise<AppImage>;
  start(image: AppImage, options: StartOptions): Promise<ContainerSession>;
  /** Removes AutoDev containers whose owning process is gone (any workspace). Returns how many. */
  cleanupOrphans(): Promise<number>;
}
