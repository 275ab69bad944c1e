/**
 * Which engine `autodev run` / `autodev heal` deploy to: `--docker-host` or `--context` (a Docker engine, resolved as
 * the Docker CLI does, DOCKER_HOST and contexts included), or `--kube-context` (a Kubernetes cluster: the image is
 * built by that Docker engine and pushed to `--registry`).
 */
import { AutoDevError } from '../core/errors';
import { createEngines, type Engines } from '../core/runtime/engineSelection';
import type { CliIo } from './args';

export const ENGINE_FLAGS = {
  'docker-host': 'string',
  context: 'string',
  'kube-context': 'string',
  'kube-namespace': 'string',
  registry: 'string',
} as const;

function flag(flags: Record<string, string | boolean | number>, name: keyof typeof ENGINE_FLAGS): string | undefined {
  const v = flags[name];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

export function enginesFromFlags(flags: Record<string, string | boolean | number>, io: CliIo): Promise<Engines> {
  const kubeContext = flag(flags, 'kube-context');
  if (!kubeContext && (flag(flags, 'registry') || flag(flags, 'kube-namespace'))) throw new AutoDevError('Usage', '--registry and --kube-namespace go with --kube-context');
  if (flag(flags, 'docker-host') && flag(flags, 'context')) throw new AutoDevError('Usage', '--docker-host and --context both name the Docker engine: give one of them');
  return createEngines({
    dockerHost: flag(flags, 'docker-host'),
    dockerContext: flag(flags, 'context'),
    kubeContext,
    kubeNamespace: flag(flags, 'kube-namespace'),
    registry: flag(flags, 'registry'),
    env: io.env,
  });
}
