/**
 * The rule-based rewrites behind the built-in fixer: pure functions from a failing line to its
 * fixed form, or null when the shape is not one they know.
 */

// ---------- small scanners over one line of Python / JavaScript ----------

const OPEN: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
const CLOSE: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const isIdent = (c: string | undefined) => c !== undefined && /[\w$]/.test(c);

/** Index ranges of string literals and the trailing comment, so operators inside them are ignored. */
function codeMask(line: string, lang: 'python' | 'js'): boolean[] {
  const mask = new Array<boolean>(line.length).fill(true);
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if ((lang === 'python' && c === '#') || (lang === 'js' && c === '/' && line[i + 1] === '/')) {
      for (let k = i; k < line.length; k++) mask[k] = false;
      break;
    }
    if (c === '"' || c === "'" || (lang === 'js' && c === '`')) {
      const triple = lang === 'python' && line.startsWith(c.repeat(3), i);
      const q = triple ? c.repeat(3) : c;
      let k = i + q.length;
      while (k < line.length && !line.startsWith(q, k)) k += line[k] === '\\' ? 2 : 1;
      const end = Math.min(line.length, k + q.length);
      for (let m = i; m < end; m++) mask[m] = false;
      i = end;
      continue;
    }
    i++;
  }
  return mask;
}

/** Start index of the primary expression (name, call, subscript, group, literal) that ends just before `end`. */
function scanLeftOperand(line: string, end: number): number {
  let i = end - 1;
  while (i >= 0 && line[i] === ' ') i--;
  const stop = i + 1;
  let start = stop;
  while (i >= 0) {
    const c = line[i];
    if (c === ')' || c === ']' || c === '}') {
      let depth = 0;
      let k = i;
      for (; k >= 0; k--) {
        if (line[k] === c) depth++;
        else if (line[k] === OPEN[c]) depth--;
        if (depth === 0) break;
      }
      if (k < 0) break;
      i = k - 1;
      start = k;
      continue;
    }
    if (c === '"' || c === "'") {
      const k = line.lastIndexOf(c, i - 1);
      if (k < 0) break;
      i = k - 1;
      start = k;
      continue;
    }
    if (isIdent(c) || c === '.') {
      while (i >= 0 && (isIdent(line[i]) || line[i] === '.')) i--;
      start = i + 1;
      continue;
    }
    break;
  }
  return start;
}

/** End index (exclusive) of the primary expression with trailers (calls, subscripts, attributes) starting at `from`. */
function scanRightOperand(line: string, from: number): { start: number; end: number } | null {
  let i = from;
  while (line[i] === ' ') i++;
  const start = i;
  if (line[i] === '-' || line[i] === '+') i++;
  const matchGroup = (k: number): number => {
    const open = line[k];
    let depth = 0;
    for (let m = k; m < line.length; m++) {
      if (line[m] === open) depth++;
      else if (line[m] === CLOSE[open]) depth--;
      if (depth === 0) return m + 1;
    }
    return -1;
  };
  if (line[i] === '(' || line[i] === '[') {
    const e = matchGroup(i);
    if (e < 0) return null;
    i = e;
  } else if (isIdent(line[i])) {
    while (isIdent(line[i])) i++;
  } else return null;
  for (;;) {
    if (line[i] === '.' && isIdent(line[i + 1])) {
      i++;
      while (isIdent(line[i])) i++;
    } else if (line[i] === '(' || line[i] === '[') {
      const e = matchGroup(i);
      if (e < 0) return null;
      i = e;
    } else break;
  }
  return { start, end: i };
}

const isNonZeroNumber = (s: string) => /^[+-]?(\d[\d_]*\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) && Number(s.replace(/_/g, '')) !== 0;

/**
 * Guards each division, floor division and modulo by a non-constant divisor on a Python line:
 * `a / b` → `(a / b if b else 0)`, `sum(x) / len(x)` → `(sum(x) / len(x) if len(x) else 0)`.
 */
export function guardDivision(line: string): string | null {
  let out = line;
  let pos = 0;
  let changed = false;
  for (let guard = 0; guard < 20; guard++) {
    const mask = codeMask(out, 'python');
    let found = -1;
    let op = '';
    for (let i = pos; i < out.length; i++) {
      if (!mask[i]) continue;
      const c = out[i];
      if (c === '/' || c === '%') {
        op = c === '/' && out[i + 1] === '/' ? '//' : c;
        if (out[i + op.length] === '=') {
          i += op.length;
          continue; // augmented assignment: a different shape
        }
        found = i;
        break;
      }
    }
    if (found < 0) break;
    const leftStart = scanLeftOperand(out, found);
    const right = scanRightOperand(out, found + op.length);
    const left = out.slice(leftStart, found).trim();
    if (!right || !left) {
      pos = found + op.length;
      continue;
    }
    const divisor = out.slice(right.start, right.end);
    if (isNonZeroNumber(divisor) || (op === '%' && /^[rbuf]*["']/i.test(left))) {
      pos = right.end;
      continue;
    }
    const expr = out.slice(leftStart, right.end);
    // Already guarded by an earlier run (`... if b else 0`): leave it.
    if (new RegExp(`^\\s*if\\s+${escapeRe(divisor)}\\s+else`).test(out.slice(right.end))) {
      pos = right.end;
      continue;
    }
    const guarded = `(${expr} if ${divisor} else 0)`;
    out = out.slice(0, leftStart) + guarded + out.slice(right.end);
    pos = leftStart + guarded.length;
    changed = true;
  }
  return changed ? out : null;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The key of a Python KeyError message: `'user_id'` → user_id (string keys), `3` → 3. */
export function keyErrorKey(message: string): { literal: string; isString: boolean } {
  const m = message.trim();
  const q = /^(['"])(.*)\1$/.exec(m);
  if (q) return { literal: q[2], isString: true };
  return { literal: m, isString: false };
}

/**
 * Early-exit guard for `name = obj[KEY]` when `name` is used as a container later in its block (a `.get()` would
 * only move the crash one line down): inserts `if KEY not in obj: continue` inside a loop, `return None` inside a
 * function. Null when the line is not that shape or there is no enclosing loop/function.
 */
export function guardMissingKey(lines: string[], index: number, message: string): string | null {
  const line = lines[index];
  const m = /^(\s*)([A-Za-z_]\w*)\s*=\s*([A-Za-z_][\w.]*)\[\s*((['"]).*?\5|[A-Za-z_]\w*)\s*\]\s*(#.*)?$/.exec(line);
  if (!m) return null;
  const [, indent, name, obj, keyExpr] = m;
  const key = keyErrorKey(message);
  const q = /^(['"])(.*)\1$/.exec(keyExpr);
  if (q && key.isString && q[2] !== key.literal) return null;
  const ind = indent.length;
  const usedAsContainer = lines.slice(index + 1).some((l, k, rest) => {
    const li = /^\s*/.exec(l)![0].length;
    if (l.trim() && li < ind) return false;
    // Only the block of the failing line: stop at the first dedent.
    if (rest.slice(0, k).some((p) => p.trim() && /^\s*/.exec(p)![0].length < ind)) return false;
    return new RegExp(`(^|[^\\w.])${name}\\s*(\\[|\\.\\w)`).test(l);
  });
  if (!usedAsContainer) return null;
  let exit: string | null = null;
  for (let k = index - 1, cur = ind; k >= 0; k--) {
    const l = lines[k];
    if (!l.trim() || l.trim().startsWith('#')) continue;
    const li = /^\s*/.exec(l)![0].length;
    if (li >= cur) continue;
    cur = li;
    if (/^\s*(async\s+)?(for|while)\b/.test(l)) {
      exit = 'continue';
      break;
    }
    if (/^\s*(async\s+)?def\b/.test(l)) {
      exit = 'return None';
      break;
    }
    if (li === 0) break;
  }
  if (!exit) return null;
  const unit = indent.includes('\t') ? '\t' : '    ';
  return `${indent}if ${keyExpr} not in ${obj}:\n${indent}${unit}${exit}\n${line}`;
}

/**
 * Safe lookup for a Python KeyError: `d["k"]` → `d.get("k")` (the subscript whose key matches the message, or the
 * only variable-keyed one), `d[k] += n` → `d[k] = d.get(k, 0) + n`.
 */
export function safeLookup(line: string, message: string): string | null {
  const key = keyErrorKey(message);
  const mask = codeMask(line, 'python');
  type Sub = { open: number; close: number; inner: string; isTarget: boolean; augmented?: string };
  const subs: Sub[] = [];
  for (let i = 1; i < line.length; i++) {
    if (line[i] !== '[' || !mask[i]) continue;
    const before = line.slice(0, i).trimEnd();
    if (!/[\w)\]]$/.test(before) || /\b(in|return|and|or|not|if|else|print|yield|lambda)$/.test(before)) continue;
    let depth = 0;
    let k = i;
    for (; k < line.length; k++) {
      if (line[k] === '[') depth++;
      else if (line[k] === ']') depth--;
      if (depth === 0) break;
    }
    if (k >= line.length) continue;
    const after = line.slice(k + 1);
    const aug = /^\s*([+\-*/|&]|\/\/)=\s*/.exec(after);
    const isTarget = /^\s*=(?!=)/.test(after) || !!aug || /^\s*del\b/.test(line.trim());
    subs.push({ open: i, close: k, inner: line.slice(i + 1, k), isTarget, augmented: aug?.[1] });
  }
  const matchesKey = (s: Sub) => {
    const inner = s.inner.trim();
    const q = /^(['"])(.*)\1$/.exec(inner);
    if (key.isString) return !!q && q[2] === key.literal;
    return inner === key.literal;
  };
  const isLiteral = (s: Sub) => /^(['"]).*\1$/.test(s.inner.trim()) || /^-?\d+$/.test(s.inner.trim());
  let chosen = subs.find(matchesKey);
  if (!chosen) {
    const variable = subs.filter((s) => !isLiteral(s) && !s.inner.includes(':'));
    if (variable.length >= 1) chosen = variable[0];
  }
  if (!chosen) return null;
  const target = line.slice(scanLeftOperand(line, chosen.open), chosen.open);
  if (chosen.augmented) {
    // counts[k] += 1 on a missing key: start from 0.
    const indent = /^\s*/.exec(line)![0];
    const rest = line.slice(chosen.close + 1).replace(/^\s*([+\-*/|&]|\/\/)=\s*/, '');
    if (line.slice(0, chosen.open).trim() !== target.trim()) return null;
    if (chosen.augmented !== '+' && chosen.augmented !== '-') return null;
    return `${indent}${target}[${chosen.inner}] = ${target}.get(${chosen.inner}, 0) ${chosen.augmented} ${rest.trim()}`;
  }
  if (chosen.isTarget) return null;
  // A lookup that is subscripted again needs a mapping default, not None.
  const next = line.slice(chosen.close + 1);
  const dflt = /^\[/.test(next) ? ', {}' : '';
  return `${line.slice(0, chosen.open)}.get(${chosen.inner.trim()}${dflt})${next}`;
}

/**
 * Optional chaining for a Node TypeError "Cannot read properties of undefined (reading 'x')": the `.x` access
 * nearest to `column` (1-based, from the stack) becomes `?.x`, and so does every other access through the same
 * object on the line (`user.name, user.profile.city` → `user?.name, user?.profile.city`), since the next one would
 * throw the same way.
 */
export function optionalChain(line: string, prop: string, column?: number): string | null {
  const mask = codeMask(line, 'js');
  const candidates: { at: number; text: string; repl: string }[] = [];
  const propRe = new RegExp(`(\\??)\\.(${escapeRe(prop)})(?![\\w$])|(\\??\\.?)\\[\\s*(['"\`])${escapeRe(prop)}\\4\\s*\\]`, 'g');
  for (let m = propRe.exec(line); m; m = propRe.exec(line)) {
    if (!mask[m.index]) continue;
    const before = line.slice(0, m.index);
    if (!/[\w$)\]]$/.test(before)) continue;
    if (m[1] === '?' || (m[3] && m[3].startsWith('?'))) continue; // already optional
    const repl = m[2] !== undefined ? `?.${prop}` : `?.${m[0].replace(/^\.?/, '')}`;
    candidates.push({ at: m.index, text: m[0], repl });
  }
  if (!candidates.length) return null;
  let pick = candidates[0];
  if (column) {
    pick = candidates.reduce((best, c) => (Math.abs(c.at + 1 - column) < Math.abs(best.at + 1 - column) ? c : best), candidates[0]);
  }
  // `a.b.x = 1` with a.b undefined: an optional chain is not a valid assignment target.
  const assign = /^\s*(?:[\w$.?[\]'"`]+)\s*(?:[+\-*/]?=)(?!=)/.exec(line);
  if (assign && pick.at < assign[0].lastIndexOf('=')) return null;
  let out = line.slice(0, pick.at) + pick.repl + line.slice(pick.at + pick.text.length);
  const base = line.slice(scanLeftOperand(line, pick.at), pick.at);
  if (/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(base)) {
    // Other reads through the same object, outside strings and not assignment targets.
    const sameBase = new RegExp(`(^|[^\\w$.?])${escapeRe(base)}\\.(?=[A-Za-z_$])`, 'g');
    const outMask = codeMask(out, 'js');
    const assignEnd = assign ? assign[0].lastIndexOf('=') : -1;
    out = out.replace(sameBase, (m0, pre: string, offset: number) => {
      const at = offset + pre.length;
      if (!outMask[at] || at < assignEnd) return m0;
      return `${pre}${base}?.`;
    });
  }
  return out;
}

/**
 * Guards an attribute access on None for a Python AttributeError "'NoneType' object has no attribute 'x'":
 * `m.group(1).strip()` → `(m.group(1).strip() if m is not None else None)`; a call result is bound once with `:=`.
 */
export function guardNoneAttribute(line: string, attr: string): string | null {
  const mask = codeMask(line, 'python');
  const re = new RegExp(`\\.${escapeRe(attr)}(?![\\w])`, 'g');
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (!mask[m.index]) continue;
    const start = scanLeftOperand(line, m.index);
    const obj = line.slice(start, m.index);
    if (!obj.trim() || /^\d/.test(obj)) continue;
    // Extend over the rest of the chain: .attr(...)[...] .more
    let end = m.index + 1 + attr.length;
    for (;;) {
      const c = line[end];
      if (c === '(' || c === '[') {
        let depth = 0;
        let k = end;
        for (; k < line.length; k++) {
          if (line[k] === c) depth++;
          else if (line[k] === CLOSE[c]) depth--;
          if (depth === 0) break;
        }
        if (k >= line.length) return null;
        end = k + 1;
      } else if (c === '.' && isIdent(line[end + 1])) {
        end++;
        while (isIdent(line[end])) end++;
      } else break;
    }
    const chain = line.slice(m.index, end);
    const indent = /^\s*/.exec(line)![0];
    const after = line.slice(end);
    if (line.slice(0, start).trim() === '' && /^\s*[+\-*/]?=(?!=)/.test(after)) {
      // obj.attr = value: guard the statement.
      return `${indent}if ${obj} is not None:\n${indent}    ${line.trim()}`;
    }
    const guarded = obj.includes('(') ? `(_obj${chain} if (_obj := ${obj}) is not None else None)` : `(${obj}${chain} if ${obj} is not None else None)`;
    return line.slice(0, start) + guarded + after;
  }
  return null;
}

// ---------- renames (a typo's real fix) ----------

export type RenameKind = 'identifier' | 'attribute' | 'key' | 'module';

/**
 * Renames `from` to `to` on one line: an identifier (a whole word, not after a dot), an attribute (`.from`), a string
 * key (`'from'` / `"from"` as a whole literal) or an imported module (`import from`, `from from import`,
 * `require('from')`, `import … from 'from'`). Only code outside strings and comments changes, except for keys and JS
 * module specifiers, which are string literals. Null when nothing on the line matched.
 */
export function renameOnLine(line: string, from: string, to: string, kind: RenameKind, lang: 'python' | 'js'): string | null {
  const mask = codeMask(line, lang);
  const word = escapeRe(from);
  let re: RegExp;
  let inString = false;
  if (kind === 'identifier') re = new RegExp(`(?<![\\w$.])${word}(?![\\w$])`, 'g');
  else if (kind === 'attribute') re = new RegExp(`(?<=\\??\\.)${word}(?![\\w$])`, 'g');
  else if (kind === 'key') {
    re = new RegExp(`(?<=(['"\`]))${word}(?=\\1)`, 'g');
    inString = true;
  } else if (lang === 'python') re = new RegExp(`(?<=^\\s*(?:from|import)\\s+(?:[\\w.]+\\s*,\\s*)*)${word}(?![\\w])`, 'g');
  else {
    re = new RegExp(`(?<=(?:require\\(|from\\s+|import\\()\\s*(['"\`]))${word}(?=\\1)`, 'g');
    inString = true;
  }
  let changed = false;
  const out = line.replace(re, (m: string, ...rest: unknown[]) => {
    const offset = rest.find((r) => typeof r === 'number') as number;
    // A key or specifier is a string: the character before it (the quote) is outside the code mask.
    // A key or specifier is a whole string literal: its opening quote follows code (not a comment or another string).
    const code = inString ? offset === 1 || mask[offset - 2] === true : mask[offset];
    if (!code) return m;
    changed = true;
    return to;
  });
  return changed ? out : null;
}
