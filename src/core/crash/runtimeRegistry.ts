/**
 * The runtimes the detector knows. Adding one is one file that exports a RuntimeSpec (its trace starts, parser and
 * frame classifier) plus its entry here; the assembler, the report builder and the types read everything from this.
 */
import type { StackFrame } from './crashReport';
import { dotnetRuntime } from './dotnetException';
import { goRuntime } from './goPanic';
import { javaRuntime } from './javaStack';
import { nodeRuntime } from './jsStack';
import { phpRuntime } from './phpFatal';
import { pythonRuntime } from './pythonTraceback';
import { rubyRuntime } from './rubyBacktrace';
import { rustRuntime } from './rustPanic';
import type { RuntimeSpec, TraceStart } from './traceParser';

/**
 * In priority order: where runtimes share a marker (`  at ` for JVM, .NET and Node frames, `panic` for Rust and
 * Go), the earlier one is asked first.
 */
export const RUNTIMES = [javaRuntime, dotnetRuntime, nodeRuntime, pythonRuntime, rustRuntime, goRuntime, rubyRuntime, phpRuntime] as const;

/** The language of a trace a runtime parser produced. */
export type RuntimeLanguage = (typeof RUNTIMES)[number]['language'];

/** One marker and every start registered for it, in priority order. */
export interface MarkerStarts {
  marker: string;
  starts: TraceStart['start'][];
}

/** The markers in the order the assembler tries them; the first marker found on a line decides. */
export const MARKERS: readonly MarkerStarts[] = (() => {
  const byMarker = new Map<string, MarkerStarts>();
  for (const r of RUNTIMES as readonly RuntimeSpec[]) {
    for (const s of r.starts) {
      let m = byMarker.get(s.marker);
      if (!m) byMarker.set(s.marker, (m = { marker: s.marker, starts: [] }));
      m.starts.push(s.start);
    }
  }
  return [...byMarker.values()];
})();

/**
 * One pass over an idle line that finds whether any marker is on it (most lines hold none): cheaper than an
 * `indexOf` per marker.
 */
export const ANY_MARKER = new RegExp(MARKERS.map((m) => m.marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));

const BY_LANGUAGE = new Map<string, RuntimeSpec>((RUNTIMES as readonly RuntimeSpec[]).map((r) => [r.language, r]));

/** True when the frame is in the app's own code for the trace's language (anything else: a frame is user code). */
export function isUserFrame(language: string, frame: StackFrame): boolean {
  const r = BY_LANGUAGE.get(language);
  return r ? r.isUserFrame(frame) : !!frame.file;
}
