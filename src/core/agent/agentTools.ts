/**
 * The tools offered to the model (read_file, list_files, edit_file, write_file, finish) and their execution
 * against an in-memory overlay of the workspace: edits are staged, nothing is written to disk.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { AutoDevError, isAutoDevError } from '../errors';
import type { ToolDefinition } from './llmProvider';
import type { PatchFile } from '../patch/pendingPatch';
import { checkRelativePath, resolveWorkspacePath, type PathUse } from '../patch/pathPolicy';
import { REDACTION_MARKER, type SecretMasker } from '../privacy/secretMasker';

/** Files larger than this are not read or written through the tools. */
export const MAX_FILE_BYTES = 256 * 1024;
const MAX_LIST_ENTRIES = 200;
/** Never shown in listings: large, generated or secret. */
const HIDDEN_IN_LISTINGS = new Set(['.git', 'node_modules', '__pycache__', '.venv', 'venv', '.mypy_cache', '.pytest_cache', '.tox', 'dist', 'build', '.next']);

const str = (description: string) => ({ type: 'string', description });

/** JSON-schema function definitions, exactly the contract: no shell, nothing else. */
export const AGENT_TOOLS: ToolDefinition[] = [
  {
    name: 'read_file',
    description: 'Read a text file of the workspace. Returns its full text (secrets are masked).',
    parameters: { type: 'object', properties: { path: str('Workspace-relative path, e.g. "app.py" or "src/server.js".') }, required: ['path'], additionalProperties: false },
  },
  {
    name: 'list_files',
    description: 'List the entries of a workspace directory (directories end with "/").',
    parameters: { type: 'object', properties: { path: str('Workspace-relative directory; "." is the workspace root.') }, required: ['path'], additionalProperties: false },
  },
  {
    name: 'edit_file',
    description:
      'Replace old_text with new_text in a file. old_text must occur exactly once in the file (copy it exactly, including indentation); include enough surrounding lines to make it unique.',
    parameters: {
      type: 'object',
      properties: { path: str('Workspace-relative path.'), old_text: str('Exact text to replace; must match once.'), new_text: str('Replacement text.') },
      required: ['path', 'old_text', 'new_text'],
      additionalProperties: false,
    },
  },
  {
    name: 'write_file',
    description: 'Create a file, or replace the whole content of a file. Prefer edit_file for changes to existing files.',
    parameters: { type: 'object', properties: { path: str('Workspace-relative path.'), content: str('The complete new content.') }, required: ['path', 'content'], additionalProperties: false },
  },
  {
    name: 'finish',
    description: 'Call when the fix is complete (or when you cannot fix it). The summary explains the root cause and the change.',
    parameters: { type: 'object', properties: { summary: str('Root cause and the fix, in one or two sentences.') }, required: ['summary'], additionalProperties: false },
  },
];

export const AGENT_TOOL_NAMES = AGENT_TOOLS.map((t) => t.name);

export interface ToolExecution {
  ok: boolean;
  /** What the model sees (already redacted). */
  content: string;
  /** Set when the model called finish. */
  finished?: { summary: string };
  /** A file (and line range) whose text went into the result, for the ledger. */
  file?: { path: string; lines: [number, number] };
  /** kind → count masked in this result. */
  redactions?: Partial<Record<string, number>>;
  /** True when the path policy refused the call. */
  refused?: boolean;
}

interface Staged {
  original: string | null;
  current: string;
}

const countLines = (text: string) => (text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0));

function countOccurrences(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) n++;
  return n;
}

/** Executes tool calls for one fix attempt; owns the staged edits. */
export class AgentToolSession {
  private readonly staged = new Map<string, Staged>();
  /** Bumped on every staged change, so re-reading a changed file is not mistaken for a loop. */
  version = 0;

  constructor(
    private readonly workspaceDir: string,
    private readonly masker: SecretMasker,
  ) {}

  /** The staged changes, in the order first touched. */
  files(): PatchFile[] {
    return [...this.staged.entries()].filter(([, s]) => s.original !== s.current).map(([p, s]) => ({ path: p, original: s.original, patched: s.current }));
  }

  /** Runs one call. Never throws for bad input from the model: every problem becomes a result the model sees. */
  execute(name: string, rawArgs: string): ToolExecution {
    let args: Record<string, unknown>;
    try {
      const parsed: unknown = rawArgs.trim() === '' ? {} : JSON.parse(rawArgs);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('arguments must be a JSON object');
      args = parsed as Record<string, unknown>;
    } catch (err) {
      return { ok: false, content: `error: the arguments of ${name} are not valid JSON (${(err as Error).message}). Send a JSON object such as {"path": "app.py"}.` };
    }
    try {
      switch (name) {
        case 'read_file':
          return this.readFile(needString(args, 'path'));
        case 'list_files':
          return this.listFiles(typeof args.path === 'string' && args.path ? args.path : '.');
        case 'edit_file':
          return this.editFile(needString(args, 'path'), needString(args, 'old_text', true), needString(args, 'new_text', true));
        case 'write_file':
          return this.writeFile(needString(args, 'path'), needString(args, 'content', true));
        case 'finish':
          return { ok: true, content: 'finished', finished: { summary: typeof args.summary === 'string' ? args.summary : '' } };
        default:
          return { ok: false, content: `error: unknown tool "${name}". The tools are: ${AGENT_TOOL_NAMES.join(', ')}. There is no shell.` };
      }
    } catch (err) {
      if (isAutoDevError(err, 'PathRefused')) return { ok: false, refused: true, content: `error: ${err.message}. Use workspace-relative paths of the app's own source files.` };
      if (isAutoDevError(err, 'Usage')) return { ok: false, content: `error: ${err.message}` };
      return { ok: false, content: `error: ${name} failed: ${(err as Error).message}` };
    }
  }

  /** Current text of a workspace file (staged edits win); null when it does not exist. */
  private load(rel: string, use: PathUse = {}): { abs: string; rel: string; text: string | null } {
    const abs = resolveWorkspacePath(this.workspaceDir, rel, use);
    const key = checkRelativePath(rel);
    const s = this.staged.get(key);
    if (s) return { abs, rel: key, text: s.current };
    let st;
    try {
      st = statSync(abs);
    } catch {
      return { abs, rel: key, text: null };
    }
    if (st.isDirectory()) throw new AutoDevError('Usage', `${key} is a directory; use list_files`);
    // A FIFO or device would block the read forever (no step may hang): regular files only.
    if (!st.isFile()) throw new AutoDevError('Usage', `${key} is not a regular file`);
    if (st.size > MAX_FILE_BYTES) throw new AutoDevError('Usage', `${key} is ${st.size} bytes, over the ${MAX_FILE_BYTES}-byte limit for the tools`);
    const buf = readFileSync(abs);
    if (buf.includes(0)) throw new AutoDevError('Usage', `${key} is a binary file`);
    return { abs, rel: key, text: buf.toString('utf8') };
  }

  private readFile(rel: string): ToolExecution {
    const f = this.load(rel);
    if (f.text === null) return { ok: false, content: `error: ${f.rel} does not exist. Use list_files to see what there is.` };
    const r = this.masker.mask(f.text);
    return { ok: true, content: r.text, file: { path: f.rel, lines: [1, Math.max(1, countLines(f.text))] }, redactions: r.counts };
  }

  private listFiles(rel: string): ToolExecution {
    const key = checkRelativePath(rel);
    const abs = resolveWorkspacePath(this.workspaceDir, rel);
    let entries: string[] = [];
    const prefix = key === '.' ? '' : key + '/';
    const stagedHere = [...this.staged.entries()].some(([p, st]) => st.original === null && p.startsWith(prefix));
    try {
      entries = readdirSync(abs, { withFileTypes: true })
        .filter((e) => !HIDDEN_IN_LISTINGS.has(e.name) && !e.name.toLowerCase().startsWith('.env'))
        .map((e) => (e.isDirectory() ? e.name + '/' : e.name));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !stagedHere) return { ok: false, content: `error: ${key} does not exist` };
      if (code === 'ENOTDIR') return { ok: false, content: `error: ${key} is a file; use read_file` };
      if (code !== 'ENOENT') throw err;
    }
    // Files created by staged edits show up too (and the directories holding them).
    for (const [p, st] of this.staged) {
      if (st.original !== null || !p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length);
      entries.push(rest.includes('/') ? rest.slice(0, rest.indexOf('/') + 1) : rest);
    }
    entries = [...new Set(entries)].sort();
    const shown = entries.slice(0, MAX_LIST_ENTRIES);
    const more = entries.length > shown.length ? `\n… and ${entries.length - shown.length} more` : '';
    const r = this.masker.mask(shown.join('\n') + more);
    return { ok: true, content: r.text || '(empty directory)', redactions: r.counts };
  }

  private editFile(rel: string, oldText: string, newText: string): ToolExecution {
    const f = this.load(rel, { write: true });
    if (f.text === null) return { ok: false, content: `error: ${f.rel} does not exist; use write_file to create it` };
    if (oldText === '') return { ok: false, content: 'error: old_text is empty; copy the exact text to replace from the file' };
    if (oldText.includes(REDACTION_MARKER) || newText.includes(REDACTION_MARKER)) {
      return { ok: false, content: 'error: the text contains a masked secret ([REDACTED…]); secrets cannot be edited through the tools. Edit other lines.' };
    }
    const n = countOccurrences(f.text, oldText);
    if (n === 0) {
      // Models often drift on trailing whitespace or CRLF; say so rather than just "not found".
      const hint = f.text.includes('\r\n') ? ' (the file uses CRLF line endings)' : '';
      return { ok: false, content: `error: old_text matched 0 times in ${f.rel}${hint}. Read the file again and copy the text exactly.` };
    }
    if (n > 1) return { ok: false, content: `error: old_text matched ${n} times in ${f.rel}; include more surrounding lines so it matches exactly once.` };
    const updated = f.text.replace(oldText, () => newText);
    if (Buffer.byteLength(updated) > MAX_FILE_BYTES) return { ok: false, content: `error: the edited file would exceed ${MAX_FILE_BYTES} bytes` };
    this.stage(f.rel, f.text, updated);
    const line = f.text.slice(0, f.text.indexOf(oldText)).split('\n').length;
    return { ok: true, content: `edited ${f.rel} at line ${line} (staged; not yet written)` };
  }

  private writeFile(rel: string, content: string): ToolExecution {
    if (content.includes(REDACTION_MARKER)) {
      return { ok: false, content: 'error: the content contains a masked secret ([REDACTED…]); write files without secrets, or use edit_file on other lines.' };
    }
    if (Buffer.byteLength(content) > MAX_FILE_BYTES) return { ok: false, content: `error: content exceeds ${MAX_FILE_BYTES} bytes` };
    const f = this.load(rel, { write: true });
    this.stage(f.rel, f.text, content);
    return { ok: true, content: `${f.text === null ? 'created' : 'rewrote'} ${f.rel} (staged; not yet written)` };
  }

  private stage(rel: string, before: string | null, after: string): void {
    const s = this.staged.get(rel);
    if (s) s.current = after;
    else this.staged.set(rel, { original: before, current: after });
    this.version++;
  }
}

function needString(args: Record<string, unknown>, key: string, allowEmpty = false): string {
  const v = args[key];
  if (typeof v !== 'string' || (!allowEmpty && v.trim() === '')) {
    throw new AutoDevError('Usage', `missing or non-string argument "${key}"`);
  }
  return v;
}

/** Stable form of call arguments for loop detection (key order does not matter). */
export function canonicalArgs(raw: string): string {
  try {
    return JSON.stringify(sortKeys(JSON.parse(raw)));
  } catch {
    return raw.trim();
  }
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

/** Short workspace listing for the first message: top level plus one level down, capped. */
export function workspaceListing(workspaceDir: string, max = 60): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    } catch {
      return;
    }
    for (const e of entries) {
      if (out.length >= max) return;
      if (HIDDEN_IN_LISTINGS.has(e.name) || e.name.startsWith('.')) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        out.push(r + '/');
        if (depth < 1) walk(path.join(dir, e.name), r, depth + 1);
      } else out.push(r);
    }
  };
  walk(workspaceDir, '', 0);
  return out;
}
