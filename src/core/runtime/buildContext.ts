/**
 * The build context: a streamed tar of the workspace honouring `.dockerignore` (Docker's rules: last match wins,
 * `!` re-includes, `**` spans directories, an excluded directory excludes its contents) and always skipping
 * `.git`, `node_modules` and `.venv`. A generated Dockerfile is appended as an extra entry.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import * as tar from 'tar-fs';

/** Never sent to the daemon: large, machine-specific, or secret-bearing. */
export const ALWAYS_SKIPPED = ['.git', 'node_modules', '.venv'];

interface IgnoreRule {
  negate: boolean;
  regex: RegExp;
}

/** Compiles `.dockerignore` text into a predicate over slash-separated context-relative paths. */
export function dockerignoreMatcher(text: string): (relPath: string) => boolean {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1).trim();
    line = path.posix.normalize(line.replace(/\\/g, '/')).replace(/^\/+|\/+$/g, '');
    if (!line || line === '.') continue;
    rules.push({ negate, regex: patternToRegex(line) });
  }
  return (relPath: string) => {
    // A path is excluded when it or one of its parent directories matches (moby's fileutils.PatternMatcher).
    const parts = relPath.split('/');
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const rule of rules) {
      if (prefixes.some((p) => rule.regex.test(p))) excluded = !rule.negate;
    }
    return excluded;
  };
}

function patternToRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close === -1) re += '\\[';
      else {
        re += '[' + pattern.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp('^' + re + '$');
}

export interface BuildContextOptions {
  /** Only these workspace-relative files (generated images need just their dependency manifests). */
  onlyFiles?: string[];
  /** Extra in-memory file added at the root of the context (the generated Dockerfile). */
  extraFile?: { name: string; content: string };
}

/**
 * The predicate `docker build` applies to `dir`'s files (absolute paths): `.dockerignore` plus ALWAYS_SKIPPED.
 * Also what a remote engine receives as the app's source, so both see the same files.
 */
export async function contextIgnore(dir: string): Promise<(absPath: string) => boolean> {
  const ignoreText = await fs.readFile(path.join(dir, '.dockerignore'), 'utf8').catch(() => '');
  const ignored = dockerignoreMatcher(ignoreText);
  const root = path.resolve(dir);
  return (name: string) => {
    const rel = path.relative(root, name).split(path.sep).join('/');
    if (!rel || rel.startsWith('..')) return false;
    if (rel.split('/').some((part) => ALWAYS_SKIPPED.includes(part))) return true;
    // The Dockerfile and .dockerignore always reach the daemon, as with `docker build`.
    if (rel === 'Dockerfile' || rel === '.dockerignore') return false;
    return ignored(rel);
  };
}

/** Packs `dir` as a tar stream (streamed from disk, never buffered whole). */
export async function packBuildContext(dir: string, opts: BuildContextOptions = {}): Promise<Readable> {
  const root = path.resolve(dir);
  return tar.pack(root, {
    entries: opts.onlyFiles,
    ignore: await contextIgnore(root),
    finalize: !opts.extraFile,
    finish: opts.extraFile
      ? (pack) => {
          const { name, content } = opts.extraFile!;
          pack.entry({ name, mode: 0o644 }, content);
          pack.finalize();
        }
      : undefined,
  }) as unknown as Readable;
}
