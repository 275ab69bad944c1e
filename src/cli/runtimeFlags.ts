/**
 * What `autodev run` and `autodev heal` share about the runtime: the flags (--image, --entry, --port), the
 * AUTODEV_*_IMAGE environment, and the offline base-image fallback — one note, for the language that runs.
 */
import { AutoDevError } from '../core/errors';
import { DEFAULT_RUNTIME_SETTINGS, type RuntimeSettings } from '../core/runtime/containerRuntime';
import type { DockerRuntime } from '../core/runtime/dockerRuntime';
import { chooseEntry } from '../core/runtime/entryDetection';
import type { CliIo } from './args';

export const RUNTIME_FLAGS = { image: 'string', entry: 'string', port: 'number' } as const;

/** The offline base images scripts/offline-images.sh builds for machines without a registry. */
export const OFFLINE_IMAGES = { pythonImage: 'autodev-offline/python:3.11', nodeImage: 'autodev-offline/node:20' } as const;

/** Runtime settings from the shared flags and environment (no engine asked yet). */
export function runtimeSettingsFromFlags(flags: Record<string, string | boolean | number>, io: CliIo): RuntimeSettings {
  const port = flags.port;
  if (port !== undefined && !(typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new AutoDevError('Usage', '--port needs a port number (1–65535)');
  }
  return {
    ...DEFAULT_RUNTIME_SETTINGS,
    pythonImage: io.env.AUTODEV_PYTHON_IMAGE?.trim() || DEFAULT_RUNTIME_SETTINGS.pythonImage,
    nodeImage: io.env.AUTODEV_NODE_IMAGE?.trim() || DEFAULT_RUNTIME_SETTINGS.nodeImage,
    ...(typeof flags.image === 'string' ? { imageOverride: flags.image } : {}),
    ...(typeof flags.entry === 'string' ? { entry: flags.entry } : {}),
    ...(typeof port === 'number' ? { port } : {}),
  };
}

/**
 * Settles the base image before the build: refuses `--image` for an app with its own Dockerfile (it names its
 * images), and when the default image for the app's language is missing but its offline counterpart is here,
 * uses that and says so — only for that language. Entry problems (none, several) surface here, before any build.
 */
export async function selectBaseImage(runtime: DockerRuntime, dir: string, settings: RuntimeSettings, io: CliIo): Promise<RuntimeSettings> {
  const entry = await chooseEntry(dir, settings.entry);
  if (entry.kind === 'dockerfile') {
    if (settings.imageOverride) {
      throw new AutoDevError('Usage', `--image ${settings.imageOverride} does not apply: ${entry.file} names its own base images (FROM). Drop --image, or choose another entry with --entry.`);
    }
    return settings;
  }
  if (settings.imageOverride || entry.kind === 'go') return settings;
  const key = entry.kind === 'node' ? 'nodeImage' : 'pythonImage';
  const chosenByEnv = key === 'pythonImage' ? io.env.AUTODEV_PYTHON_IMAGE?.trim() : io.env.AUTODEV_NODE_IMAGE?.trim();
  if (chosenByEnv || settings[key] !== DEFAULT_RUNTIME_SETTINGS[key]) return settings;
  const has = (image: string) => runtime.hasImage(image).catch(() => false);
  if (!(await has(settings[key])) && (await has(OFFLINE_IMAGES[key]))) {
    io.stderr.write(`[autodev] ${settings[key]} is not on this machine; using the local ${OFFLINE_IMAGES[key]} (set --image or AUTODEV_${key === 'pythonImage' ? 'PYTHON' : 'NODE'}_IMAGE to choose)\n`);
    return { ...settings, [key]: OFFLINE_IMAGES[key] };
  }
  return settings;
}
