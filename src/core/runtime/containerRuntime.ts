/**
 * The port to a container engine. Implementations: dockerode (a local or remote Docker engine; tests use the real
 * engine) and Kubernetes (@kubernetes/client-node; contract-tested against recorded API responses).
 */
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
  /**
   * The run of the container that wrote it: 1 for the first start, +1 per restart (set by container sessions; absent
   * on AutoDev's own lines). A late line of the run before a restart is told apart from the new run's by this.
   */
  run?: number;
}

export interface ContainerExit {
  exitCode: number | null;
  /** e.g. 'SIGKILL' when the exit code is 128+n and no OOM. */
  signal: string | null;
  oomKilled: boolean;
  /** Memory limit in MiB when oomKilled, for the "killed for memory" message. */
  memoryLimitMb?: number;
  /** The run (see LogLine.run) that ended. */
  run?: number;
  /**
   * The engine, not the app, ended the run: it restarted without live-restore (or the pod was evicted) and took the
   * container with it. Not a crash: say so and deploy again on request.
   */
  engineRestarted?: boolean;
}

/** Which engine a runtime talks to, for the UI ("Docker tcp://10.0.0.5:2376 (TLS)", "Kubernetes kind-dev/autodev"). */
export interface EngineInfo {
  kind: 'docker' | 'kubernetes';
  label: string;
  /** The engine cannot see this machine's files: the source is copied (Docker) or baked into the image (Kubernetes). */
  remote: boolean;
}

export interface RuntimeSettings {
  pythonImage: string; // default python:3.12-slim
  nodeImage: string; // default node:20-slim
  /** Toolchain image for Go apps without a Dockerfile (default golang:1.22). */
  goImage?: string;
  /** Overrides the base image of the generated Dockerfile (CLI --image); refused for a repo's own Dockerfile. */
  imageOverride?: string;
  /** The entry to run, workspace-relative file or folder (CLI --entry, autodev.runtime.entry); else detected. */
  entry?: string;
  /** The port the app listens on (CLI --port, autodev.runtime.port); else discovered in the container. */
  port?: number;
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

export type AppKind = 'dockerfile' | 'python' | 'node' | 'go';

/** A built image ready to run any copy of the workspace (the app folder is bind-mounted at `workdir`, or built in). */
export interface AppImage {
  tag: string;
  kind: AppKind;
  /** Container directory where the app folder is (mounted), e.g. /app. Traces name files under it. */
  workdir: string;
  /** Workspace-relative folder of the app ('' = root): what `workdir` shows; crash paths map below it. */
  appDir: string;
  /**
   * True: the app folder is bind-mounted at `workdir` and a restart picks up edits. False: the image owns its files
   * (a compiled binary, a build step's output), so a copy or an edit runs from an image rebuilt with layer cache.
   */
  mountSource: boolean;
  /** The folder the image was built from (a rebuild is needed to run another copy when not mounted). */
  builtFrom: string;
  /** Ports the app listens on inside the container (EXPOSE, settings, generated known port). */
  ports: number[];
  /** The command the app runs with (for the "same command" reproducer). */
  cmd: string[];
}

export type BuildEvent =
  | { kind: 'build'; text: string }
  | { kind: 'pull'; text: string }
  /** A build step started: `step 3/7: RUN npm install`. */
  | { kind: 'step'; index: number; total: number; text: string }
  /** Something the user should know about this build, in plain words (no pip, which entry, rebuild instead of mount). */
  | { kind: 'note'; text: string };

export interface StartOptions {
  /** Host directory bind-mounted at image.workdir (the workspace, or a scratch copy of it). */
  sourceDir: string;
  /** 'main' for the user's app, 'scratch' for verification runs. Stored as a label. */
  role: 'main' | 'scratch';
  /** Identifies the workspace in labels (e.g. a hash of its path). */
  workspaceId: string;
  settings: RuntimeSettings;
  /** Keep the app's stdin open for `ContainerSession.input` (CLI --interactive, the VS Code app terminal). */
  interactive?: boolean;
  /**
   * Cut the container's outbound network (scratch runs, which replay real requests): it joins an internal network
   * and its ports are reached through loopback forwarders. Ignored where the engine's bridge is not reachable from
   * here (remote, rootless, Docker Desktop): the container then gets the default network.
   */
  isolateNetwork?: boolean;
  signal?: AbortSignal;
}

/** What `ContainerSession.exec` returns. */
export interface ExecOutput {
  exitCode: number | null;
  /** stdout, then stderr. */
  output: string;
}

export interface ContainerSession extends Disposable {
  readonly id: string;
  /** container port → host port (published on 127.0.0.1 only). */
  readonly publishedPorts: ReadonlyMap<number, number>;
  /** Subscribes to complete lines, in order. */
  onLine(listener: (line: LogLine) => void): Disposable;
  /** Fires once per run of the container (again after restart). */
  onExit(listener: (exit: ContainerExit) => void): Disposable;
  /**
   * Fires when the container's output stream ends (the process closed stdout/stderr: it is exiting, or the engine
   * dropped the stream). Comes well before the exit, which waits for the engine's confirmation: the crash scanner
   * ends a pending trace here.
   */
  onOutputEnd?(listener: () => void): Disposable;
  /**
   * Resolves with the container port the app listens on once it does (its socket table, else the port it prints),
   * published on the host — re-published by recreating the container if it was not; null when it exits first or
   * listens on no reachable port within `timeoutMs`.
   */
  appPort(timeoutMs?: number, signal?: AbortSignal): Promise<number | null>;
  /** Writes to the app's stdin (only with `interactive`); returns false when the container has no open stdin. */
  input(data: string | Buffer): boolean;
  /**
   * Restart with the current files: a bind-mounted app restarts in place; a built-in one is rebuilt (layer cache).
   * Starts run `currentRun + 1`.
   */
  restart(): Promise<void>;
  /** The current run: 1 after the first start, +1 per restart; its lines and exit carry this number. */
  readonly currentRun: number;
  /** When the current run was started (ms since epoch): start-up times are measured from here. */
  readonly runStartedAt: number;
  /** Stop and remove the container. */
  stop(): Promise<void>;
  /**
   * Runs `cmd` inside the running container (as its user) through the runtime's own engine connection — never a
   * second Docker client that would ignore the configured Docker host. exitCode null: it did not finish in time.
   */
  exec(cmd: string[], opts?: { timeoutMs?: number }): Promise<ExecOutput>;
  readonly running: boolean;
}

/** One container of the app (the runtime's building block); the session adds port discovery and stdin. */
export type ContainerRun = Omit<ContainerSession, 'appPort' | 'input' | 'exec'>;

export interface ContainerRuntime {
  /** The engine in use (Mission Control's header, the status bar). */
  readonly engine?: EngineInfo;
  /** Throws AutoDevError('DockerUnavailable') within a few seconds when no engine answers. */
  ping(): Promise<void>;
  /** Builds the workspace's Dockerfile or a generated one. Throws AutoDevError('BuildFailed') with the log tail. */
  buildImage(workspaceDir: string, settings: RuntimeSettings, onEvent?: (e: BuildEvent) => void, signal?: AbortSignal): Promise<AppImage>;
  start(image: AppImage, options: StartOptions): Promise<ContainerSession>;
  /** Removes AutoDev containers whose owning process is gone (any workspace). Returns how many. */
  cleanupOrphans(): Promise<number>;
}
