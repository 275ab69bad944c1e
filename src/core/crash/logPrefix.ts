/** Line cleaning (ANSI, CR, giant lines) and the per-line prefixes of log collectors (timestamps, `app-1  | `). */

/** Longest part of a line the parsers look at; a 10 MB line is cut here (a trace line is never that long). */
export const MAX_LINE = 4096;
/** A JSON log record carries a whole trace on one line (logstash's `stack_trace` easily passes 10 KB). */
export const MAX_RECORD_LINE = 256 * 1024;

// CSI sequences, OSC sequences (terminated by BEL or ST) and two-byte escapes.
const ANSI = /\x1b\[[0-9;:?<=>]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]/g;

/** Strips ANSI codes and carriage returns and caps the length; cheap when there is nothing to do. */
export function cleanLine(raw: string): string {
  // The concatenation makes V8 copy the kept part, so a slice does not pin a 10 MB parent string in memory.
  let s = raw;
  if (raw.length > MAX_LINE) {
    const cap = raw.slice(0, 200).indexOf('{') >= 0 ? MAX_RECORD_LINE : MAX_LINE;
    if (raw.length > cap) s = (' ' + raw.slice(0, cap)).slice(1);
  }
  if (s.indexOf('\x1b') >= 0) s = s.replace(ANSI, '');
  const cr = s.indexOf('\r');
  if (cr >= 0) {
    // "progress\rfinal": what a terminal shows is the last segment.
    const trimmed = s.endsWith('\r') ? s.replace(/\r+$/, '') : s;
    const last = trimmed.lastIndexOf('\r');
    s = last >= 0 ? trimmed.slice(last + 1) : trimmed;
  }
  return s;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * The text printed before a trace marker on its first line (`2024-05-01 10:00:00,123 ERROR `, `app-1  | `).
 * Later lines of the same trace carry "the same" prefix: equal text, except that runs of digits may differ
 * (timestamps, even of different widths as in RFC 3339 nanoseconds).
 */
export class LinePrefix {
  constructor(readonly text: string) {}

  /** The line without the prefix when it carries it, else the line unchanged. */
  strip(line: string): string {
    const p = this.text;
    if (!p) return line;
    let i = 0;
    let j = 0;
    while (i < p.length) {
      if (j >= line.length) return line;
      const a = p.charCodeAt(i);
      const b = line.charCodeAt(j);
      if (isDigit(a) && isDigit(b)) {
        while (i < p.length && isDigit(p.charCodeAt(i))) i++;
        while (j < line.length && isDigit(line.charCodeAt(j))) j++;
        continue;
      }
      if (a !== b) return line;
      i++;
      j++;
    }
    return line.slice(j);
  }
}

