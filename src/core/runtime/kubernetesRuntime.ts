/**
 * The ContainerRuntime on a Kubernetes cluster (@kubernetes/client-node): one Pod per run of a workspace, the
 * image built by the user's Docker builder and pushed to a registry the cluster pulls from, cleanup by label.
 * Loaded lazily by the composition roots (bundled apart as dist/kubernetes.js) so Docker users never load it.
 */
import { CoreV1Api, Exec, KubeConfig, Log, PortForward, VersionApi, Watch } from '@kubernetes/client-node';
import { AutoDevError } from '../errors';
import type { AppImage, BuildEvent, ContainerRuntime, ContainerSession, EngineInfo, RuntimeSettings, StartOptions } from './containerRuntime';
import { AppSession, type ContainerHandle } from './appSession';
import { isOrphan, LABEL } from './containerOwner';
import { KubernetesPodSession, type KubeClients } from './kubernetesSession';
import { describeApiError } from './kubernetesApiError';

/** Builds images and makes them pullable by the cluster (RegistryPublisher over Docker; tests pass a fake). */
export interface ImagePublisher {
  buildImage(workspaceDir: string, settings: RuntimeSettings, onEvent?: (e: BuildEvent) => void, signal?: AbortSignal): Promise<AppImage>;
  /**
   * What the cluster pulls for a run of `sourceDir`: the app image with the app folder copied to its workdir when the
   * image expects it mounted (`mountSource`), else the image itself (it owns its files); pushed; returns the reference.
   */
  publish(image: AppImage, sourceDir: string, signal?: AbortSignal): Promise<string>;
}

export interface KubernetesRuntimeOptions {
  kubeConfig: KubeConfig;
  /** Default: the context's namespace, else `default`. */
  namespace?: string;
  publisher: ImagePublisher;
  /** Read-only root filesystem (a /tmp emptyDir is always mounted). Default true. */
  readOnlyRoot?: boolean;
  /** How long a pod may stay pending (image pull, scheduling). Default 180 s. */
  startTimeoutMs?: number;
}

const PING_TIMEOUT_MS = 5000;

/**
 * A KubeConfig from the user's kubeconfig (KUBECONFIG or ~/.kube/config, or the in-cluster service account),
 * switched to `context` when given. Throws AutoDevError('ClusterUnavailable') for an unknown context.
 */
export function loadKubeConfig(context?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  if (context) {
    if (!kc.getContextObject(context)) {
      throw new AutoDevError('ClusterUnavailable', `Kubernetes context "${context}" is not in your kubeconfig (contexts: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'}).`);
    }
    kc.setCurrentContext(context);
  }
  return kc;
}

export class KubernetesRuntime implements ContainerRuntime {
  readonly engine: EngineInfo;
  private readonly clients: KubeClients;
  private readonly version: VersionApi;
  private readonly server: string;
  /** Ports apps of an image turned out to listen on (shared by its sessions, as on Docker). */
  private readonly knownPorts = new Map<string, Set<number>>();

  constructor(private readonly opts: KubernetesRuntimeOptions) {
    const kc = opts.kubeConfig;
    const context = kc.getCurrentContext();
    const namespace = opts.namespace ?? kc.getContextObject(context)?.namespace ?? 'default';
    this.server = kc.getCurrentCluster()?.server ?? '(no cluster)';
    this.clients = { core: kc.makeApiClient(CoreV1Api), log: new Log(kc), watch: new Watch(kc), portForward: new PortForward(kc), exec: new Exec(kc), namespace };
    this.version = kc.makeApiClient(VersionApi);
    this.engine = { kind: 'kubernetes', label: `Kubernetes ${context || this.server} · ${namespace}`, remote: true };
  }

  async ping(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.version.getCode(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS / 1000} s`)), PING_TIMEOUT_MS))),
      ]);
    } catch (err) {
      throw new AutoDevError('ClusterUnavailable', `The Kubernetes API server at ${this.server} does not answer: ${describeApiError(err)}. Check your kubeconfig context (kubectl cluster-info).`);
    } finally {
      clearTimeout(timer);
    }
  }

  buildImage(workspaceDir: string, settings: RuntimeSettings, onEvent?: (e: BuildEvent) => void, signal?: AbortSignal): Promise<AppImage> {
    return this.opts.publisher.buildImage(workspaceDir, settings, onEvent, signal);
  }

  /**
   * The app as the heal loop sees it (AppSession: port discovery, rebuilds), each container a Pod. An image that owns
   * its files runs another copy (a scratch copy) only after a rebuild of that copy, as on Docker.
   */
  async start(image: AppImage, options: StartOptions): Promise<ContainerSession> {
    await this.cleanupOrphans().catch(() => 0);
    const rebuild = async () => ({ image: await this.opts.publisher.buildImage(options.sourceDir, options.settings, undefined, options.signal), owned: false });
    const first = !image.mountSource && options.sourceDir !== image.builtFrom ? (await rebuild()).image : image;
    let known = this.knownPorts.get(image.tag);
    if (!known) this.knownPorts.set(image.tag, (known = new Set()));
    return AppSession.start({
      image: first,
      settings: options.settings,
      create: (img, ports) => this.createPod(img, ports, options),
      rebuild,
      // Pushed images stay in the registry (its retention policy owns them); pods are what AutoDev cleans up.
      removeImage: async () => undefined,
      knownPorts: known,
      ownsImage: false,
    });
  }

  private async createPod(image: AppImage, ports: number[], options: StartOptions): Promise<ContainerHandle> {
    if (options.signal?.aborted) throw new AutoDevError('Cancelled', 'Start cancelled.');
    const session = new KubernetesPodSession(this.clients, {
      image,
      ports,
      options,
      publish: () => this.opts.publisher.publish(image, options.sourceDir, options.signal),
      readOnlyRoot: this.opts.readOnlyRoot ?? true,
      startTimeoutMs: this.opts.startTimeoutMs ?? 180_000,
    });
    try {
      await session.begin();
    } catch (err) {
      await session.stop().catch(() => undefined);
      throw err;
    }
    return { session, exec: (cmd, timeoutMs) => session.exec(cmd, timeoutMs) };
  }

  /** Deletes AutoDev pods (label autodev=1) whose owning process on this host is gone. */
  async cleanupOrphans(): Promise<number> {
    const { core, namespace } = this.clients;
    const list = await core.listNamespacedPod({ namespace, labelSelector: `${LABEL.autodev}=1` });
    let removed = 0;
    for (const pod of list.items ?? []) {
      if (!pod.metadata?.name || !isOrphan(pod.metadata.annotations ?? {})) continue;
      try {
        await core.deleteNamespacedPod({ name: pod.metadata.name, namespace, gracePeriodSeconds: 0 });
        removed++;
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
      }
    }
    return removed;
  }
}
