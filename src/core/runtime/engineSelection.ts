/**
 * Builds the runtime for the engine the user chose — shared by the CLI flags and the VS Code settings: a Docker
 * engine (host or context, else DOCKER_HOST, DOCKER_CONTEXT, `docker context use`), or a Kubernetes cluster whose
 * images that Docker engine builds and pushes to a registry. The Kubernetes runtime is loaded only when chosen
 * (a separate bundle, dist/kubernetes.js).
 */
import { AutoDevError } from '../errors';
import type { ContainerRuntime } from './containerRuntime';
import { resolveDockerEndpoint } from './dockerEndpoint';
import { DockerRuntime } from './dockerRuntime';

export interface EngineChoice {
  dockerHost?: string;
  dockerContext?: string;
  kubeContext?: string;
  kubeNamespace?: string;
  registry?: string;
  env: NodeJS.ProcessEnv;
}

export interface Engines {
  /** Where the app runs. */
  runtime: ContainerRuntime;
  /** The Docker engine that builds (the runtime itself for Docker). */
  builder: DockerRuntime;
}

export async function createEngines(choice: EngineChoice): Promise<Engines> {
  const { dockerHost, dockerContext: context, kubeContext } = choice;
  if (dockerHost && context) throw new AutoDevError('Usage', 'A Docker host and a Docker context both name the engine: give one of them.');
  const builder = new DockerRuntime({ endpoint: resolveDockerEndpoint({ dockerHost, context, env: choice.env }) });
  if (!kubeContext) return { runtime: builder, builder };
  const [{ KubernetesRuntime, loadKubeConfig }, { RegistryPublisher }] = await Promise.all([import('./kubernetesRuntime'), import('./registryPublisher')]);
  const registry = choice.registry ?? choice.env.AUTODEV_REGISTRY?.trim() ?? '';
  const runtime = new KubernetesRuntime({ kubeConfig: loadKubeConfig(kubeContext), namespace: choice.kubeNamespace, publisher: new RegistryPublisher(builder, registry) });
  return { runtime, builder };
}
