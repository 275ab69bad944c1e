/**
 * The built-in fixer: a deterministic LlmProvider with no network and no key. It reads the crash from the first
 * user message and answers with tool calls (read_file → edit_file/write_file → finish) through the same pipeline a
 * model uses, so path policy, staging, diffs and the ledger are exercised the same way.
 */
import type { ChatMessage, CompletionRequest, CompletionResult, LlmProvider, ToolCall } from './llmProvider';
import { parseFirstMessage, unfence } from './fixPrompt';
import { guardDivision, guardMissingKey, guardNoneAttribute, keyErrorKey, optionalChain, renameOnLine, safeLookup, type RenameKind } from './builtinFixes';
import { addNodeDependency, addRequirement, npmPackageFor, pythonPackageFor } from './dependencyManifests';
import { PYTHON_STDLIB, attributeNames, identifiers, literalKeys, localModules, nearestName, pythonSuggestion } from './nearNames';

type Assistant = Extract<ChatMessage, { role: 'assistant' }>;

/** A rewritten line, and the summary when it differs from the plan's (a rename found instead of a guard). */
type Rewrite = string | { text: string; summary: string } | null;

/** What the fixer intends after reading the crash. */
type Plan =
  | { kind: 'line'; file: string; line: number; rewrite: (line: string, ctx: { lines: string[]; index: number }) => Rewrite; summary: string; what: string }
  | { kind: 'manifest'; file: string; update: (text: string) => string | null; summary: string; already: string }
  | { kind: 'none'; reason: string };

export const NO_FIX_HINT = 'configure a model (AutoDev: Select Model / --provider openai)';

/** The label every guard's summary starts with: it stops the crash, it does not fix its cause. */
export const MASKING_LABEL = 'Masks the error (a guard, not a root-cause fix):';

const masking = (text: string) => `${MASKING_LABEL} ${text}`;

/** `text` without line `index`: the names a typo is compared with must come from the rest of the program. */
const otherLines = (lines: string[], index: number) => lines.filter((_, i) => i !== index).join('\n');

/** A rename of `from` on the failing line to the near name `pick(rest of the file)` finds, or null. */
function renameRewrite(kind: RenameKind, from: string, lang: 'python' | 'js', pick: (rest: string) => string | null, at: string, what: string) {
  return (l: string, ctx: { lines: string[]; index: number }): { text: string; summary: string } | null => {
    const to = pick(otherLines(ctx.lines, ctx.index));
    if (!to) return null;
    const text = renameOnLine(l, from, to, kind, lang);
    return text === null ? null : { text, summary: `${what} at ${at}: '${from}' is a typo of '${to}', which the program defines; renamed it.` };
  };
}

/** A line plan that renames the misspelt module `from` to `to` in the import (Python) or require (JS) on `file:line`. */
function renameImportFix(file: string, line: number, lang: 'python' | 'js', from: string, to: string, what: string, summary: string): Plan {
  return { kind: 'line', file, line, rewrite: (l) => renameOnLine(l, from, to, 'module', lang), what, summary };
}

/** The nearest name among `names`, unless `name` itself is one of them (then it is not a typo, just absent). */
const typoOf = (name: string, names: Set<string>) => (names.has(name) ? null : nearestName(name, names));

/** Decides the fix for a crash described by the first message; pure, exported for tests. */
export function planBuiltinFix(firstMessage: string): Plan {
  const c = parseFirstMessage(firstMessage);
  if (!c) return { kind: 'none', reason: `no built-in fix: the crash could not be read; ${NO_FIX_HINT}` };
  const type = c.type.replace(/^.*\./, '');
  const msg = c.message;
  const at = c.file && c.line ? `${c.file}:${c.line}` : c.file ?? 'the failing line';
  const lang: 'python' | 'js' = c.file && /\.(c|m)?[jt]sx?$/.test(c.file) ? 'js' : c.file?.endsWith('.py') || /Error$/.test(type) && /Traceback/.test(c.trace) ? 'python' : 'js';
  const suggestion = pythonSuggestion(msg);

  const pyMissing = /No module named '?([\w.]+)'?/.exec(msg);
  if ((type === 'ModuleNotFoundError' || type === 'ImportError') && pyMissing) {
    const mod = pyMissing[1];
    // A near-miss of a local module or of the standard library is a typo in the import, never a package to install.
    const local = localModules(c.listing, 'python');
    const near = nearestName(mod, local) ?? nearestName(mod, PYTHON_STDLIB);
    if (near) {
      if (!c.file || !c.line) return { kind: 'none', reason: `no built-in fix: '${mod}' looks like a typo of '${near}', but the crash does not point at the import line; ${NO_FIX_HINT}` };
      const where = local.has(near) ? 'a module of this workspace' : 'a standard-library module';
      return renameImportFix(c.file, c.line, 'python', mod, near, `the import of ${mod}`, `${type} at ${at}: the module '${mod}' does not exist; it is a typo of '${near}' (${where}): renamed the import.`);
    }
    const pkg = pythonPackageFor(mod);
    return {
      kind: 'manifest',
      file: 'requirements.txt',
      update: (text) => addRequirement(text, pkg),
      summary: `The app imports ${mod}, which is not installed: added ${pkg} to requirements.txt (ModuleNotFoundError).`,
      already: `${pkg} is already in requirements.txt; the environment needs rebuilding (pip install -r requirements.txt), not a code change`,
    };
  }
  const nodeMissing = /Cannot find (?:module|package) '([^']+)'/.exec(msg) ?? /Cannot find (?:module|package) '([^']+)'/.exec(c.trace);
  if (nodeMissing && (type === 'Error' || /MODULE_NOT_FOUND/.test(type + c.trace))) {
    const spec = nodeMissing[1];
    if (spec.startsWith('./') || spec.startsWith('../')) {
      const dir = c.file && c.file.includes('/') ? c.file.slice(0, c.file.lastIndexOf('/') + 1) : '';
      const wanted = (dir + spec.replace(/^\.\//, '')).replace(/\.(c|m)?js$/, '');
      const near = nearestName(wanted, localModules(c.listing, 'js'));
      if (near && c.file && c.line && !spec.startsWith('../')) {
        const to = `./${near.slice(dir.length)}${/\.(c|m)?js$/.exec(spec)?.[0] ?? ''}`;
        return renameImportFix(c.file, c.line, 'js', spec, to, `the require of ${spec}`, `MODULE_NOT_FOUND at ${at}: '${spec}' does not exist; it is a typo of '${to}', a module of this workspace: renamed it.`);
      }
    }
    const pkg = npmPackageFor(spec);
    if (!pkg) return { kind: 'none', reason: `no built-in fix for a missing local module '${spec}'; ${NO_FIX_HINT}` };
    return {
      kind: 'manifest',
      file: 'package.json',
      update: (text) => addNodeDependency(text, pkg),
      summary: `The app requires ${pkg}, which is not a dependency: added it to package.json dependencies (MODULE_NOT_FOUND).`,
      already: `${pkg} is already in package.json; the environment needs rebuilding (npm install), not a code change`,
    };
  }
  if (!c.file || !c.line) return { kind: 'none', reason: `no built-in fix for ${c.type}: the crash does not point at a line of a workspace file; ${NO_FIX_HINT}` };
  const file = c.file;
  const line = c.line;

  // Python names the intended identifier itself ("Did you mean: 'title'?"): that is the fix.
  const pyName = /name '(\w+)' is not defined/.exec(msg);
  const pyAttr = /has no attribute '(\w+)'/.exec(msg);
  const pyImportName = /cannot import name '(\w+)'/.exec(msg);
  if (type === 'NameError' && pyName) {
    const name = pyName[1];
    return {
      kind: 'line',
      file,
      line,
      rewrite: renameRewrite('identifier', name, 'python', (rest) => suggestion ?? typoOf(name, identifiers(rest, 'python')), at, 'NameError'),
      what: `the name ${name}`,
      summary: '',
    };
  }
  if (type === 'ImportError' && pyImportName && suggestion) {
    return { kind: 'line', file, line, rewrite: renameRewrite('identifier', pyImportName[1], 'python', () => suggestion, at, 'ImportError'), what: `the import of ${pyImportName[1]}`, summary: '' };
  }
  if (type === 'AttributeError' && pyAttr && !/'NoneType' object/.test(msg)) {
    const attr = pyAttr[1];
    return {
      kind: 'line',
      file,
      line,
      rewrite: renameRewrite('attribute', attr, 'python', (rest) => suggestion ?? typoOf(attr, attributeNames(rest, 'python')), at, 'AttributeError'),
      what: `the attribute .${attr}`,
      summary: '',
    };
  }

  if (type === 'ZeroDivisionError') {
    return {
      kind: 'line',
      file,
      line,
      rewrite: (l) => guardDivision(l),
      what: 'a division',
      summary: masking(`division by zero at ${at}: guarded the division so a zero divisor yields 0 instead of raising ZeroDivisionError. Check that 0 is the right answer for an empty input.`),
    };
  }
  if (type === 'KeyError') {
    const key = keyErrorKey(msg);
    return {
      kind: 'line',
      file,
      line,
      rewrite: (l, ctx) => {
        // A key one or two edits from a key the program writes literally is a typo: rename it.
        if (key.isString) {
          const renamed = renameRewrite('key', key.literal, lang, (rest) => typoOf(key.literal, literalKeys(rest)), at, 'KeyError')(l, ctx);
          if (renamed) return renamed;
        }
        return guardMissingKey(ctx.lines, ctx.index, msg) ?? safeLookup(l, msg);
      },
      what: `a lookup of ${msg}`,
      summary: masking(`KeyError ${msg} at ${at}: the key can be missing; the lookup is now guarded (safe lookup) instead of raising.`),
    };
  }
  const jsRead = /Cannot read propert(?:y|ies) (?:of (?:undefined|null) \(reading '([^']+)'\)|'([^']+)' of (?:undefined|null))/.exec(msg);
  if (type === 'TypeError' && jsRead) {
    const prop = jsRead[1] ?? jsRead[2];
    const col = new RegExp(`${escapeRe(file.split('/').pop() ?? file)}:${line}:(\\d+)`).exec(c.trace);
    return {
      kind: 'line',
      file,
      line,
      rewrite: (l, ctx) => {
        // `db.todo.length` where the program defines `todos`: the undefined value is a typo'd property, not a gap.
        const owner = new RegExp(`\\.([A-Za-z_$][\\w$]*)\\??\\.${escapeRe(prop)}(?![\\w$])`).exec(l);
        if (owner) {
          const renamed = renameRewrite('attribute', owner[1], 'js', (rest) => typoOf(owner[1], attributeNames(rest, 'js')), at, 'TypeError')(l, ctx);
          if (renamed) return renamed;
        }
        return optionalChain(l, prop, col ? Number(col[1]) : undefined);
      },
      what: `a read of .${prop}`,
      summary: masking(`TypeError at ${at}: the object read for '${prop}' can be undefined; the access now uses optional chaining, so the value becomes undefined instead of raising.`),
    };
  }
  const jsNotDefined = /^(\w+) is not defined$/.exec(msg);
  if (type === 'ReferenceError' && jsNotDefined) {
    const name = jsNotDefined[1];
    return { kind: 'line', file, line, rewrite: renameRewrite('identifier', name, 'js', (rest) => typoOf(name, identifiers(rest, 'js')), at, 'ReferenceError'), what: `the name ${name}`, summary: '' };
  }
  const jsNotFn = /(?:^|\.)(\w+) is not a function$/.exec(msg);
  if (type === 'TypeError' && jsNotFn) {
    const name = jsNotFn[1];
    return { kind: 'line', file, line, rewrite: renameRewrite('attribute', name, 'js', (rest) => typoOf(name, attributeNames(rest, 'js')), at, 'TypeError'), what: `the call of .${name}`, summary: '' };
  }
  const noneAttr = /'NoneType' object has no attribute '(\w+)'/.exec(msg);
  if (type === 'AttributeError' && noneAttr) {
    return {
      kind: 'line',
      file,
      line,
      rewrite: (l, ctx) => {
        // `todo.get('titel').strip()`: the None comes from a typo'd key of a dict the program writes.
        for (const m of l.matchAll(/\.get\(\s*(['"])([\w\- ]+)\1/g)) {
          const renamed = renameRewrite('key', m[2], 'python', (rest) => typoOf(m[2], literalKeys(rest)), at, 'AttributeError')(l, ctx);
          if (renamed) return renamed;
        }
        return guardNoneAttribute(l, noneAttr[1]);
      },
      what: `the use of .${noneAttr[1]}`,
      summary: masking(`AttributeError at ${at}: the value can be None; guarded the access to .${noneAttr[1]}.`),
    };
  }
  return { kind: 'none', reason: `no built-in fix for ${c.type}; ${NO_FIX_HINT}` };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** old_text/new_text for replacing line `idx` of `text`, widened with neighbours until old_text is unique. */
export function uniqueLineEdit(text: string, idx: number, replacement: string): { old_text: string; new_text: string } | null {
  const lines = text.split('\n');
  if (idx < 0 || idx >= lines.length) return null;
  for (let span = 0; span < 6; span++) {
    const from = Math.max(0, idx - span);
    const to = Math.min(lines.length - 1, idx + span);
    const oldText = lines.slice(from, to + 1).join('\n');
    const newText = [...lines.slice(from, idx), replacement, ...lines.slice(idx + 1, to + 1)].join('\n');
    const first = text.indexOf(oldText);
    if (first >= 0 && text.indexOf(oldText, first + 1) < 0) return { old_text: oldText, new_text: newText };
  }
  return null;
}

/** Call ids only need to be unique within one conversation: the turn number makes them so. */
const call = (turn: number, name: string, args: Record<string, unknown>): ToolCall => ({ id: `builtin_${turn}_${name}`, name, arguments: JSON.stringify(args) });
const reply = (toolCalls: ToolCall[] | undefined, content: string | null = null): CompletionResult => ({
  message: { role: 'assistant', content, ...(toolCalls ? { toolCalls } : {}) },
  usage: { promptTokens: 0, completionTokens: 0, costUsd: 0 },
  finishReason: toolCalls ? 'tool_calls' : 'stop',
});

/** The built-in fixer as a provider. */
export class BuiltinFixer implements LlmProvider {
  readonly id = 'builtin';
  readonly model = 'builtin-fixer';

  async complete(request: CompletionRequest): Promise<CompletionResult> {
    const first = request.messages.find((m) => m.role === 'user');
    const plan = planBuiltinFix(first?.content ?? '');
    if (plan.kind === 'none') return reply(undefined, plan.reason);

    const lastAssistantIdx = findLastIndex(request.messages, (m) => m.role === 'assistant');
    const last = lastAssistantIdx >= 0 ? (request.messages[lastAssistantIdx] as Assistant) : null;
    const lastCall = last?.toolCalls?.[0];
    const turn = request.messages.filter((m) => m.role === 'assistant').length + 1;
    const result = lastCall ? request.messages.slice(lastAssistantIdx + 1).find((m) => m.role === 'tool' && m.toolCallId === lastCall.id) : undefined;
    const resultText = result && result.role === 'tool' ? unfence(result.content) : '';

    if (!lastCall) return reply([call(turn, 'read_file', { path: plan.file })]);

    if (lastCall.name === 'read_file') {
      const missing = resultText.startsWith('error:');
      if (plan.kind === 'manifest') {
        if (missing && !/does not exist/.test(resultText)) return reply(undefined, `no built-in fix: ${plan.file} could not be read (${resultText.slice(7)})`);
        const before = missing ? '' : resultText;
        const after = plan.update(before);
        if (after === null) return reply(undefined, `no built-in fix: ${plan.already}`);
        if (missing || before === '') return reply([call(turn, 'write_file', { path: plan.file, content: after })]);
        return reply([call(turn, 'edit_file', { path: plan.file, old_text: before, new_text: after })]);
      }
      if (missing) return reply(undefined, `no built-in fix: ${plan.file} could not be read (${resultText.slice(7)})`);
      const fix = lineFix(plan, resultText);
      if ('reason' in fix) return reply(undefined, fix.reason);
      return reply([call(turn, 'edit_file', { path: plan.file, ...fix.edit })]);
    }
    if (lastCall.name === 'edit_file' || lastCall.name === 'write_file') {
      if (resultText.startsWith('error:')) return reply(undefined, `the built-in fix could not be staged: ${resultText.slice(7)}`);
      let summary = plan.summary;
      if (plan.kind === 'line') {
        // The summary says which fix was taken (a rename or a guard): recompute it from the file text read first.
        const firstCall = (request.messages.find((m) => m.role === 'assistant') as Assistant | undefined)?.toolCalls?.[0];
        const read = request.messages.find((m) => m.role === 'tool' && m.toolCallId === firstCall?.id);
        const fix = read && read.role === 'tool' ? lineFix(plan, unfence(read.content)) : null;
        if (fix && 'summary' in fix) summary = fix.summary;
      }
      return reply([call(turn, 'finish', { summary })]);
    }
    return reply(undefined, 'the built-in fixer has nothing more to do');
  }
}

/** The edit for a line plan over the file's text, with the summary of the fix taken (rename or guard). */
function lineFix(plan: Extract<Plan, { kind: 'line' }>, text: string): { edit: { old_text: string; new_text: string }; summary: string } | { reason: string } {
  const lines = text.split('\n');
  const original = lines[plan.line - 1];
  if (original === undefined) return { reason: `no built-in fix: ${plan.file} has no line ${plan.line}` };
  const rewritten = plan.rewrite(original.replace(/\r$/, ''), { lines: lines.map((l) => l.replace(/\r$/, '')), index: plan.line - 1 });
  const fixed = typeof rewritten === 'string' ? rewritten : rewritten?.text ?? null;
  if (fixed === null) return { reason: `no built-in fix: line ${plan.line} of ${plan.file} is not a shape the built-in fixer knows for ${plan.what}; ${NO_FIX_HINT}` };
  const edit = uniqueLineEdit(text, plan.line - 1, fixed + (original.endsWith('\r') ? '\r' : ''));
  if (!edit) return { reason: `no built-in fix: line ${plan.line} of ${plan.file} is not unique enough to edit` };
  const summary = typeof rewritten === 'string' ? plan.summary : rewritten!.summary;
  return { edit, summary };
}

function findLastIndex<T>(arr: T[], pred: (t: T) => boolean): number {
  for (let i = arr.length - 1; i >= 0; i--) if (pred(arr[i])) return i;
  return -1;
}
