/** What a failed image build means for the user: missing package manager, dependency install, unreachable base image. */
import * as path from 'node:path';
import { AutoDevError } from '../errors';
import type { RuntimeSettings } from './containerRuntime';
import { DEPS_FAILED_MARKER, NO_PACKAGE_MANAGER_MARKER, type BuildPlan } from './dockerfileGenerator';
import type { BuildProgressTracker } from './buildProgress';

const REGISTRY_TROUBLE = /pull access denied|manifest unknown|not found: manifest|repository does not exist|dial tcp|lookup .*(registry|docker\.io)|no such host|i\/o timeout|TLS handshake|network is unreachable|connection refused/i;

export function buildFailure(dir: string, plan: BuildPlan, error: string, tail: string[], settings: RuntimeSettings, progress: BuildProgressTracker): AutoDevError {
  const detail = tail.join('\n');
  const kind = plan.kind;
  const base = plan.baseImage ?? settings.imageOverride ?? (kind === 'node' ? settings.nodeImage : settings.pythonImage);
  const tool = kind === 'node' ? 'npm' : 'pip';
  // Markers count only as printed lines: the step header echoes the RUN command, which names them too.
  const printed = (marker: string) => tail.some((l) => l.trimStart().startsWith(`${marker}:`));
  if (printed(NO_PACKAGE_MANAGER_MARKER)) {
    return new AutoDevError(
      'BuildFailed',
      `${base} has no ${tool}, so the app's dependencies cannot be installed: use a base image with ${tool} ` +
        `(--image, or autodev.runtime.${kind === 'node' ? 'nodeImage' : 'pythonImage'}).`,
      detail,
    );
  }
  if (printed(DEPS_FAILED_MARKER)) {
    const first = progress.firstErrorLine() ?? error;
    const network = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|TLS|SSL|certificate|network|resolve host|Temporary failure in name resolution|No matching distribution/i.test(detail);
    return new AutoDevError(
      'BuildFailed',
      `Installing the app's dependencies with ${tool} failed while building ${dir}: ${first}` +
        (network ? ` — the container could not reach the package registry; make it reachable, or use a base image that already has the dependencies.` : ''),
      detail,
    );
  }
  if (kind === 'dockerfile' && REGISTRY_TROUBLE.test(error)) {
    const fromImages = plan.fromImages ?? [];
    return new AutoDevError(
      'ImageUnavailable',
      `The Dockerfile in ${path.join(dir, plan.appDir)} needs ${fromImages.length ? fromImages.join(', ') : 'an image'}, not available locally and ` +
        `not pullable (${error}). ` +
        `Pull or build it first, or run scripts/offline-images.sh for local base images.`,
      detail,
    );
  }
  return new AutoDevError('BuildFailed', `Building the image for ${dir} failed: ${progress.failure(error)}`, detail);
}
