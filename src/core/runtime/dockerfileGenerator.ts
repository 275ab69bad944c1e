/**
 * Decides how to build a workspace: its own Dockerfile, or a generated one for Python or Node. Generated images
 * hold only the base image, the declared dependencies and the run command; the source is bind-mounted at /app.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AutoDevError } from '../errors';
import type { AppKind, RuntimeSettings } from './containerRuntime';
import { chooseEntry, startNeedsDevDependencies, type EntryCandidate, type PackageJson } from './entryDetection';

/** Port a generated image announces through `PORT` and `EXPOSE` (apps that read PORT listen there). */
export const GENERATED_PORTS: Record<'python' | 'node' | 'go', number> = { python: 8000, node: 3000, go: 8080 };
/** Where generated images install Node dependencies: outside /app, which the bind mount hides. */
export const NODE_DEPS_DIR = '/opt/autodev/node_modules';
/** Printed by a generated build when installing dependencies fails, so the error can say why. */
export const DEPS_FAILED_MARKER = 'AUTODEV_DEPENDENCY_INSTALL_FAILED';
/** Printed by a generated build when the base image lacks the package manager the app needs. */
export const NO_PACKAGE_MANAGER_MARKER = 'AUTODEV_NO_PACKAGE_MANAGER';
/** Toolchain image for Go apps without a Dockerfile. */
export const DEFAULT_GO_IMAGE = 'golang:1.22';
/** Name of the generated Dockerfile inside the build context (never clashes with a user file). */
export const GENERATED_DOCKERFILE = '.autodev.Dockerfile';

export interface BuildPlan {
  kind: AppKind;
  /** The entry that runs (how it was found, which folder is the app). */
  entry: EntryCandidate;
  /** Workspace-relative app folder: the build context, and what is mounted at `workdir`. */
  appDir: string;
  /** Whether the source is bind-mounted at `workdir` (else the image owns its files and a fix is a rebuild). */
  mountSource: boolean;
  /** Plain words to show with the build (no pip in the base image, rebuild instead of mount…). */
  notes: string[];
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
  /**
   * Whether mounting the source over WORKDIR shows the container the same files the image has: the final stage
   * copies the whole context verbatim into WORKDIR, builds nothing into it, and runs an interpreter on the source.
   */
  sourceMountable: boolean;
  /** Why not, in words, when it is not. */
  mountBlocker?: string;
}

/** Programs that run source files as they are (a mounted edit takes effect on restart). */
const INTERPRETERS = /^(?:python\d?(?:\.\d+)?|node|nodejs|npm|npx|yarn|ruby|php|perl|bash|sh|deno|bun|uvicorn|gunicorn|flask|nodemon|tsx|ts-node|rackup|rails|bundle)$/;
/** RUN steps that install into system locations (site-packages, apt), never into WORKDIR. */
const INSTALLS_ELSEWHERE = /^(?:(?:python\d?(?:\.\d+)?\s+-m\s+)?pip3?\s+install\b(?![^&;|]*\s-e\s)(?![^&;|]*\s\.(?:\s|$))|apt-get\b|apk\b|useradd\b|adduser\b|groupadd\b|addgroup\b|mkdir\b|chown\b|chmod\b)/;

/** The program a command runs (`/bin/sh -c "exec python app.py"` → python). */
function commandProgram(cmd: string[]): string | undefined {
  let words = cmd;
  if (words.length >= 3 && /(?:^|\/)(?:ba)?sh$/.test(words[0]) && words[1] === '-c') words = words[2].trim().split(/\s+/);
  while (words.length && /^(?:exec|tini|--|dumb-init|\/usr\/bin\/env|env)$/.test(path.posix.basename(words[0]))) words = words.slice(1);
  return words[0] ? path.posix.basename(words[0]) : undefined;
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
  /** Final stage: WORKDIR at each COPY of the whole context, and RUNs after the first WORKDIR (with the dir). */
  let contextCopies: string[] = [];
  let runs: { dir: string; text: string }[] = [];
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
        contextCopies = [];
        runs = [];
        break;
      }
      case 'COPY':
      case 'ADD': {
        const words = rest.trim().split(/\s+/);
        if (words.some((w) => /^--from=/i.test(w))) break;
        const args = words.filter((w) => !w.startsWith('--'));
        if (args.length < 2) break;
        const dest = args[args.length - 1].replace(/^["']|["']$/g, '');
        const sources = args.slice(0, -1).map((a) => a.replace(/^["']|["']$/g, ''));
        if (sources.length === 1 && /^\.\/?$/.test(sources[0])) {
          contextCopies.push(path.posix.normalize(path.posix.isAbsolute(dest) ? dest : path.posix.join(workdir ?? '/', dest)).replace(/(.)\/$/, '$1'));
        }
        break;
      }
      case 'RUN':
        runs.push({ dir: workdir ?? '/', text: rest.trim() });
        break;
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
  const fullCmd = [...entrypoint, ...cmd];
  const finalDir = workdir && workdir !== '/' ? workdir : '/app';
  let mountBlocker: string | undefined;
  if (!contextCopies.includes(finalDir)) mountBlocker = `its final stage does not copy the source verbatim into ${finalDir}`;
  else if (runs.some((r) => !r.text.split(/\s*(?:&&|;)\s*/).every((part) => INSTALLS_ELSEWHERE.test(part)))) mountBlocker = 'its final stage runs build steps that may write into the image';
  else if (!INTERPRETERS.test(commandProgram(fullCmd) ?? '')) mountBlocker = `its command (${fullCmd.join(' ') || 'none'}) does not run an interpreter on the source`;
  return { workdir, exposed: [...new Set(exposed)], cmd: fullCmd, baseImages, sourceMountable: !mountBlocker, ...(mountBlocker ? { mountBlocker } : {}) };
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

/** What planning may ask the engine: whether a base image has pip (the offline images do not). */
export interface PlanProbe {
  hasPip(image: string): Promise<boolean>;
}

/**
 * Plans the build of `dir`: the entry chosen by `settings.entry`, else the obvious one (see entryDetection) — its
 * Dockerfile, or a generated image for Python, Node or Go. Throws NoAppFound when nothing is recognised and
 * AmbiguousEntry when several apps are about as likely.
 */
export async function planBuild(dir: string, settings: RuntimeSettings, probe?: PlanProbe): Promise<BuildPlan> {
  const entry = await chooseEntry(dir, settings.entry);
  const appRoot = path.join(dir, entry.appDir);
  if (entry.kind === 'dockerfile') {
    if (settings.imageOverride) {
      throw new AutoDevError(
        'Usage',
        `--image ${settings.imageOverride} does not apply: ${entry.file} names its own base images (FROM). ` +
          `Drop --image, or choose another entry with --entry.`,
      );
    }
    const dockerfileText = (await readText(path.join(dir, entry.file))) ?? '';
    const facts = parseDockerfile(dockerfileText);
    // Without a WORKDIR the image runs from /, which cannot be a mount point; /app is the convention.
    const workdir = facts.workdir && facts.workdir !== '/' ? facts.workdir : '/app';
    return {
      kind: 'dockerfile',
      entry,
      appDir: entry.appDir,
      dockerfile: dockerfileText,
      dockerfileName: path.posix.basename(entry.file),
      fromImages: facts.baseImages,
      workdir,
      mountSource: facts.sourceMountable,
      ports: uniquePorts([...(settings.port ? [settings.port] : []), ...facts.exposed, ...settings.ports]),
      cmd: facts.cmd,
      notes: facts.sourceMountable
        ? []
        : [`${entry.file} builds the app into its image (${facts.mountBlocker}): a fix is applied by rebuilding the image (layer cache), not through a source mount.`],
    };
  }
  if (entry.kind === 'python') return planPython(appRoot, entry, settings, probe);
  if (entry.kind === 'node') return planNode(appRoot, entry, settings);
  return planGo(entry, settings);
}

function uniquePorts(ports: number[]): number[] {
  return [...new Set(ports.filter((p) => Number.isInteger(p) && p > 0 && p < 65536))];
}

/**
 * Ends a generated Dockerfile (EXPOSE the generated port, CMD) and wraps it in the plan that builds it; the source
 * is bind-mounted at /app, so only `contextFiles` go into the build context.
 */
function generatedPlan(
  entry: EntryCandidate,
  image: { lines: string[]; contextFiles: string[]; baseImage: string; notes?: string[] },
  settings: RuntimeSettings,
): BuildPlan {
  const kind = entry.kind as 'python' | 'node' | 'go';
  const port = settings.port ?? GENERATED_PORTS[kind];
  return {
    kind,
    entry,
    appDir: entry.appDir,
    mountSource: true,
    notes: image.notes ?? [],
    dockerfile: [...image.lines, `EXPOSE ${port}`, `CMD ${JSON.stringify(entry.cmd)}`, ''].join('\n'),
    dockerfileName: GENERATED_DOCKERFILE,
    contextFiles: image.contextFiles,
    baseImage: image.baseImage,
    workdir: '/app',
    ports: uniquePorts([port, ...settings.ports]),
    cmd: entry.cmd,
  };
}

async function planPython(appRoot: string, entry: EntryCandidate, settings: RuntimeSettings, probe?: PlanProbe): Promise<BuildPlan> {
  const requirements = requirementLines(await readText(path.join(appRoot, 'requirements.txt')));
  const pyprojectDeps = pyprojectDependencies(await readText(path.join(appRoot, 'pyproject.toml')));
  const base = settings.imageOverride ?? settings.pythonImage;
  const port = settings.port ?? GENERATED_PORTS.python;
  const lines = [
    `FROM ${base}`,
    'WORKDIR /app',
    // Unbuffered so a crash's traceback is never stuck in a buffer; no .pyc files written into the bind mount.
    `ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PORT=${port}`,
  ];
  const contextFiles: string[] = [];
  const notes: string[] = [];
  const failed = `echo "${DEPS_FAILED_MARKER}: pip could not install the Python requirements" >&2; exit 1`;
  const wanted = [...requirements, ...pyprojectDeps];
  if (wanted.length > 0 && probe && !(await probe.hasPip(base))) {
    // Say it plainly and run anyway: the app may not need every declared package (test tools, extras).
    notes.push(
      `${base} has no pip, so the declared Python packages were not installed (${wanted.slice(0, 5).join(', ')}${wanted.length > 5 ? ', …' : ''}). ` +
        `Use a base image with pip (--image python:3.12-slim, or autodev.runtime.pythonImage).`,
    );
  } else {
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
  }
  return generatedPlan(entry, { lines, contextFiles, baseImage: base, notes }, settings);
}

async function planNode(appRoot: string, entry: EntryCandidate, settings: RuntimeSettings): Promise<BuildPlan> {
  const text = await readText(path.join(appRoot, 'package.json'));
  let pkg: PackageJson = {};
  if (text !== undefined) {
    try {
      pkg = JSON.parse(text) as PackageJson;
    } catch (err) {
      throw new AutoDevError('NoAppFound', `package.json in ${appRoot} is not valid JSON: ${(err as Error).message}`);
    }
  }
  const base = settings.imageOverride ?? settings.nodeImage;
  const port = settings.port ?? GENERATED_PORTS.node;
  const withDev = entry.cmd[0] === 'npm' && startNeedsDevDependencies(pkg);
  const lines = [
    `FROM ${base}`,
    'WORKDIR /app',
    // Dependencies live outside /app (the bind mount hides /app): NODE_PATH finds them, PATH their binaries.
    `ENV NODE_ENV=${withDev ? 'development' : 'production'} PORT=${port} NODE_PATH=${NODE_DEPS_DIR} PATH=${NODE_DEPS_DIR}/.bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
  ];
  const contextFiles: string[] = [];
  const notes: string[] = [];
  const deps = [...Object.keys(pkg.dependencies ?? {}), ...(withDev ? Object.keys(pkg.devDependencies ?? {}) : [])];
  if (deps.length > 0) {
    contextFiles.push('package.json');
    if (await isFile(path.join(appRoot, 'package-lock.json'))) contextFiles.push('package-lock.json');
    const failed = `echo "${DEPS_FAILED_MARKER}: npm could not install the dependencies" >&2; exit 1`;
    if (withDev) notes.push('the start script runs build tools, so devDependencies are installed too');
    lines.push(
      `COPY ${contextFiles.join(' ')} /opt/autodev/`,
      `RUN command -v npm >/dev/null || { echo "${NO_PACKAGE_MANAGER_MARKER}: npm" >&2; exit 1; }; ` +
        `cd /opt/autodev && npm install ${withDev ? '--include=dev' : '--omit=dev'} --no-audit --no-fund || { ${failed}; }`,
    );
  }
  return generatedPlan(entry, { lines, contextFiles, baseImage: base, notes }, settings);
}

/** Go: `go run` the main package on the mounted source (the toolchain image; no offline copy exists here). */
function planGo(entry: EntryCandidate, settings: RuntimeSettings): BuildPlan {
  const base = settings.imageOverride ?? settings.goImage ?? DEFAULT_GO_IMAGE;
  const port = settings.port ?? GENERATED_PORTS.go;
  const lines = [`FROM ${base}`, 'WORKDIR /app', `ENV PORT=${port} GOFLAGS=-mod=mod GOCACHE=/tmp/go-cache GOPATH=/tmp/go`];
  const plan = generatedPlan(entry, { lines, contextFiles: [], baseImage: base }, settings);
  return plan;
}
