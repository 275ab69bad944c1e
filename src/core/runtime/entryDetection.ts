/**
 * Finds what a user would run in a workspace and ranks it: a Dockerfile, a Procfile, a package.json start script
 * or main, server.js/app.js/index.js, app.py/main.py/server.py, manage.py, WSGI/ASGI modules, a package with
 * __main__.py, go.mod main packages — at the root or in an app folder of a monorepo. One obvious candidate runs;
 * several are listed (CLI error, VS Code quick pick) and `--entry` / `autodev.runtime.entry` chooses.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AutoDevError } from '../errors';

export type EntryKind = 'dockerfile' | 'python' | 'node' | 'go';

export interface EntryCandidate {
  kind: EntryKind;
  /** Workspace-relative folder of the app ('' = the workspace root); it is what the container sees at its workdir. */
  appDir: string;
  /** Workspace-relative file that names the entry (Dockerfile, server.py, package.json, Procfile, go.mod…). */
  file: string;
  /** Command run in appDir (generated images); empty for a Dockerfile (its own CMD runs). */
  cmd: string[];
  /** Why it is a candidate, in words: `package.json "start" script`, `Procfile web process`… */
  reason: string;
  /** Higher is more obviously the app. */
  score: number;
}

/** A top candidate at least this far ahead of the next one is obvious: it runs without asking. */
export const OBVIOUS_MARGIN = 10;
/** Folders never searched for apps: dependencies, builds, VCS and editor state, tests and docs. */
const SKIPPED_DIRS = new Set([
  'node_modules', '.git', '.venv', 'venv', 'env', '__pycache__', 'dist', 'build', 'out', 'target', 'coverage', 'vendor',
  'test', 'tests', '__tests__', 'spec', 'docs', 'doc', '.github', '.vscode', '.idea', 'site-packages', 'bin', 'obj',
]);
/** How far below the root an app folder may sit (`api/`, `services/api/`). */
const MAX_DEPTH = 2;
/** Per level below the root: a nested app is less obviously "the" app than one at the root. */
const DEPTH_PENALTY = 40;
/** Another entry of the same language in the same folder is an alternative, not a rival. */
const ALTERNATIVE_PENALTY = 15;

const PY_NAMES: Record<string, number> = { 'app.py': 85, 'main.py': 84, 'server.py': 83, 'run.py': 82, 'wsgi.py': 81, 'asgi.py': 81 };
const JS_NAMES: Record<string, number> = { 'server.js': 85, 'app.js': 84, 'index.js': 83, 'main.js': 82 };
/** Names of binaries that belong to build tools (installed as devDependencies, run by a start script). */
const DEV_TOOL_BINS = ['tsc', 'webpack', 'vite', 'ts-node', 'tsx', 'nodemon', 'babel', 'babel-node', 'next', 'parcel', 'rollup', 'esbuild', 'react-scripts', 'nest', 'concurrently', 'npm-run-all'];

async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

async function listDir(dir: string): Promise<{ files: string[]; dirs: string[] }> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  return {
    files: entries.filter((e) => e.isFile()).map((e) => e.name).sort(),
    dirs: entries.filter((e) => e.isDirectory()).map((e) => e.name).sort(),
  };
}

const rel = (appDir: string, name: string) => (appDir ? `${appDir}/${name}` : name);

/** The shell form of a command line (Procfile, scripts): run by /bin/sh so `$PORT` and `&&` work. */
const shell = (line: string) => ['/bin/sh', '-c', line];

export interface PackageJson {
  main?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** Whether `npm start` needs devDependencies: it (or a script it runs) calls a build tool or a dev package. */
export function startNeedsDevDependencies(pkg: PackageJson): boolean {
  const dev = Object.keys(pkg.devDependencies ?? {});
  if (dev.length === 0) return false;
  const scripts = pkg.scripts ?? {};
  const seen = new Set<string>();
  const queue = ['prestart', 'start', 'poststart'];
  const tokens: string[] = [];
  while (queue.length) {
    const name = queue.shift()!;
    if (seen.has(name) || typeof scripts[name] !== 'string') continue;
    seen.add(name);
    for (const t of scripts[name].split(/[\s;&|()]+/)) tokens.push(t);
    for (const m of scripts[name].matchAll(/\bnpm\s+run(?:-script)?\s+([\w:.-]+)/g)) queue.push(m[1], `pre${m[1]}`);
  }
  return tokens.some((t) => dev.includes(t) || (DEV_TOOL_BINS.includes(t) && dev.length > 0));
}

/** The candidates of one folder (not its subfolders), with scores as if it were the root. */
async function candidatesIn(root: string, appDir: string): Promise<EntryCandidate[]> {
  const dir = path.join(root, appDir);
  const { files, dirs } = await listDir(dir);
  const out: EntryCandidate[] = [];
  const add = (c: Omit<EntryCandidate, 'appDir'>) => out.push({ ...c, appDir });

  if (files.includes('Dockerfile')) add({ kind: 'dockerfile', file: rel(appDir, 'Dockerfile'), cmd: [], reason: 'its own Dockerfile', score: 110 });

  const procfile = files.includes('Procfile') ? await readText(path.join(dir, 'Procfile')) : undefined;
  const web = procfile && /^web:\s*(.+)$/m.exec(procfile)?.[1]?.trim();
  if (web) {
    const kind: EntryKind = /\b(node|npm|yarn|npx)\b/.test(web) ? 'node' : 'python';
    add({ kind, file: rel(appDir, 'Procfile'), cmd: shell(web), reason: `Procfile web process (${web})`, score: 95 });
  }

  // Node: package.json start, else its main, else a conventional file name.
  let nodeNamed = false;
  const pkgText = files.includes('package.json') ? await readText(path.join(dir, 'package.json')) : undefined;
  if (pkgText !== undefined) {
    let pkg: PackageJson | undefined;
    try {
      pkg = JSON.parse(pkgText) as PackageJson;
    } catch {
      pkg = undefined; // an unreadable package.json names nothing; its files may still be candidates
    }
    const start = typeof pkg?.scripts?.start === 'string' ? pkg.scripts.start.trim() : '';
    if (start) {
      // A plain `node file.js` runs directly (no npm wrapper lines around the crash); anything else through npm.
      const direct = /^node\s+([\w./-]+)$/.exec(start);
      add({ kind: 'node', file: rel(appDir, 'package.json'), cmd: direct ? ['node', direct[1]] : ['npm', 'start'], reason: `package.json "start" script (${start})`, score: 90 });
      nodeNamed = true;
    } else if (typeof pkg?.main === 'string' && pkg.main.trim()) {
      const main = path.posix.normalize(pkg.main.trim().replace(/\\/g, '/'));
      const inside = !main.startsWith('..') && !path.posix.isAbsolute(main);
      if (inside && (await fs.stat(path.join(dir, main)).then((s) => s.isFile(), () => false))) {
        add({ kind: 'node', file: rel(appDir, main), cmd: ['node', main], reason: 'package.json "main"', score: 86 });
        nodeNamed = true;
      }
    }
  }
  for (const [name, score] of Object.entries(JS_NAMES)) {
    if (!files.includes(name) || out.some((c) => c.file === rel(appDir, name))) continue;
    add({ kind: 'node', file: rel(appDir, name), cmd: ['node', name], reason: name, score: nodeNamed ? score - ALTERNATIVE_PENALTY : score });
  }

  // Python: manage.py (Django), conventional names, WSGI/ASGI modules, packages with __main__.py, scripts.
  if (files.includes('manage.py')) {
    add({ kind: 'python', file: rel(appDir, 'manage.py'), cmd: ['python3', 'manage.py', 'runserver', '0.0.0.0:8000', '--noreload'], reason: 'Django manage.py runserver', score: 88 });
  }
  const pyFiles = files.filter((f) => f.endsWith('.py') && f !== 'manage.py' && f !== 'setup.py' && !/^(test_|conftest)/.test(f));
  const texts = new Map<string, string>();
  for (const f of pyFiles) texts.set(f, (await readText(path.join(dir, f)))?.slice(0, 200_000) ?? '');
  for (const f of pyFiles) {
    const text = texts.get(f)!;
    const main = /^if\s+__name__\s*==\s*["']__main__["']\s*:/m.test(text);
    const asgi = /^(\w+)\s*=\s*(?:fastapi\.)?(FastAPI|Starlette|Quart)\(/m.exec(text);
    const wsgi = /^(\w+)\s*=\s*(?:flask\.)?(Flask)\(/m.exec(text);
    const named = PY_NAMES[f];
    const module = f.slice(0, -3);
    if (named !== undefined && (main || (!asgi && !wsgi))) {
      add({ kind: 'python', file: rel(appDir, f), cmd: ['python3', f], reason: f, score: named });
    } else if (main) {
      add({ kind: 'python', file: rel(appDir, f), cmd: ['python3', f], reason: `${f} (runs as a script)`, score: asgi || wsgi ? 80 : 60 });
    } else if (asgi) {
      add({ kind: 'python', file: rel(appDir, f), cmd: ['python3', '-m', 'uvicorn', `${module}:${asgi[1]}`, '--host', '0.0.0.0', '--port', '8000'], reason: `ASGI app ${module}:${asgi[1]} (${asgi[2]})`, score: 80 });
    } else if (wsgi) {
      add({ kind: 'python', file: rel(appDir, f), cmd: ['python3', '-m', 'flask', '--app', `${module}:${wsgi[1]}`, 'run', '--host', '0.0.0.0', '--port', '8000'], reason: `WSGI app ${module}:${wsgi[1]} (Flask)`, score: 80 });
    }
  }
  for (const d of dirs) {
    if (!/^[A-Za-z_]\w*$/.test(d) || SKIPPED_DIRS.has(d)) continue;
    if (files.length + dirs.length > 0 && (await readText(path.join(dir, d, '__main__.py'))) !== undefined) {
      add({ kind: 'python', file: rel(appDir, `${d}/__main__.py`), cmd: ['python3', '-m', d], reason: `package ${d} (python -m ${d})`, score: 79 });
    }
  }

  // Go: main packages of the module (root, cmd/<name>).
  if (files.includes('go.mod')) {
    const mains: string[] = [];
    if (await hasGoMain(dir)) mains.push('.');
    const cmdDirs = (await listDir(path.join(dir, 'cmd'))).dirs;
    for (const c of cmdDirs) if (await hasGoMain(path.join(dir, 'cmd', c))) mains.push(`./cmd/${c}`);
    for (const m of mains) {
      add({ kind: 'go', file: rel(appDir, m === '.' ? 'go.mod' : `${m.slice(2)}/main.go`), cmd: ['go', 'run', m], reason: `Go main package ${m}`, score: m === '.' ? 85 : 84 });
    }
  }

  // The best entry of each language in a folder is its candidate; the others are alternatives (--entry).
  const best = new Map<EntryKind, number>();
  for (const c of out) best.set(c.kind, Math.max(best.get(c.kind) ?? -Infinity, c.score));
  return out.map((c) => (c.score < best.get(c.kind)! ? { ...c, score: Math.min(c.score, best.get(c.kind)! - ALTERNATIVE_PENALTY) } : c));
}

async function hasGoMain(dir: string): Promise<boolean> {
  const { files } = await listDir(dir);
  for (const f of files) {
    if (!f.endsWith('.go') || f.endsWith('_test.go')) continue;
    if (/^package\s+main\b/m.test((await readText(path.join(dir, f))) ?? '')) return true;
  }
  return false;
}

/** Every candidate in the workspace, best first (root apps before nested ones, then by score and path). */
export async function detectEntries(workspaceDir: string): Promise<EntryCandidate[]> {
  const root = path.resolve(workspaceDir);
  const all: EntryCandidate[] = [];
  const walk = async (appDir: string, depth: number): Promise<void> => {
    const found = await candidatesIn(root, appDir);
    all.push(...found.map((c) => ({ ...c, score: c.score - depth * DEPTH_PENALTY })));
    // A folder that is an app (its own Dockerfile or package.json start) owns its subfolders.
    if (depth >= MAX_DEPTH || found.some((c) => c.score >= 90)) return;
    for (const d of (await listDir(path.join(root, appDir))).dirs) {
      if (d.startsWith('.') || SKIPPED_DIRS.has(d.toLowerCase())) continue;
      await walk(rel(appDir, d), depth + 1);
    }
  };
  await walk('', 0);
  return all.sort((a, b) => b.score - a.score || a.file.localeCompare(b.file));
}

/** The candidate to run without asking, or undefined when none or several are about as likely. */
export function obviousEntry(candidates: readonly EntryCandidate[]): EntryCandidate | undefined {
  const [first, second] = candidates;
  if (!first) return undefined;
  if (!second || first.score - second.score >= OBVIOUS_MARGIN) return first;
  return undefined;
}

/** One line per candidate, as the CLI lists them and the quick pick describes them. */
export function describeEntry(c: EntryCandidate): string {
  return `${c.file} — ${c.reason}${c.appDir ? ` (app folder ${c.appDir}/)` : ''}`;
}

/**
 * Resolves `--entry` / `autodev.runtime.entry` (a workspace-relative file or folder) to a candidate: a candidate
 * with that file, the best one in that folder, or — for a file no rule picked — a command built from its type.
 */
export async function entryFromChoice(workspaceDir: string, choice: string, candidates?: readonly EntryCandidate[]): Promise<EntryCandidate> {
  const root = path.resolve(workspaceDir);
  const wanted = path.posix.normalize(choice.trim().replace(/\\/g, '/')).replace(/^\.\/|\/+$/g, '');
  const abs = path.resolve(root, wanted);
  if (wanted.startsWith('../') || wanted === '..' || path.isAbsolute(wanted) || !(abs === root || abs.startsWith(root + path.sep))) {
    throw new AutoDevError('Usage', `The entry "${choice}" is outside the workspace: give a path relative to ${root}.`);
  }
  const stat = await fs.stat(abs).catch(() => undefined);
  if (!stat) throw new AutoDevError('NoAppFound', `The entry "${choice}" does not exist in ${root}.`);
  const all = candidates ?? (await detectEntries(root));
  const relPath = wanted === '.' ? '' : wanted;
  if (stat.isDirectory()) {
    const inFolder = (await candidatesIn(root, relPath)).sort((a, b) => b.score - a.score);
    if (inFolder[0]) return inFolder[0];
    throw new AutoDevError('NoAppFound', `No app found in ${relPath || 'the workspace root'}: no Dockerfile, package.json start, Python or Go entry there.`);
  }
  const known = all.find((c) => c.file === relPath) ?? (await candidatesIn(root, path.posix.dirname(relPath) === '.' ? '' : path.posix.dirname(relPath))).find((c) => c.file === relPath);
  if (known) return known;
  const appDir = path.posix.dirname(relPath) === '.' ? '' : path.posix.dirname(relPath);
  const name = path.posix.basename(relPath);
  if (name === 'Dockerfile' || name.endsWith('.Dockerfile')) return { kind: 'dockerfile', appDir, file: relPath, cmd: [], reason: 'Dockerfile (chosen)', score: 0 };
  if (name.endsWith('.py')) return { kind: 'python', appDir, file: relPath, cmd: ['python3', name], reason: `${name} (chosen)`, score: 0 };
  if (/\.(c|m)?js$/.test(name)) return { kind: 'node', appDir, file: relPath, cmd: ['node', name], reason: `${name} (chosen)`, score: 0 };
  if (name.endsWith('.go')) return { kind: 'go', appDir, file: relPath, cmd: ['go', 'run', name], reason: `${name} (chosen)`, score: 0 };
  throw new AutoDevError('Usage', `AutoDev does not know how to run "${choice}": choose a Dockerfile, a .py, .js or .go file, or an app folder.`);
}

/**
 * The entry to run: the chosen one, else the obvious candidate. Throws NoAppFound when there is none and
 * AmbiguousEntry (listing every candidate and the flag/setting to pass) when several are about as likely.
 */
export async function chooseEntry(workspaceDir: string, choice?: string): Promise<EntryCandidate> {
  const candidates = await detectEntries(workspaceDir);
  if (choice && choice.trim()) return entryFromChoice(workspaceDir, choice, candidates);
  const obvious = obviousEntry(candidates);
  if (obvious) return obvious;
  if (candidates.length === 0) {
    throw new AutoDevError(
      'NoAppFound',
      `No app found in ${path.resolve(workspaceDir)}: expected a Dockerfile, a Procfile, a package.json with "start" or "main", ` +
        `server.js/app.js/index.js, app.py/main.py/server.py/manage.py, a Flask/FastAPI module, a package with __main__.py ` +
        `or a Go main package (at the root or in an app folder). Choose a file with --entry PATH (VS Code: autodev.runtime.entry).`,
    );
  }
  const shown = candidates.slice(0, 8);
  throw new AutoDevError(
    'AmbiguousEntry',
    `Several apps could run in ${path.resolve(workspaceDir)}; choose one with --entry PATH (VS Code: autodev.runtime.entry):\n` +
      shown.map((c) => `  --entry ${c.file}    ${describeEntry(c)}`).join('\n') +
      (candidates.length > shown.length ? `\n  … and ${candidates.length - shown.length} more` : ''),
  );
}
