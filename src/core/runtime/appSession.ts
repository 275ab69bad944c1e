/**
 * The app as the heal loop sees it: one ContainerSession whose container may be replaced underneath — to publish
 * the port the app turned out to listen on, or to run an edit of an app whose image owns its files (rebuilt with
 * layer cache). Lines and exits flow through one ordered stream across containers.
 */
import type { Disposable } from '../lifecycle';
import type { AppImage, ContainerRun, ContainerSession, ExecOutput, RuntimeSettings } from './containerRuntime';
import type { ExecResult } from './containerExec';
import { SessionEvents } from './sessionEvents';
import { chooseAppPort, COMMON_APP_PORTS, loopbackAdvice, parseProcNetTcp, portFromLine } from './portDiscovery';
import { probeListening } from '../replay/portProbe';

/** One container of the app, as the runtime creates it. */
export interface ContainerHandle {
  readonly session: ContainerRun;
  exec(cmd: string[], timeoutMs?: number): Promise<ExecResult>;
  /** The app's stdin, when the container was created with it open. */
  readonly stdin?: NodeJS.WritableStream;
}

export interface AppSessionDeps {
  image: AppImage;
  settings: RuntimeSettings;
  create(image: AppImage, ports: number[]): Promise<ContainerHandle>;
  /** Builds an image of the session's source (for images that do not mount it); `owned` images are removed on stop. */
  rebuild(): Promise<{ image: AppImage; owned: boolean }>;
  removeImage(tag: string): Promise<void>;
  /** Ports learnt for this app, shared by the runtime's sessions so scratch runs publish them from the start. */
  knownPorts: Set<number>;
  /** Whether `image` was built for this session alone (a scratch copy of a built-in app): removed on stop. */
  ownsImage: boolean;
}

/** Socket-table reads start every 250 ms and slow to every 2 s: a worker that never listens costs few execs. */
const PORT_POLL_MS = 250;
const PORT_POLL_MAX_MS = 2000;
const delay = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

export class AppSession extends SessionEvents implements ContainerSession {
  private inner!: ContainerHandle;
  private innerSubs: Disposable[] = [];
  private image: AppImage;
  private ownedTag: string | undefined;
  private seq = 0;
  private printedPort: number | undefined;
  private loopbackWarned = false;
  private replacing: Promise<void> | null = null;
  private stopped = false;
  /** Runs of the session before the current container's first one: a container's run n is the session's run base + n. */
  private runBase = 0;

  private constructor(private readonly deps: AppSessionDeps) {
    super();
    this.image = deps.image;
    this.ownedTag = deps.ownsImage ? deps.image.tag : undefined;
  }

  /** Creates the first container and starts it. */
  static async start(deps: AppSessionDeps): Promise<AppSession> {
    const s = new AppSession(deps);
    try {
      s.attach(await deps.create(s.image, s.ports()));
    } catch (err) {
      if (s.ownedTag) await deps.removeImage(s.ownedTag).catch(() => undefined);
      throw err;
    }
    return s;
  }

  get id(): string {
    return this.inner.session.id;
  }

  get publishedPorts(): ReadonlyMap<number, number> {
    return this.inner.session.publishedPorts;
  }

  get running(): boolean {
    return this.inner.session.running;
  }

  /** Every start of a container, in place or in a new container (rebuilt, re-published), is the session's next run. */
  get currentRun(): number {
    return this.runBase + this.inner.session.currentRun;
  }

  get runStartedAt(): number {
    return this.inner.session.runStartedAt;
  }

  input(data: string | Buffer): boolean {
    const stdin = this.inner.stdin;
    if (!stdin) return false;
    stdin.write(data);
    return true;
  }

  /** `docker exec` in the current container (the scratch verifier's verify command uses it). */
  async exec(cmd: string[], opts: { timeoutMs?: number } = {}): Promise<ExecOutput> {
    const r = await this.inner.exec(cmd, opts.timeoutMs);
    return { exitCode: r.exitCode, output: r.stdout + r.stderr };
  }

  /** Published up front: the chosen port, the image's, ports learnt earlier, and the usual web ports. */
  private ports(): number[] {
    const s = this.deps.settings;
    return [...new Set([...(s.port ? [s.port] : []), ...this.image.ports, ...this.deps.knownPorts, ...COMMON_APP_PORTS])];
  }

  private attach(handle: ContainerHandle): void {
    for (const d of this.innerSubs) void d.dispose();
    // The new container's runs continue the session's numbering (its first run is the session's next one).
    const base = this.inner ? this.currentRun : 0;
    this.runBase = base;
    this.inner = handle;
    const run = (n: number | undefined) => (n === undefined ? undefined : base + n);
    this.innerSubs = [
      handle.session.onLine((l) => {
        if (handle !== this.inner) return;
        if (l.stream !== 'system' && this.printedPort === undefined) this.printedPort = portFromLine(l.text);
        this.lines.fire({ ...l, seq: ++this.seq, run: run(l.run) });
      }),
      handle.session.onExit((e) => {
        if (handle === this.inner) this.exits.fire({ ...e, run: run(e.run) });
      }),
    ];
    const ended = handle.session.onOutputEnd?.(() => {
      if (handle === this.inner) this.outputEnds.fire();
    });
    if (ended) this.innerSubs.push(ended);
  }

  private system(text: string): void {
    this.lines.fire({ stream: 'system', text, time: Date.now(), seq: ++this.seq });
  }

  /** Stops the current container and starts a new one (of a rebuilt image when asked). */
  private replace(rebuild: boolean): Promise<void> {
    const run = async () => {
      // A replacement asked for once the session is stopping (a port found as it stops) would create a container
      // nobody removes.
      if (this.stopped) return;
      await this.inner.session.stop();
      this.printedPort = undefined;
      if (rebuild) {
        const { image, owned } = await this.deps.rebuild();
        if (this.ownedTag && this.ownedTag !== image.tag) await this.deps.removeImage(this.ownedTag).catch(() => undefined);
        this.ownedTag = owned ? image.tag : undefined;
        this.image = image;
      }
      const handle = await this.deps.create(this.image, this.ports());
      if (this.stopped) {
        // stop() waited for this replacement and stopped the old container: this one is ours to remove.
        await handle.session.stop();
        return;
      }
      this.attach(handle);
    };
    const p = (this.replacing ?? Promise.resolve()).then(run);
    this.replacing = p.finally(() => {
      if (this.replacing === p) this.replacing = null;
    });
    return p;
  }

  async restart(): Promise<void> {
    if (this.image.mountSource) {
      this.printedPort = undefined;
      return this.inner.session.restart();
    }
    this.system('rebuilding the image with the changed files (layer cache) and restarting');
    return this.replace(true);
  }

  async appPort(timeoutMs = 60_000, signal?: AbortSignal): Promise<number | null> {
    const chosen = this.deps.settings.port;
    if (chosen) return chosen;
    const expected = this.image.ports;
    const deadline = Date.now() + timeoutMs;
    let execWorks = true;
    let pollMs = PORT_POLL_MS;
    while (Date.now() < deadline && !signal?.aborted && !this.stopped) {
      if (this.replacing) await this.replacing.catch(() => undefined);
      if (!this.inner.session.running) {
        if (this.replacing) continue;
        return null;
      }
      let port: number | undefined;
      if (execWorks) {
        const r = await this.inner.exec(['cat', '/proc/net/tcp', '/proc/net/tcp6']).catch(() => null);
        if (!r || !r.stdout.trim()) {
          // No `cat` in the image (FROM scratch): fall back to what the app prints and to probing published ports.
          execWorks = !r ? false : r.exitCode === 0;
        } else {
          const choice = chooseAppPort(parseProcNetTcp(r.stdout), expected);
          port = choice.port;
          if (choice.loopbackOnly !== undefined && !this.loopbackWarned) {
            this.loopbackWarned = true;
            this.system(loopbackAdvice(choice.loopbackOnly));
          }
        }
      }
      if (port === undefined && !execWorks) port = this.printedPort ?? (await this.probePublished(expected));
      if (port !== undefined) {
        await this.ensurePublished(port);
        return port;
      }
      await delay(pollMs, signal);
      pollMs = Math.min(PORT_POLL_MAX_MS, Math.round(pollMs * 1.5));
    }
    return null;
  }

  /** The first published port with a listener behind it (expected ports first). */
  private async probePublished(expected: readonly number[]): Promise<number | undefined> {
    const published = [...this.inner.session.publishedPorts.keys()].sort((a, b) => Number(expected.includes(b)) - Number(expected.includes(a)));
    for (const p of published) {
      const host = this.inner.session.publishedPorts.get(p);
      if (host && (await probeListening(host, 150))) return p;
    }
    return undefined;
  }

  private async ensurePublished(port: number): Promise<void> {
    this.deps.knownPorts.add(port);
    if (this.inner.session.publishedPorts.has(port)) return;
    this.system(`the app listens on port ${port}, which was not published: restarting its container once with ${port} published`);
    await this.replace(false);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.replacing?.catch(() => undefined);
    for (const d of this.innerSubs) void d.dispose();
    await this.inner.session.stop();
    if (this.ownedTag) await this.deps.removeImage(this.ownedTag).catch(() => undefined);
    this.disposeEvents();
  }

  dispose(): Promise<void> {
    return this.stop();
  }
}
