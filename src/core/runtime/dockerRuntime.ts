/**
 * The real ContainerRuntime over dockerode: builds (workspace Dockerfile or generated), starts hardened
 * containers with the source bind-mounted, and removes containers whose owning process is gone.
 */
import * as path from 'node:path';
import Docker from 'dockerode';
import { realDir, workspaceIdOf } from '../common/workspaceId';
import { AutoDevError } from '../errors';
import type { AppImage, BuildEvent, ContainerRuntime, ContainerSession, EngineInfo, RuntimeSettings, StartOptions } from './containerRuntime';
import { describeEndpoint, dockerModemOptions, resolveDockerEndpoint, type DockerEndpoint } from './dockerEndpoint';
import { SourceUploader } from './sourceUpload';
import { isOrphan, LABEL, ownerLabels } from './containerOwner';
import { DockerContainerSession } from './dockerSession';
import { GENERATED_DOCKERFILE, planBuild } from './dockerfileGenerator';
import { buildFailure } from './buildFailure';
import { appContainerSpec } from './containerCreateOptions';
import { packBuildContext } from './buildContext';
import { AppSession, type ContainerHandle } from './appSession';
import { BuildProgressTracker, stripAnsi } from './buildProgress';
import { execInContainer } from './containerExec';
import { describeEntry } from './entryDetection';
import { removeOlderImages, removeStaleReplayFiles } from './housekeeping';
import { ensureIsolatedNetwork } from './isolatedNetwork';
import { ownerOf, removePlaceholders, workspaceMounts } from './workspaceMounts';
import { HostFileTripwire } from './hostFileTripwire';

const PING_TIMEOUT_MS = 3000;
const PULL_TIMEOUT_MS = 180_000;
/** Lines of build output kept for a BuildFailed error. */
const BUILD_TAIL = 30;

export interface DockerRuntimeOptions {
  /** The engine (resolveDockerEndpoint). Without it: `dockerHost`, else DOCKER_HOST / contexts as the CLI resolves them. */
  endpoint?: DockerEndpoint;
  /** e.g. unix:///var/run/docker.sock, tcp://127.0.0.1:2375, ssh://me@box. */
  dockerHost?: string;
}

/** Stable id of a workspace folder (used in image tags and labels). */
export function workspaceIdFor(dir: string): string {
  return workspaceIdOf(dir);
}

/** Deterministic image tag for a workspace: rebuilding replaces the previous image. */
export function imageTagFor(dir: string): string {
  return `autodev/${workspaceIdFor(dir)}:latest`;
}

function httpStatus(err: unknown): number | undefined {
  return (err as { statusCode?: number })?.statusCode;
}

function errorText(err: unknown): string {
  const e = err as { json?: { message?: string }; message?: string };
  return e?.json?.message ?? e?.message ?? String(err);
}

/** Copies the changed files of a remote app into its (stopped) container; says what it copied. */
async function syncNote(uploader: SourceUploader, container: Docker.Container): Promise<string | undefined> {
  const r = await uploader.sync(container);
  if (!r.copied.length && !r.removedLocally.length) return undefined;
  const list = (files: string[]) => files.slice(0, 5).join(', ') + (files.length > 5 ? ', …' : '');
  const gone = r.removedLocally.length ? `; deleted here but still in the container: ${list(r.removedLocally)}` : '';
  return `copied ${r.copied.length} changed file${r.copied.length === 1 ? '' : 's'} into the container (${list(r.copied)})${gone}`;
}


/** The engine's words when a cached parent layer was deleted while a build used it. */
const CACHE_LAYER_VANISHED = /unable to find image "?sha256:|No such image: sha256:/i;

export class DockerRuntime implements ContainerRuntime {
  private readonly docker: Docker;
  /** CPUs of the engine's host (Docker refuses NanoCpus above it), read once. */
  private engineCpus: number | undefined;
  /** For messages: where we looked for the engine. */
  readonly hostDescription: string;
  /** Whether a base image has pip, by image name (asked once per runtime). */
  private readonly pipByImage = new Map<string, boolean>();
  /** Ports apps of an image turned out to listen on: later containers of it publish them from the start. */
  private readonly knownPorts = new Map<string, Set<number>>();
  /** The engine client, for housekeeping. */
  get client(): Docker {
    return this.docker;
  }

  /**
   * Whether this process can reach containers on an internal bridge: a rootful engine on this Linux machine. Not
   * for a remote engine, Docker Desktop's VM or a rootless engine (its bridges live in another network namespace).
   */
  readonly bridgeReachable: boolean;
  readonly endpoint: DockerEndpoint;
  readonly engine: EngineInfo;

  constructor(opts: DockerRuntimeOptions = {}) {
    this.endpoint = opts.endpoint ?? resolveDockerEndpoint({ dockerHost: opts.dockerHost, env: process.env });
    const e = this.endpoint;
    const socket = (dockerModemOptions(e) as { socketPath?: string } | undefined)?.socketPath;
    this.bridgeReachable = process.platform === 'linux' && !e.remote && !!socket && !socket.startsWith('/run/user/') && !/rootless/.test(socket);
    this.hostDescription = e.host ? describeEndpoint(e) : 'the default socket /var/run/docker.sock (DOCKER_HOST is not set)';
    this.engine = { kind: 'docker', label: e.host ? `Docker ${describeEndpoint(e)}` : 'Docker (local)', remote: e.remote };
    this.docker = new Docker(dockerModemOptions(e));
  }

  async ping(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const controller = new AbortController();
    try {
      await Promise.race([
        (this.docker.ping as unknown as (opts: object) => Promise<unknown>).call(this.docker, { abortSignal: controller.signal }),
        new Promise((_, reject) => {
          timer = setTimeout(() => {
            controller.abort();
            reject(new Error(`no answer within ${PING_TIMEOUT_MS / 1000} s`));
          }, PING_TIMEOUT_MS);
        }),
      ]);
    } catch (err) {
      throw new AutoDevError(
        'DockerUnavailable',
        `No Docker engine answers at ${this.hostDescription}: ${errorText(err)}. Start Docker (on Debian: ` +
          `sudo scripts/docker-up.sh, or sudo systemctl start docker), or point DOCKER_HOST at a running engine.`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  async buildImage(workspaceDir: string, settings: RuntimeSettings, onEvent?: (e: BuildEvent) => void, signal?: AbortSignal): Promise<AppImage> {
    await this.ping();
    await this.cleanupOrphans().catch(() => 0);
    await removeStaleReplayFiles().catch(() => 0);
    const dir = path.resolve(workspaceDir);
    const plan = await planBuild(dir, settings, { hasPip: (image) => this.hasPip(image, onEvent, signal) });
    onEvent?.({ kind: 'note', text: `entry: ${describeEntry(plan.entry)}` });
    for (const text of plan.notes) onEvent?.({ kind: 'note', text });
    if (plan.baseImage) await this.ensureImage(plan.baseImage, onEvent, signal);
    const tag = imageTagFor(dir);
    const workspaceId = workspaceIdFor(dir);
    const appRoot = path.join(dir, plan.appDir);
    const tail: string[] = [];
    const progress = new BuildProgressTracker();
    const keep = (raw: string) => {
      for (const rawLine of raw.split(/\r?\n/)) {
        const line = stripAnsi(rawLine).trimEnd();
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > BUILD_TAIL) tail.shift();
        const step = progress.push(line);
        if (step) onEvent?.({ kind: 'step', ...step });
        onEvent?.({ kind: 'build', text: line });
      }
    };
    const before = await this.docker.getImage(tag).inspect().then((i) => i.Id, () => undefined);
    let buildError: string | undefined;
    // A layer the cache offers can vanish mid-build when another build's older image is removed at the same time
    // (its untagged parents go with it): the engine then says `unable to find image "sha256:…"`. Building again
    // resolves the cache afresh; any other error is the build's own.
    for (let attempt = 1; ; attempt++) {
      buildError = undefined;
      const context = await packBuildContext(
        appRoot,
        plan.dockerfileName !== GENERATED_DOCKERFILE ? {} : { onlyFiles: plan.contextFiles ?? [], extraFile: { name: plan.dockerfileName, content: plan.dockerfile } },
      );
      try {
        const stream = await this.docker.buildImage(context as unknown as NodeJS.ReadableStream, {
          t: tag,
          dockerfile: plan.dockerfileName,
          labels: { [LABEL.autodev]: '1', [LABEL.workspace]: workspaceId },
          rm: true,
          forcerm: true,
          ...(signal ? { abortSignal: signal } : {}),
        });
        await new Promise<void>((resolve, reject) => {
          const onAbort = () => {
            (stream as unknown as { destroy?: () => void }).destroy?.();
            reject(new AutoDevError('Cancelled', 'Build cancelled.'));
          };
          signal?.addEventListener('abort', onAbort, { once: true });
          this.docker.modem.followProgress(
            stream,
            (err: Error | null) => {
              signal?.removeEventListener('abort', onAbort);
              if (err) buildError ??= errorText(err);
              resolve();
            },
            (event: { stream?: string; status?: string; error?: string; errorDetail?: { message?: string } }) => {
              if (event.stream) keep(event.stream);
              else if (event.status) onEvent?.({ kind: 'pull', text: stripAnsi(event.status) });
              if (event.error) buildError = event.errorDetail?.message ?? event.error;
            },
          );
        });
      } catch (err) {
        if (err instanceof AutoDevError) throw err;
        if (signal?.aborted) throw new AutoDevError('Cancelled', 'Build cancelled.');
        buildError = errorText(err);
      }
      if (buildError === undefined || attempt > 2 || !CACHE_LAYER_VANISHED.test(buildError)) break;
      onEvent?.({ kind: 'note', text: 'a cached layer was removed by another build meanwhile; building again' });
    }
    if (buildError !== undefined) throw buildFailure(dir, plan, stripAnsi(buildError), tail, settings, progress);
    // The image just built replaces this workspace's older ones (a rebuild leaves them untagged).
    const after = await this.docker.getImage(tag).inspect().then((i) => i.Id, () => undefined);
    if (after !== before) await removeOlderImages(this.docker, workspaceId, tag).catch(() => undefined);
    return { tag, kind: plan.kind, workdir: plan.workdir, appDir: plan.appDir, mountSource: plan.mountSource, builtFrom: realDir(dir), ports: plan.ports, cmd: plan.cmd };
  }

  /** Whether a base image has pip (asked once per image by running `python3 -m pip --version` in it, offline). */
  private async hasPip(image: string, onEvent?: (e: BuildEvent) => void, signal?: AbortSignal): Promise<boolean> {
    const known = this.pipByImage.get(image);
    if (known !== undefined) return known;
    await this.ensureImage(image, onEvent, signal);
    const container = await this.docker.createContainer({
      Image: image,
      Cmd: ['python3', '-m', 'pip', '--version'],
      Labels: { [LABEL.autodev]: '1', [LABEL.role]: 'probe', ...ownerLabels() },
      HostConfig: { NetworkMode: 'none', CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'], Memory: 256 * 1024 * 1024 },
    });
    try {
      await container.start();
      const r = (await container.wait()) as { StatusCode?: number };
      const has = r.StatusCode === 0;
      this.pipByImage.set(image, has);
      return has;
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  }

  /** Removes an image AutoDev built (a scratch copy's); in use or gone is fine. */
  async removeImage(tag: string): Promise<void> {
    try {
      await this.docker.getImage(tag).remove({ force: false, noprune: false });
    } catch (err) {
      if (httpStatus(err) !== 404 && httpStatus(err) !== 409) throw err;
    }
  }

  /** Whether `image` is present on the engine this runtime talks to (no pull). */
  async hasImage(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch (err) {
      if (httpStatus(err) !== 404) throw err;
      return false;
    }
  }

  /** Makes sure a base image is present: pulls it if needed, with a clear error when no registry answers. */
  private async ensureImage(image: string, onEvent?: (e: BuildEvent) => void, signal?: AbortSignal): Promise<void> {
    if (await this.hasImage(image)) return;
    onEvent?.({ kind: 'pull', text: `Pulling ${image}…` });
    const abort = AbortSignal.any([AbortSignal.timeout(PULL_TIMEOUT_MS), ...(signal ? [signal] : [])]);
    try {
      const stream = await this.docker.pull(image, { abortSignal: abort } as object);
      await new Promise<void>((resolve, reject) =>
        this.docker.modem.followProgress(
          stream,
          (err: Error | null) => (err ? reject(err) : resolve()),
          (e: { status?: string; progress?: string; error?: string }) => {
            if (e.error) reject(new Error(e.error));
            else if (e.status) onEvent?.({ kind: 'pull', text: e.progress ? `${e.status} ${e.progress}` : e.status });
          },
        ),
      );
      await this.docker.getImage(image).inspect();
    } catch (err) {
      if (signal?.aborted) throw new AutoDevError('Cancelled', 'Build cancelled.');
      throw new AutoDevError(
        'ImageUnavailable',
        `Base image ${image} is not available locally and could not be pulled (${errorText(err)}). Run ` +
          `scripts/offline-images.sh to build local base images, or set autodev.runtime.pythonImage / ` +
          `autodev.runtime.nodeImage (CLI: --image) to an image you have.`,
      );
    }
  }

  async start(image: AppImage, options: StartOptions): Promise<ContainerSession> {
    await this.ping();
    await this.cleanupOrphans().catch(() => 0);
    const source = realDir(options.sourceDir);
    // An image that owns its files runs another copy (a scratch copy, an edit) only after a rebuild of that copy.
    const rebuild = async () => {
      const built = await this.buildImage(source, options.settings, undefined, options.signal);
      return { image: built, owned: built.tag !== image.tag };
    };
    let first = image;
    let owns = false;
    if (!image.mountSource && source !== image.builtFrom) ({ image: first, owned: owns } = await rebuild());
    let known = this.knownPorts.get(image.tag);
    if (!known) this.knownPorts.set(image.tag, (known = new Set()));
    return AppSession.start({
      image: first,
      settings: options.settings,
      create: (img, ports) => this.createContainer(img, options, ports),
      rebuild,
      removeImage: (tag) => this.removeImage(tag),
      knownPorts: known,
      ownsImage: owns,
    });
  }

  /** Creates and starts one hardened container of `image` publishing `ports` on 127.0.0.1. */
  private async createContainer(image: AppImage, options: StartOptions, ports: number[]): Promise<ContainerHandle> {
    const { settings } = options;
    const appFolder = path.join(path.resolve(options.sourceDir), image.appDir);
    // The app folder at the workdir, with what git or the editor executes on the host read-only on top of it —
    // unless the image owns its files (then a mount would hide them), or the engine is remote and cannot see this
    // machine's files (then the folder is copied in below).
    const ws = image.mountSource && !this.endpoint.remote ? workspaceMounts(path.join(realDir(options.sourceDir), image.appDir), image.workdir, { placeholders: options.role === 'main' }) : undefined;
    // Generated images run the app as the workspace's owner (what it writes stays the user's; HOME must be
    // writable for npm and pip caches). A repository's own Dockerfile keeps its USER.
    const owner = image.kind !== 'dockerfile' ? ownerOf(options.sourceDir) : undefined;
    const env: Record<string, string> = { PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', ...(owner && !owner.startsWith('0:') ? { HOME: '/tmp' } : {}), ...settings.env };
    const exposed: Record<string, object> = {};
    const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
    // No way out for a scratch copy replaying real requests, when this machine can reach the internal bridge.
    const isolated = options.isolateNetwork === true && this.bridgeReachable;
    if (isolated) await ensureIsolatedNetwork(this.docker);
    for (const port of ports) {
      exposed[`${port}/tcp`] = {};
      // Loopback only; Docker picks a free host port (reported in publishedPorts).
      if (!isolated) bindings[`${port}/tcp`] = [{ HostIp: '127.0.0.1', HostPort: '' }];
    }
    const memory = Math.round(settings.memoryMb * 1024 * 1024);
    this.engineCpus ??= await this.docker.info().then((i: { NCPU?: number }) => i.NCPU, () => undefined);
    // A limit above the engine's CPUs is an error in Docker; it means "no tighter than the machine" here.
    const cpus = this.engineCpus ? Math.min(settings.cpus, this.engineCpus) : settings.cpus;
    let container: Docker.Container;
    try {
      // No container is created once the start was cancelled (the check after the create catches a late abort).
      if (options.signal?.aborted) throw new AutoDevError('Cancelled', 'Start cancelled.');
      container = await this.docker.createContainer(
        appContainerSpec({ image, options, owner, env, exposed, bindings, mounts: ws?.mounts ?? [], memory, cpus, isolated }),
      );
    } catch (err) {
      if (ws) removePlaceholders(ws.placeholders);
      if (err instanceof AutoDevError) throw err;
      if (httpStatus(err) === 404) {
        throw new AutoDevError('ImageUnavailable', `Image ${image.tag} is gone (removed or pruned). Deploy again to rebuild it.`);
      }
      throw new AutoDevError('BuildFailed', `Creating the container failed: ${errorText(err)}`);
    }
    const uploader = image.mountSource && this.endpoint.remote ? new SourceUploader(appFolder, image.workdir) : undefined;
    // The user's own workspace, mounted read-write: what the app creates where the host would run it is moved out.
    let tripwire: HostFileTripwire | undefined;
    const session = new DockerContainerSession(container, {
      ...(isolated ? { isolatedPorts: ports } : {}),
      engineState: () =>
        this.docker.info().then(
          (i: { LiveRestoreEnabled?: boolean; SystemTime?: string }) => ({ liveRestore: !!i.LiveRestoreEnabled, engineNowMs: Date.parse(i.SystemTime ?? '') || Date.now() }),
          () => undefined,
        ),
      ...(uploader ? { beforeRestart: () => syncNote(uploader, container) } : {}),
      ...(ws && options.role === 'main' ? { beforeRestart: async () => void tripwire?.appRestarting(), afterExit: () => tripwire?.appExited() } : {}),
      ...(ws
        ? {
            onRemoved: () => {
              tripwire?.containerRemoved();
              removePlaceholders(ws.placeholders);
            },
          }
        : {}),
    });
    if (ws && options.role === 'main') tripwire = new HostFileTripwire(ws.root, (text) => session.note(text));
    let stdin: NodeJS.WritableStream | undefined;
    try {
      if (options.signal?.aborted) throw new AutoDevError('Cancelled', 'Start cancelled.');
      if (uploader) {
        try {
          await uploader.sync(container);
        } catch (err) {
          throw new AutoDevError('BuildFailed', `Copying ${appFolder} into the container on ${this.hostDescription} failed: ${errorText(err)}`);
        }
      }
      if (options.interactive) {
        stdin = (await container.attach({ stream: true, stdin: true, stdout: false, stderr: false, hijack: true })) as unknown as NodeJS.WritableStream;
      }
      await session.begin();
    } catch (err) {
      await session.stop().catch(() => undefined);
      if (err instanceof AutoDevError) throw err;
      const text = errorText(err);
      if (/port is already allocated|address already in use/i.test(text)) {
        throw new AutoDevError('PortInUse', `A port the app needs is already in use on 127.0.0.1 (${text}). Stop whatever holds it, or change autodev.runtime.ports.`);
      }
      throw new AutoDevError('BuildFailed', `Starting the container failed: ${text}`);
    }
    return { session, stdin, exec: (cmd, timeoutMs) => execInContainer(container, cmd, timeoutMs) };
  }

  async cleanupOrphans(): Promise<number> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [`${LABEL.autodev}=1`] } });
    let removed = 0;
    for (const c of list) {
      if (!isOrphan(c.Labels ?? {})) continue;
      try {
        await this.docker.getContainer(c.Id).remove({ force: true, v: true });
        removed++;
      } catch (err) {
        // 404/409: someone else removed it first (another window cleaning up at the same time).
        if (httpStatus(err) !== 404 && httpStatus(err) !== 409) throw err;
      }
    }
    return removed;
  }
}
