/**
 * The built-in fixer: a deterministic LlmProvider with no network and no key. It reads the crash from the first
 * user message and answers with tool calls (read_file → edit_file/write_file → finish) through the same pipeline a
 * model uses, so path policy, staging, diffs and the ledger are exercised the same way.
 */
import type { ChatMessage, CompletionRequest, CompletionResult, LlmProvider, ToolCall } from './llmProvider';
import { parseFirstMessage, unfence } from './fixPrompt';
import { addNodeDependency, addRequirement, guardDivision, guardMissingKey, guardNoneAttribute, npmPackageFor, optionalChain, pythonPackageFor, safeLookup } from './builtinFixes';

type Assistant = Extract<ChatMessage, { role: 'assistant' }>;

/** What the fixer intends after reading the crash. */
type Plan =
  | { kind: 'line'; file: string; line: number; rewrite: (line: string, ctx: { lines: string[]; index: number }) => string | null; summary: string; what: string }
  | { kind: 'manifest'; file: string; update: (text: string) => string | null; summary: string; already: string }
  | { kind: 'none'; reason: string };

export const NO_FIX_HINT = 'configure a model (AutoDev: Select Model / --provider openai)';

/** Decides the fix for a crash described by the first message; pure, exported for tests. */
export function planBuiltinFix(firstMessage: string): Plan {
  const c = parseFirstMessage(firstMessage);
  if (!c) return { kind: 'none', reason: `no built-in fix: the crash could not be read; ${NO_FIX_HINT}` };
  const type = c.type.replace(/^.*\./, '');
  const msg = c.message;
  const at = c.file && c.line ? `${c.file}:${c.line}` : c.file ?? 'the failing line';

  const pyMissing = /No module named '?([\w.]+)'?/.exec(msg);
  if ((type === 'ModuleNotFoundError' || type === 'ImportError') && pyMissing) {
    const mod = pyMissing[1];
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
    const pkg = npmPackageFor(nodeMissing[1]);
    if (!pkg) return { kind: 'none', reason: `no built-in fix for a missing local module '${nodeMissing[1]}'; ${NO_FIX_HINT}` };
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

  if (type === 'ZeroDivisionError') {
    return {
      kind: 'line',
      file,
      line,
      rewrite: (l) => guardDivision(l),
      what: 'a division',
      summary: `Division by zero at ${at}: guarded the division so a zero divisor yields 0 instead of raising ZeroDivisionError.`,
    };
  }
  if (type === 'KeyError') {
    return {
      kind: 'line',
      file,
      line,
      rewrite: (l, ctx) => guardMissingKey(ctx.lines, ctx.index, msg) ?? safeLookup(l, msg),
      what: `a lookup of ${msg}`,
      summary: `KeyError ${msg} at ${at}: the key can be missing; the lookup is now guarded (safe lookup) instead of raising.`,
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
      rewrite: (l) => optionalChain(l, prop, col ? Number(col[1]) : undefined),
      what: `a read of .${prop}`,
      summary: `TypeError at ${at}: the object read for '${prop}' can be undefined; the access now uses optional chaining.`,
    };
  }
  const noneAttr = /'NoneType' object has no attribute '(\w+)'/.exec(msg);
  if (type === 'AttributeError' && noneAttr) {
    return {
      kind: 'line',
      file,
      line,
      rewrite: (l) => guardNoneAttribute(l, noneAttr[1]),
      what: `the use of .${noneAttr[1]}`,
      summary: `AttributeError at ${at}: the value can be None; guarded the access to .${noneAttr[1]}.`,
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
      const lines = resultText.split('\n');
      const original = lines[plan.line - 1];
      if (original === undefined) return reply(undefined, `no built-in fix: ${plan.file} has no line ${plan.line}`);
      const fixed = plan.rewrite(original.replace(/\r$/, ''), { lines: lines.map((l) => l.replace(/\r$/, '')), index: plan.line - 1 });
      if (fixed === null) return reply(undefined, `no built-in fix: line ${plan.line} of ${plan.file} is not a shape the built-in fixer knows for ${plan.what}; ${NO_FIX_HINT}`);
      const edit = uniqueLineEdit(resultText, plan.line - 1, fixed + (original.endsWith('\r') ? '\r' : ''));
      if (!edit) return reply(undefined, `no built-in fix: line ${plan.line} of ${plan.file} is not unique enough to edit`);
      return reply([call(turn, 'edit_file', { path: plan.file, ...edit })]);
    }
    if (lastCall.name === 'edit_file' || lastCall.name === 'write_file') {
      if (resultText.startsWith('error:')) return reply(undefined, `the built-in fix could not be staged: ${resultText.slice(7)}`);
      return reply([call(turn, 'finish', { summary: plan.summary })]);
    }
    return reply(undefined, 'the built-in fixer has nothing more to do');
  }
}

function findLastIndex<T>(arr: T[], pred: (t: T) => boolean): number {
  for (let i = arr.length - 1; i >= 0; i--) if (pred(arr[i])) return i;
  return -1;
}
