/**
 * Text fallback for models that write tool calls as JSON in `content` instead of `tool_calls`
 * (`{"name": "edit_file", "arguments": {...}}`, fenced ```json blocks, `{"tool_calls": [...]}`).
 */
import type { ToolCall } from './llmProvider';

/**
 * Balanced top-level JSON objects/arrays in free text (strings respected), in one linear pass: every bracket that
 * closes records the span it closes, and the outermost spans are kept. An opening bracket that never closes costs
 * nothing more (the earlier version rescanned from each one: 200k "{" took 67 s).
 */
function jsonCandidates(text: string): string[] {
  const out: string[] = [];
  const fenced = /```(?:json|tool_call|tool)?\s*\n?([\s\S]*?)```/gi;
  for (let m = fenced.exec(text); m; m = fenced.exec(text)) out.push(m[1].trim());
  const open: number[] = [];
  const spans: [number, number][] = [];
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inStr) {
      if (ch === '\\') i++;
      // A JSON string never holds a raw newline: a quote in prose ends at the end of its line.
      else if (ch === '"' || ch === '\n') inStr = false;
      continue;
    }
    if (ch === '"' && open.length) inStr = true;
    else if (ch === '{' || ch === '[') open.push(i);
    else if ((ch === '}' || ch === ']') && open.length) spans.push([open.pop()!, i]);
  }
  // Spans nest or are disjoint: by start, the first of each nest is the outermost.
  spans.sort((a, b) => a[0] - b[0]);
  let end = -1;
  for (const [from, to] of spans) {
    if (from <= end) continue;
    out.push(text.slice(from, to + 1));
    end = to;
  }
  return out;
}

function asCall(v: unknown, n: number): ToolCall | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  if (o.function && typeof o.function === 'object') return asCall(o.function, n);
  const name = typeof o.name === 'string' ? o.name : typeof o.tool === 'string' ? o.tool : typeof o.tool_name === 'string' ? o.tool_name : null;
  if (!name) return null;
  // A JSON example that merely has a "name" key is not a call: the arguments key must be there too.
  if (!('arguments' in o || 'args' in o || 'parameters' in o || 'input' in o)) return null;
  const args = o.arguments ?? o.args ?? o.parameters ?? o.input ?? {};
  const text = typeof args === 'string' ? args : JSON.stringify(args);
  return { id: `text_call_${n}`, name, arguments: text };
}

/** Tool calls written as JSON in a reply's text; [] when there are none. */
export function parseTextToolCalls(content: string | null | undefined, knownTools?: string[]): ToolCall[] {
  if (!content || !/[{[]/.test(content)) return [];
  const calls: ToolCall[] = [];
  const seen = new Set<string>();
  for (const cand of jsonCandidates(content)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(cand);
    } catch {
      continue;
    }
    const items = Array.isArray(parsed)
      ? parsed
      : parsed && typeof parsed === 'object' && Array.isArray((parsed as Record<string, unknown>).tool_calls)
        ? ((parsed as Record<string, unknown>).tool_calls as unknown[])
        : [parsed];
    for (const it of items) {
      const c = asCall(it, calls.length + 1);
      if (!c) continue;
      if (knownTools && !knownTools.includes(c.name)) continue;
      const key = c.name + '\0' + c.arguments;
      if (seen.has(key)) continue;
      seen.add(key);
      calls.push(c);
    }
  }
  return calls;
}
