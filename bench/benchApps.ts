/** Tiny apps the Docker benchmarks deploy through the real runtime (offline images, source bind-mounted). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_RUNTIME_SETTINGS, type AppImage, type ContainerSession, type RuntimeSettings } from '../src/core/runtime/containerRuntime';
import { DockerRuntime, workspaceIdFor } from '../src/core/runtime/dockerRuntime';
import type { BenchContext } from './benchContext';

/** The offline base images (scripts/offline-images.sh); overridable for machines with a registry. */
export function benchSettings(overrides: Partial<RuntimeSettings> = {}): RuntimeSettings {
  return {
    ...DEFAULT_RUNTIME_SETTINGS,
    pythonImage: process.env.AUTODEV_BENCH_PYTHON_IMAGE ?? 'autodev-offline/python:3.11',
    nodeImage: process.env.AUTODEV_BENCH_NODE_IMAGE ?? 'autodev-offline/node:20',
    ...overrides,
  };
}

/** Writes `files` into a fresh folder under the part's temp dir. */
export function writeApp(ctx: BenchContext, name: string, files: Record<string, string>): string {
  const dir = join(ctx.tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

/** Builds the app's image and starts one container; the caller subscribes to lines before anything else happens. */
export async function buildApp(ctx: BenchContext, dir: string, settings = benchSettings(), runtime = new DockerRuntime()): Promise<{ runtime: DockerRuntime; image: AppImage }> {
  const image = await runtime.buildImage(dir, settings, undefined, ctx.signal);
  return { runtime, image };
}

export async function startApp(runtime: DockerRuntime, image: AppImage, dir: string, settings = benchSettings()): Promise<ContainerSession> {
  return runtime.start(image, { sourceDir: dir, role: 'main', workspaceId: workspaceIdFor(dir), settings });
}
