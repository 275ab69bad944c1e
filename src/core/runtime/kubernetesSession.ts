/**
 * One workspace's app as a Kubernetes Pod, over @kubernetes/client-node: creates the pod, follows its log with
 * reconnection (re-follow with `sinceTime` and de-duplicate by timestamp, as the Docker session does), takes the
 * exit from the pod status (exit code, OOMKilled, evicted) through a watch that reconnects, restarts by deleting
 * the pod and creating it anew, forwards the app's ports to 127.0.0.1 (port-forward) and runs `exec`.
 * Kubernetes merges stdout and stderr in the log endpoint: every app line arrives as `stdout`.
 */
import * as net from 'node:net';
import { PassThrough } from 'node:stream';
import type { CoreV1Api, Exec, Log, PortForward, Watch } from '@kubernetes/client-node';
import { AutoDevError } from '../errors';
import type { AppImage, ContainerExit, ContainerRun, StartOptions } from './containerRuntime';
import type { ExecResult } from './containerExec';
import { RunSessionBase } from './sessionEvents';
import { APP_CONTAINER, buildPod, hopeless, podName, podPhase, type PodLike, type PodPhase } from './kubernetesPod';
import { LineSplitter } from './lineSplitter';
import { timestampKey } from './logDecoder';
import { apiCode, describeApiError } from './kubernetesApiError';
import { execInPod } from './kubernetesExec';

/** The client objects a session needs (one KubeConfig behind them all). */
export interface KubeClients {
  core: CoreV1Api;
  log: Log;
  watch: Watch;
  portForward: PortForward;
  exec: Exec;
  namespace: string;
}

export interface PodSessionSpec {
  image: AppImage;
  /** Container ports forwarded to 127.0.0.1 (publishedPorts). */
  ports: number[];
  options: StartOptions;
  /** The image the cluster pulls for this run: the app image with the source copied in, pushed (again) on restart. */
  publish: () => Promise<string>;
  readOnlyRoot: boolean;
  /** How long a pod may stay pending (image pull, scheduling) before start fails. */
  startTimeoutMs: number;
}

const DRAIN_MS = 3000;
const MAX_BACKOFF_MS = 5000;

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));


interface PodRun {
  name: string;
  /** 1 for the first pod, +1 per restart (lines and exits carry it). */
  n: number;
  startedAt: number;
  suppressExit: boolean;
  ended: boolean;
  logAbort?: AbortController;
  watchAbort?: AbortController;
  /** Timestamp key of the last line shown, and the texts shown with exactly that timestamp. */
  lastTs?: string;
  atLastTs: string[];
  /** After a re-follow: lines at or before this timestamp were shown already (those at it are listed in `replay`). */
  replayTs?: string;
  replay: string[];
  lastDataAt: number;
  logsDone: boolean;
  /** Detaches the current log stream without treating its end as the container's end. */
  detachLog?: () => void;
  finished: Promise<void>;
  markFinished: () => void;
}

export class KubernetesPodSession extends RunSessionBase<PodRun> implements ContainerRun {
  readonly publishedPorts = new Map<number, number>();
  private readonly servers: net.Server[] = [];
  private seq = 0;
  private runs = 0;
  private stopped = false;

  constructor(
    private readonly k: KubeClients,
    private readonly spec: PodSessionSpec,
  ) {
    super();
  }

  get id(): string {
    return this.current?.name ?? '';
  }

  /** The run's log is complete (the container ended, or the run is over). */
  private logsDone(run: PodRun): void {
    if (run.logsDone) return;
    run.logsDone = true;
    if (run === this.current && !run.suppressExit) this.outputEnds.fire();
  }

  private system(text: string): void {
    this.lines.fire({ stream: 'system', text, time: Date.now(), seq: ++this.seq, run: this.currentRun });
  }

  /** Creates the pod for a new run and resolves once its container runs (or has already ended). */
  async begin(): Promise<void> {
    const ref = await this.spec.publish();
    const n = ++this.runs;
    const name = podName(this.spec.options.workspaceId, this.spec.options.role, n, Math.random().toString(36).slice(2, 7));
    let markFinished!: () => void;
    const run: PodRun = { name, n, startedAt: Date.now(), suppressExit: false, ended: false, atLastTs: [], replay: [], lastDataAt: Date.now(), logsDone: false, finished: new Promise<void>((r) => (markFinished = r)), markFinished: () => markFinished() };
    const body = buildPod(name, ref, this.spec.image, this.spec.options, this.spec.readOnlyRoot);
    body.metadata!.namespace = this.k.namespace;
    try {
      await this.k.core.createNamespacedPod({ namespace: this.k.namespace, body: body as never });
    } catch (err) {
      throw new AutoDevError('BuildFailed', `Creating pod ${name} in namespace ${this.k.namespace} failed: ${describeApiError(err)}`);
    }
    this.current = run;
    let settle!: (p: PodPhase | Error) => void;
    const started = new Promise<PodPhase | Error>((r) => (settle = r));
    const timer = setTimeout(() => settle(new AutoDevError('BuildFailed', `Pod ${name} did not start within ${Math.round(this.spec.startTimeoutMs / 1000)} s; see \`kubectl describe pod ${name} -n ${this.k.namespace}\`.`)), this.spec.startTimeoutMs);
    void this.watchRun(run, (phase) => {
      if (phase.kind !== 'pending' || hopeless(phase)) settle(phase);
    });
    const first = await started;
    clearTimeout(timer);
    if (first instanceof Error || hopeless(first)) {
      run.suppressExit = true;
      await this.deletePod(run).catch(() => undefined);
      if (first instanceof Error) throw first;
      const p = first as Extract<PodPhase, { kind: 'pending' }>;
      throw new AutoDevError(
        /Image|Pull/.test(p.reason ?? '') ? 'ImageUnavailable' : 'BuildFailed',
        `Pod ${name} cannot start: ${p.reason}${p.message ? ` (${p.message})` : ''}. The cluster pulls ${ref}: check autodev.runtime.kubernetes.registry and that the cluster can pull from it.`,
      );
    }
    this.isRunning = first.kind === 'running';
    this.follow(run);
    if (!this.servers.length) await this.forwardPorts();
  }

  /**
   * Watches this run's pod until its container has ended; reconnects when the watch drops (apiserver restart,
   * idle timeout) after reading the pod once, so nothing that happened in between is missed.
   */
  private async watchRun(run: PodRun, onPhase: (p: PodPhase) => void): Promise<void> {
    let ended: { exit: ContainerExit; detail?: string } | undefined;
    let backoff = 250;
    /** Ends the wait on the current watch connection (the exit is known; no need to wait for the server). */
    let stopWaiting: (() => void) | undefined;
    const memoryMb = this.spec.options.settings.memoryMb;
    const see = (pod: PodLike | undefined, deleted: boolean) => {
      if (ended) return;
      if (!pod || deleted) {
        if (!run.suppressExit && !this.stopped) this.system(`pod ${run.name} was deleted outside AutoDev. Deploy again.`);
        ended = { exit: { exitCode: null, signal: null, oomKilled: false } };
        stopWaiting?.();
        return;
      }
      const phase = podPhase(pod, memoryMb);
      onPhase(phase);
      if (phase.kind === 'running') this.isRunning = true;
      if (phase.kind === 'exited') ended = phase;
      if (ended) stopWaiting?.();
    };
    while (!ended && !run.ended) {
      try {
        see((await this.k.core.readNamespacedPod({ name: run.name, namespace: this.k.namespace })) as PodLike, false);
      } catch (err) {
        if (apiCode(err) === 404) see(undefined, true);
        else {
          await delay(backoff);
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
          continue;
        }
      }
      if (ended) break;
      const closed = await new Promise<Error | null>((resolve) => {
        stopWaiting = () => resolve(null);
        this.k.watch
          .watch(`/api/v1/namespaces/${this.k.namespace}/pods`, { fieldSelector: `metadata.name=${run.name}` }, (type, obj) => see(obj as PodLike, type === 'DELETED'), (err) => resolve(err ?? null))
          .then((c) => {
            run.watchAbort = c;
            if (ended || run.ended) c.abort();
          }, (err) => resolve(err as Error));
      });
      stopWaiting = undefined;
      if (ended) break;
      run.watchAbort = undefined;
      if (closed) {
        // A dropped connection may have cut the log stream too, silently: follow again from the last line.
        this.refollow(run);
        await delay(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      } else backoff = 250;
    }
    run.watchAbort?.abort();
    if (!ended) return;
    const result = ended;
    // The log stream ends by itself after the container; let it drain (or stay silent for DRAIN_MS).
    const since = Date.now();
    while (!run.logsDone && Date.now() - Math.max(run.lastDataAt, since) < DRAIN_MS) await delay(100);
    run.ended = true;
    run.logAbort?.abort();
    if (run === this.current) this.isRunning = false;
    run.markFinished();
    if (run.suppressExit || this.stopped) return;
    if (result.exit.engineRestarted) this.system(`the cluster ended pod ${run.name} (${result.detail}); it was not an app crash. Deploy again.`);
    this.exits.fire({ ...result.exit, run: run.n });
  }

  /** Emits a log line unless it was shown already (a re-follow repeats the lines of the last second). */
  private line(run: PodRun, raw: string, truncated: boolean): void {
    const space = raw.indexOf(' ');
    const key = space > 0 ? timestampKey(raw.slice(0, space)) : undefined;
    const text = key ? raw.slice(space + 1) : raw;
    if (key && run.replayTs) {
      if (key < run.replayTs) return;
      if (key === run.replayTs) {
        const i = run.replay.indexOf(text);
        if (i >= 0) {
          run.replay.splice(i, 1);
          return;
        }
      } else run.replayTs = undefined;
    }
    if (key) {
      if (key !== run.lastTs) {
        run.lastTs = key;
        run.atLastTs = [];
      }
      run.atLastTs.push(text);
    }
    this.lines.fire({ stream: 'stdout', text, time: Date.now(), seq: ++this.seq, run: run.n, ...(truncated ? { truncated: true } : {}) });
  }

  /**
   * Follows the log (timestamps on, from just before the last line shown when re-following). `final`: one read
   * without follow after the container ended, for lines a dropped connection may have missed.
   */
  private follow(run: PodRun, final = false): void {
    if (run.ended || this.stopped) return;
    if (run.lastTs) {
      run.replayTs = run.lastTs;
      run.replay = [...run.atLastTs];
    }
    const sink = new PassThrough();
    const splitter = new LineSplitter(({ text, truncated }) => this.line(run, text, truncated));
    let done = false;
    sink.on('data', (chunk: Buffer) => {
      if (done) return;
      run.lastDataAt = Date.now();
      splitter.push(chunk);
    });
    const onEnd = () => {
      if (done) return;
      done = true;
      splitter.flush();
      if (final) this.logsDone(run);
      else void this.afterLogEnd(run);
    };
    run.detachLog = () => {
      // A partial last line is dropped: the re-follow repeats it whole.
      done = true;
      sink.destroy();
    };
    sink.on('end', onEnd);
    sink.on('close', onEnd);
    sink.on('error', onEnd);
    // sinceTime is RFC 3339 to the second: the re-follow repeats that second, which `line` drops.
    const sinceTime = run.lastTs ? `${run.lastTs.slice(0, 19)}Z` : undefined;
    this.k.log.log(this.k.namespace, run.name, APP_CONTAINER, sink, { follow: !final, timestamps: true, ...(sinceTime ? { sinceTime } : {}) }).then(
      (c) => {
        if (run.logAbort && run.logAbort !== c) run.logAbort.abort();
        run.logAbort = c;
        if (run.ended || this.stopped) c.abort();
      },
      () => onEnd(),
    );
  }

  /** The log stream ended: the container ended (done), or the connection did (follow again). */
  private async afterLogEnd(run: PodRun): Promise<void> {
    let backoff = 250;
    while (!run.ended && !this.stopped && run === this.current) {
      try {
        const phase = podPhase((await this.k.core.readNamespacedPod({ name: run.name, namespace: this.k.namespace })) as PodLike, 0);
        if (phase.kind !== 'running') break;
        this.system('log stream was interrupted; following the pod log again');
        this.follow(run);
        return;
      } catch (err) {
        if (apiCode(err) === 404) return this.logsDone(run);
        await delay(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
    // The container ended (or the run is over): read what the stream may not have delivered, de-duplicated.
    if (!run.ended && !this.stopped) this.follow(run, true);
    else this.logsDone(run);
  }

  /** Drops the current log connection (it may be dead without knowing it) and follows again from the last line. */
  private refollow(run: PodRun): void {
    if (run.ended || this.stopped || run.logsDone) return;
    run.detachLog?.();
    run.logAbort?.abort();
    run.logAbort = undefined;
    this.system('lost the connection to the cluster; following the pod log again');
    this.follow(run);
  }

  /** One local listener per app port on 127.0.0.1, each connection port-forwarded to the current pod. */
  private async forwardPorts(): Promise<void> {
    for (const port of this.spec.ports) {
      const server = net.createServer((socket) => {
        const pod = this.current?.name;
        if (!pod) return void socket.destroy();
        socket.on('error', () => undefined);
        this.k.portForward.portForward(this.k.namespace, pod, [port], socket, null, socket).then(
          (ws) => {
            const close = () => (ws as { close?: () => void }).close?.();
            socket.on('close', close);
            (ws as unknown as NodeJS.EventEmitter).on?.('close', () => socket.destroy());
          },
          () => socket.destroy(),
        );
      });
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
      this.servers.push(server);
      this.publishedPorts.set(port, (server.address() as net.AddressInfo).port);
    }
  }

  private async deletePod(run: PodRun): Promise<void> {
    try {
      await this.k.core.deleteNamespacedPod({ name: run.name, namespace: this.k.namespace, gracePeriodSeconds: 2 });
    } catch (err) {
      if (apiCode(err) !== 404) throw err;
    }
  }

  /** Restart = delete the pod and create it anew (a pod's spec is immutable; the source image is published again). */
  async restart(): Promise<void> {
    if (this.stopped) throw new AutoDevError('ContainerGone', 'This app was stopped; deploy again.');
    const old = this.current;
    if (old) {
      old.suppressExit = true;
      await this.deletePod(old);
      await old.finished;
    }
    await this.begin();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const run = this.current;
    if (run) {
      run.suppressExit = true;
      await this.deletePod(run).catch(() => undefined);
      run.ended = true;
      run.logAbort?.abort();
      run.watchAbort?.abort();
    }
    this.isRunning = false;
    for (const s of this.servers) s.close();
    this.disposeEvents();
  }

  dispose(): Promise<void> {
    return this.stop();
  }

  /** Runs a command in the app container (the exec subresource). */
  exec(cmd: string[], timeoutMs = 120_000): Promise<ExecResult> {
    const pod = this.current?.name;
    if (!pod) return Promise.reject(new AutoDevError('ContainerGone', 'No pod is running.'));
    return execInPod(this.k.exec, this.k.namespace, pod, cmd, timeoutMs);
  }
}
