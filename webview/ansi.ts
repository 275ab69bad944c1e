/** ANSI SGR parsing for the live log: turns a line into styled text segments (never HTML). Other escapes are dropped. */

/** A palette index 0–15 (rendered with theme terminal colours) or a CSS colour for 256/true colours. */
export type AnsiColor = number | string;

export interface AnsiStyle {
  fg?: AnsiColor;
  bg?: AnsiColor;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
  strike?: boolean;
}

export interface AnsiSegment {
  text: string;
  style: AnsiStyle | null;
}

// CSI (ESC [ params final), OSC (ESC ] … BEL | ESC \), two-byte escapes, and C0 controls other than tab/CR.
const TOKEN = /\x1b\[([0-9;:?<=>]*)[ -\/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x1b|\r|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;
const NEEDS_PARSE = /[\x00-\x08\x0b-\x1f\x7f]/;

/** Removes every escape sequence and control character; `\r` keeps only what a terminal would show last. */
export function stripAnsi(text: string): string {
  if (!NEEDS_PARSE.test(text)) return text;
  let out = '';
  for (const s of parseAnsi(text)) out += s.text;
  return out;
}

/** Splits `text` into segments with the SGR style in effect. Styles do not carry over between lines. */
export function parseAnsi(text: string): AnsiSegment[] {
  if (!NEEDS_PARSE.test(text)) return [{ text, style: null }];
  let segments: AnsiSegment[] = [];
  let style: AnsiStyle = {};
  let last = 0;
  const emit = (chunk: string) => {
    if (!chunk) return;
    const s = isPlain(style) ? null : { ...style };
    const prev = segments[segments.length - 1];
    if (prev && sameStyle(prev.style, s)) prev.text += chunk;
    else segments.push({ text: chunk, style: s });
  };
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    emit(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[0] === '\r') {
      // A carriage return rewinds the line (progress bars): keep what follows, like a terminal would show.
      if (last < text.length) segments = [];
    } else if (m[2] === 'm') {
      style = applySgr(style, m[1] ?? '');
    }
  }
  emit(text.slice(last));
  return segments.length ? segments : [{ text: '', style: null }];
}

function applySgr(current: AnsiStyle, params: string): AnsiStyle {
  const style: AnsiStyle = { ...current };
  // `38:2::r:g:b` (colon sub-parameters) and `38;2;r;g;b` both occur in the wild.
  const parts = params === '' ? ['0'] : params.split(';');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part.includes(':')) {
      const sub = part.split(':').map((p) => (p === '' ? NaN : Number(p)));
      const color = extendedColor(sub.slice(1).filter((n) => !Number.isNaN(n)));
      if (sub[0] === 38 && color !== undefined) style.fg = color;
      else if (sub[0] === 48 && color !== undefined) style.bg = color;
      else if (sub[0] === 4) style.underline = sub[1] !== 0;
      continue;
    }
    const code = part === '' ? 0 : Number(part);
    if (code === 38 || code === 48) {
      const mode = Number(parts[i + 1]);
      const take = mode === 5 ? 2 : mode === 2 ? 4 : 1;
      const color = extendedColor(parts.slice(i + 1, i + 1 + take).map(Number));
      if (color !== undefined) style[code === 38 ? 'fg' : 'bg'] = color;
      i += take;
      continue;
    }
    applyCode(style, code);
  }
  return style;
}

function applyCode(style: AnsiStyle, code: number): void {
  if (code === 0) {
    for (const k of Object.keys(style) as (keyof AnsiStyle)[]) delete style[k];
  } else if (code === 1) style.bold = true;
  else if (code === 2) style.dim = true;
  else if (code === 3) style.italic = true;
  else if (code === 4) style.underline = true;
  else if (code === 7) style.inverse = true;
  else if (code === 9) style.strike = true;
  else if (code === 21 || code === 22) {
    delete style.bold;
    delete style.dim;
  } else if (code === 23) delete style.italic;
  else if (code === 24) delete style.underline;
  else if (code === 27) delete style.inverse;
  else if (code === 29) delete style.strike;
  else if (code >= 30 && code <= 37) style.fg = code - 30;
  else if (code === 39) delete style.fg;
  else if (code >= 40 && code <= 47) style.bg = code - 40;
  else if (code === 49) delete style.bg;
  else if (code >= 90 && code <= 97) style.fg = code - 90 + 8;
  else if (code >= 100 && code <= 107) style.bg = code - 100 + 8;
}

/** `[5, n]` → 256-colour index; `[2, r, g, b]` → true colour. */
function extendedColor(args: number[]): AnsiColor | undefined {
  if (args[0] === 5 && Number.isInteger(args[1]) && args[1] >= 0 && args[1] <= 255) return color256(args[1]);
  if (args[0] === 2 && args.length >= 4) {
    const [r, g, b] = args.slice(-3).map((n) => Math.max(0, Math.min(255, Math.trunc(n) || 0)));
    return `rgb(${r}, ${g}, ${b})`;
  }
  return undefined;
}

/** xterm's 256-colour table: 0–15 palette, 16–231 a 6×6×6 cube, 232–255 greys. */
export function color256(n: number): AnsiColor {
  if (n < 16) return n;
  if (n < 232) {
    const levels = [0, 95, 135, 175, 215, 255];
    const i = n - 16;
    return `rgb(${levels[Math.floor(i / 36)]}, ${levels[Math.floor(i / 6) % 6]}, ${levels[i % 6]})`;
  }
  const v = 8 + (n - 232) * 10;
  return `rgb(${v}, ${v}, ${v})`;
}

function isPlain(s: AnsiStyle): boolean {
  for (const k in s) if (s[k as keyof AnsiStyle] !== undefined) return false;
  return true;
}

function sameStyle(a: AnsiStyle | null, b: AnsiStyle | null): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return a.fg === b.fg && a.bg === b.bg && !!a.bold === !!b.bold && !!a.dim === !!b.dim && !!a.italic === !!b.italic &&
    !!a.underline === !!b.underline && !!a.inverse === !!b.inverse && !!a.strike === !!b.strike;
}
