/**
 * Decides how to build a workspace: its own Dockerfile, or a generated one for Python or Node. Generated images
 * hold only the base image, the declared dependencies and the run command; the source is bind-mounted at /app.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AutoDevError } from '../errors';
import type { AppKind, RuntimeSettings } from './containerRuntime';

/** Port a generated image announces through `PORT` and `EXPOSE` (apps that read PORT listen there). */
export const GENERATED_PORTS: Record<'python' | 'node', number> = { python: 8000, node: 3000 };
/** Where generated images install Node dependencies: outside /app, which the bind mount hides. */
export const NODE_DEPS_DIR = '/opt/autodev/node_modules';
/** Printed by a generated build when installing dependencies fails, so the error can say why. */
export const DEPS_FAILED_MARKER = 'AUTODEV_DEPENDENCY_INSTALL_FAILED';
/** Name of the generated Dockerfile inside the build context (never clashes with a user file). */
export const GENERATED_DOCKERFILE = '.autodev.Dockerfile';

export interface BuildPlan {
  kind: AppKind;
  /** Dockerfile text. */
  dockerfile: string;
  /** Path of the Dockerfile inside the build context. */
  dockerfileName: string;
  /** For generated images: the only workspace files the build needs (the rest is bind-mounted at run time). */
  contextFiles?: string[];
  /** Base image a generated Dockerfile starts FROM (checked/pulled before the build). */
  baseImage?: string;
  /** Images a workspace Dockerfile names in FROM (for error messages). */
  fromImages?: string[];
  workdir: string;
  ports: number[];
  cmd: string[];
}

export interface DockerfileFacts {
  /** Last WORKDIR of the final stage (absolute), if any. */
  workdir?: string;
  exposed: number[];
  cmd: string[];
  /** Images named by FROM (not earlier stages, not `scratch`). */
  baseImages: string[];
}

/** Reads what AutoDev needs from a Dockerfile: the final stage's WORKDIR, EXPOSEd ports and CMD/ENTRYPOINT. */
export function parseDockerfile(text: string): DockerfileFacts {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  let workdir: string | undefined;
  let exposed: number[] = [];
  let cmd: string[] = [];
  let entrypoint: string[] = [];
  const stages = new Set<string>();
  const baseImages: string[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(\w+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [, instr, rest] = m;
    switch (instr.toUpperCase()) {
      case 'FROM': {
        const from = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(rest.trim());
        if (from) {
          const image = from[1];
          if (!stages.has(image.toLowerCase()) && image !== 'scratch' && !baseImages.includes(image)) baseImages.push(image);
          if (from[2]) stages.add(from[2].toLowerCase());
        }
        // A new stage: only the final stage's settings describe the image that runs.
        workdir = undefined;
        exposed = [];
        cmd = [];
        entrypoint = [];
        break;
      }
      case 'WORKDIR': {
        const dir = rest.trim().replace(/^["']|["']$/g, '');
        workdir = path.posix.isAbsolute(dir) ? dir : path.posix.join(workdir ?? '/', dir);
        break;
      }
      case 'EXPOSE':
        for (const p of rest.split(/\s+/)) {
          const n = Number.parseInt(p, 10);
          if (Number.isInteger(n) && n > 0 && n < 65536 && !/\/udp$/i.test(p)) exposed.push(n);
        }
        break;
      case 'CMD':
        cmd = parseCommand(rest);
        break;
      case 'ENTRYPOINT':
        entrypoint = parseCommand(rest);
        break;
    }
  }
  return { workdir, exposed: [...new Set(exposed)], cmd: [...entrypoint, ...cmd], baseImages };
}

function parseCommand(rest: string): string[] {
  const t = rest.trim();
  if (t.startsWith('[')) {
    try {
      const arr = JSON.parse(t) as unknown;
      if (Array.isArray(arr)) return arr.map(String);
    } catch {
      // not valid JSON: Docker itself treats it as shell form
    }
  }
  return ['/bin/sh', '-c', t];
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Non-empty, non-comment requirement lines. */
export function requirementLines(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter((l) => l.length > 0);
}

/** The `dependencies = [...]` of a pyproject's [project] table (a small reader, not a TOML parser). */
export function pyprojectDependencies(text: string | undefined): string[] {
  if (!text) return [];
  const project = /^\[project\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(text);
  if (!project) return [];
  const deps = /^dependencies\s*=\s*\[([\s\S]*?)\]/m.exec(project[1]);
  if (!deps) return [];
  return [...deps[1].matchAll(/"([^"]+)"|'([^']+)'/g)].map((m) => m[1] ?? m[2]);
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Plans the build of `dir`: its Dockerfile, else Python (top-level app.py/main.py or a package with __main__.py),
 * else Node (package.json with a start script). Throws AutoDevError('NoAppFound') when nothing is recognised.
 */
export async function planBuild(dir: string, settings: RuntimeSettings): Promise<BuildPlan> {
  const dockerfileText = await readText(path.join(dir, 'Dockerfile'));
  if (dockerfileText !== undefined) {
    const facts = parseDockerfile(dockerfileText);
    return {
      kind: 'dockerfile',
      dockerfile: dockerfileText,
      dockerfileName: 'Dockerfile',
      fromImages: facts.baseImages,
      // Without a WORKDIR the image runs from /, which cannot be a mount point; /app is the convention.
      workdir: facts.workdir && facts.workdir !== '/' ? facts.workdir : '/app',
      ports: uniquePorts([...facts.exposed, ...settings.ports]),
      cmd: facts.cmd,
    };
  }
  const python = await planPython(dir, settings);
  if (python) return python;
  const node = await planNode(dir, settings);
  if (node) return node;
  throw new AutoDevError(
    'NoAppFound',
    `No app found in ${dir}: expected a Dockerfile, a Python entry point (app.py, main.py or a package with __main__.py) ` +
      `or a package.json with a "start" script.`,
  );
}

function uniquePorts(ports: number[]): number[] {
  return [...new Set(ports.filter((p) => Number.isInteger(p) && p > 0 && p < 65536))];
}

/**
 * Ends a generated Dockerfile (EXPOSE the generated port, CMD) and wraps it in the plan that builds it; the source
 * is bind-mounted at /app, so only `contextFiles` go into the build context.
 */
function generatedPlan(
  kind: 'python' | 'node',
  image: { lines: string[]; contextFiles: string[]; baseImage: string; cmd: string[] },
  settings: RuntimeSettings,
): BuildPlan {
  const port = GENERATED_PORTS[kind];
  return {
    kind,
    dockerfile: [...image.lines, `EXPOSE ${port}`, `CMD ${JSON.stringify(image.cmd)}`, ''].join('\n'),
    dockerfileName: GENERATED_DOCKERFILE,
    contextFiles: image.contextFiles,
    baseImage: image.baseImage,
    workdir: '/app',
    ports: uniquePorts([port, ...settings.ports]),
    cmd: image.cmd,
  };
}

async function planPython(dir: string, settings: RuntimeSettings): Promise<BuildPlan | undefined> {
  let cmd: string[] | undefined;
  for (const entry of ['app.py', 'main.py']) {
    if (await isFile(path.join(dir, entry))) {
      cmd = ['python3', entry];
      break;
    }
  }
  if (!cmd) {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    const pkgs = entries
      .filter((e) => e.isDirectory() && /^[A-Za-z_]\w*$/.test(e.name))
      .map((e) => e.name)
      .sort();
    for (const pkg of pkgs) {
      if (await isFile(path.join(dir, pkg, '__main__.py'))) {
        cmd = ['python3', '-m', pkg];
        break;
      }
    }
  }
  if (!cmd) return undefined;
  const requirements = requirementLines(await readText(path.join(dir, 'requirements.txt')));
  const pyprojectDeps = pyprojectDependencies(await readText(path.join(dir, 'pyproject.toml')));
  const base = settings.imageOverride ?? settings.pythonImage;
  const port = GENERATED_PORTS.python;
  const lines = [
    `FROM ${base}`,
    'WORKDIR /app',
    // Unbuffered so a crash's traceback is never stuck in a buffer; no .pyc files written into the bind mount.
    `ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PORT=${port}`,
  ];
  const contextFiles: string[] = [];
  const failed = `echo "${DEPS_FAILED_MARKER}: pip could not install the Python requirements" >&2; exit 1`;
  // Only install when something is declared: base images without pip (the offline ones) still build.
  if (requirements.length > 0) {
    contextFiles.push('requirements.txt');
    lines.push(
      'COPY requirements.txt /tmp/autodev/requirements.txt',
      `RUN python3 -m pip install --no-cache-dir -r /tmp/autodev/requirements.txt || { ${failed}; }`,
    );
  }
  if (pyprojectDeps.length > 0) {
    lines.push(`RUN python3 -m pip install --no-cache-dir ${pyprojectDeps.map(shellQuote).join(' ')} || { ${failed}; }`);
  }
  return generatedPlan('python', { lines, contextFiles, baseImage: base, cmd }, settings);
}

async function planNode(dir: string, settings: RuntimeSettings): Promise<BuildPlan | undefined> {
  const text = await readText(path.join(dir, 'package.json'));
  if (text === undefined) return undefined;
  let pkg: { scripts?: Record<string, string>; dependencies?: Record<string, string> };
  try {
    pkg = JSON.parse(text);
  } catch (err) {
    throw new AutoDevError('NoAppFound', `package.json in ${dir} is not valid JSON: ${(err as Error).message}`);
  }
  const start = pkg.scripts?.start;
  if (typeof start !== 'string' || !start.trim()) return undefined;
  // A plain `node file.js` runs directly (no npm wrapper lines around the crash); anything else goes through npm.
  const direct = /^node\s+([\w./-]+)$/.exec(start.trim());
  const cmd = direct ? ['node', direct[1]] : ['npm', 'start'];
  const base = settings.imageOverride ?? settings.nodeImage;
  const port = GENERATED_PORTS.node;
  const lines = [`FROM ${base}`, 'WORKDIR /app', `ENV NODE_ENV=production PORT=${port} NODE_PATH=${NODE_DEPS_DIR}`];
  const contextFiles: string[] = [];
  const deps = Object.keys(pkg.dependencies ?? {});
  if (deps.length > 0) {
    // Installed outside /app (the bind mount hides /app); NODE_PATH lets require() find them.
    contextFiles.push('package.json');
    if (await isFile(path.join(dir, 'package-lock.json'))) contextFiles.push('package-lock.json');
    const failed = `echo "${DEPS_FAILED_MARKER}: npm could not install the dependencies" >&2; exit 1`;
    lines.push(
      `COPY ${contextFiles.join(' ')} /opt/autodev/`,
      `RUN cd /opt/autodev && npm install --omit=dev --no-audit --no-fund || { ${failed}; }`,
    );
  }
  return generatedPlan('node', { lines, contextFiles, baseImage: base, cmd }, settings);
}
