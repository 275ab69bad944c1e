/** The create options of one hardened app container: no capabilities, no new privileges, limits, loopback ports. */
import type Docker from 'dockerode';
import type { AppImage, StartOptions } from './containerRuntime';
import { LABEL, ownerLabels } from './containerOwner';
import { ISOLATED_NETWORK } from './isolatedNetwork';

export interface AppContainerSpec {
  image: AppImage;
  options: StartOptions;
  owner: string | undefined;
  env: Record<string, string>;
  exposed: Record<string, object>;
  bindings: Record<string, Array<{ HostIp: string; HostPort: string }>>;
  mounts: Docker.MountSettings[];
  memory: number;
  cpus: number;
  isolated: boolean;
}

export function appContainerSpec({ image, options, owner, env, exposed, bindings, mounts, memory, cpus, isolated }: AppContainerSpec): Docker.ContainerCreateOptions {
  return {
    Image: image.tag,
    WorkingDir: image.workdir,
    ...(owner ? { User: owner } : {}),
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: {
      [LABEL.autodev]: '1',
      [LABEL.workspace]: options.workspaceId,
      [LABEL.role]: options.role,
      ...ownerLabels(),
    },
    ExposedPorts: exposed,
    Tty: false,
    // Interactive: stdin stays open for input (StdinOnce false: it survives our attach closing).
    OpenStdin: !!options.interactive,
    StdinOnce: false,
    AttachStdin: !!options.interactive,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: {
      Mounts: mounts,
      Memory: memory,
      MemorySwap: memory,
      NanoCpus: Math.round(cpus * 1e9),
      PidsLimit: options.settings.pidsLimit,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Init: true,
      PortBindings: bindings,
      ...(isolated ? { NetworkMode: ISOLATED_NETWORK } : {}),
      // `local` rotates; the default json-file driver grows without bound.
      LogConfig: { Type: 'local', Config: { 'max-size': '20m', 'max-file': '3' } },
    },
  };
}
