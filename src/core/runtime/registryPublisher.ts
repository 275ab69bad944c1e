/**
 * Images for a cluster, made with the user's Docker builder: the app image as for Docker, then per run a thin image
 * `FROM <app image>` with the source copied to the workdir (the build context: `.dockerignore` honoured), tagged
 * `<registry>/autodev-<workspace>:<content hash>` and pushed. Same source, same tag: a restart without changes
 * pushes nothing new.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { AutoDevError } from '../errors';
import type { AppImage, BuildEvent, RuntimeSettings } from './containerRuntime';
import { packBuildContext } from './buildContext';
import type { DockerRuntime } from './dockerRuntime';
import type { ImagePublisher } from './kubernetesRuntime';
import { hashTree } from './sourceUpload';

const SOURCE_DOCKERFILE = 'Dockerfile.autodev-source';

/** The Dockerfile of the per-run source image (files world-readable: the pod runs as a non-root uid). */
export function sourceDockerfile(image: AppImage): string {
  return [`FROM ${image.tag}`, `COPY . ${image.workdir}`, `RUN chmod -R a+rX ${image.workdir} || true`, ''].join('\n');
}

export class RegistryPublisher implements ImagePublisher {
  /**
   * @param builder the Docker engine that builds (local or remote)
   * @param registry e.g. `registry.example.com/team` or `localhost:5001` (kind's local registry)
   */
  constructor(
    private readonly builder: DockerRuntime,
    private readonly registry: string,
  ) {
    if (!registry.trim()) {
      throw new AutoDevError('Usage', 'The Kubernetes runtime needs a registry the cluster can pull from: set autodev.runtime.kubernetes.registry (CLI: --registry), e.g. localhost:5001 for kind.');
    }
  }

  buildImage(workspaceDir: string, settings: RuntimeSettings, onEvent?: (e: BuildEvent) => void, signal?: AbortSignal): Promise<AppImage> {
    return this.builder.buildImage(workspaceDir, settings, onEvent, signal);
  }

  async publish(image: AppImage, sourceDir: string, signal?: AbortSignal): Promise<string> {
    const docker = this.builder.client;
    if (!image.mountSource) {
      // The image owns its files (built output): push it as it is, under the registry's name.
      const inspected = await docker.getImage(image.tag).inspect();
      const ref = `${this.registry.replace(/\/+$/, '')}/${repoName(image)}:${inspected.Id.replace(/^sha256:/, '').slice(0, 16)}`;
      const [repo, tag] = [ref.slice(0, ref.lastIndexOf(':')), ref.slice(ref.lastIndexOf(':') + 1)];
      await docker.getImage(image.tag).tag({ repo, tag });
      await follow(docker, await docker.getImage(ref).push({ ...(signal ? { abortSignal: signal } : {}) } as object), `Pushing ${ref}`);
      return ref;
    }
    const appFolder = path.join(sourceDir, image.appDir);
    const hash = createHash('sha256');
    for (const [rel, h] of [...(await hashTree(appFolder))].sort()) hash.update(`${rel}\0${h}\n`);
    hash.update(image.tag);
    const ref = `${this.registry.replace(/\/+$/, '')}/${repoName(image)}:${hash.digest('hex').slice(0, 16)}`;
    const context = await packBuildContext(appFolder, { extraFile: { name: SOURCE_DOCKERFILE, content: sourceDockerfile(image) } });
    const build = await docker.buildImage(context as unknown as NodeJS.ReadableStream, { t: ref, dockerfile: SOURCE_DOCKERFILE, rm: true, forcerm: true, ...(signal ? { abortSignal: signal } : {}) });
    await follow(docker, build, 'Building the source image');
    const push = await docker.getImage(ref).push({ ...(signal ? { abortSignal: signal } : {}) } as object);
    await follow(docker, push, `Pushing ${ref}`);
    return ref;
  }
}

/** One repository per workspace, named after the app image (autodev/<id> → autodev-<id>); one tag per content. */
function repoName(image: AppImage): string {
  return image.tag.replace(/:[^/:]*$/, '').replace(/[^a-z0-9]+/g, '-');
}

async function follow(docker: DockerRuntime['client'], stream: NodeJS.ReadableStream, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(new AutoDevError('ImageUnavailable', `${what} failed: ${err.message}`)) : resolve()),
      (e: { error?: string; errorDetail?: { message?: string } }) => {
        if (e.error) reject(new AutoDevError('ImageUnavailable', `${what} failed: ${e.errorDetail?.message ?? e.error}`));
      },
    ),
  );
}
