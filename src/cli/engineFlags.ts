/**
 * Which engine `autodev run` / `autodev heal` deploy to: `--docker-host` or `--context` (a Docker engine, resolved as
 * the Docker CLI does, DOCKER_HOST and contexts included), or `--kube-context` (a Kubernetes cluster: the image is
 * built by that Docker engine and pushed to `--registry`). The Kubernetes runtime is loaded only when asked for.
 */
import { AutoDevError } from '../core/errors';
import type { ContainerRuntime } from '../core/runtime/containerRuntime';
import { resolveDockerEndpoint } from '../core/runtime/dockerEndpoint';
import { DockerRuntime } from '../core/runtime/dockerRuntime';
import type { CliIo } from './args';

export const ENGINE_FLAGS = {
  'docker-host': 'string',
  context: 'string',
  'kube-context': 'string',
  'kube-namespace': 'string',
  registry: 'string',
} as const;

export const ENGINE_USAGE = '[--docker-host URL | --context NAME] [--kube-context NAME [--kube-namespace NS] --registry HOST/PATH]';

export interface Engines {
  /** Where the app runs. */
  runtime: ContainerRuntime;
  /** The Docker engine that builds (the runtime itself for Docker). */
  builder: DockerRuntime;
}

function flag(flags: Record<string, string | boolean | number>, name: keyof typeof ENGINE_FLAGS): string | undefined {
  const v = flags[name];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

export async function enginesFromFlags(flags: Record<string, string | boolean | number>, io: CliIo): Promise<Engines> {
  const dockerHost = flag(flags, 'docker-host');
  const context = flag(flags, 'context');
  if (dockerHost && context) throw new AutoDevError('Usage', '--docker-host and --context both name the Docker engine: give one of them');
  const builder = new DockerRuntime({ endpoint: resolveDockerEndpoint({ dockerHost, context, env: io.env }) });
  const kubeContext = flag(flags, 'kube-context');
  if (!kubeContext) {
    if (flag(flags, 'registry') || flag(flags, 'kube-namespace')) throw new AutoDevError('Usage', '--registry and --kube-namespace go with --kube-context');
    return { runtime: builder, builder };
  }
  const [{ KubernetesRuntime, loadKubeConfig }, { RegistryPublisher }] = await Promise.all([import('../core/runtime/kubernetesRuntime'), import('../core/runtime/registryPublisher')]);
  const registry = flag(flags, 'registry') ?? io.env.AUTODEV_REGISTRY?.trim() ?? '';
  const runtime = new KubernetesRuntime({ kubeConfig: loadKubeConfig(kubeContext), namespace: flag(flags, 'kube-namespace'), publisher: new RegistryPublisher(builder, registry) });
  return { runtime, builder };
}
