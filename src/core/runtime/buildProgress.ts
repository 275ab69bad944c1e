/**
 * Turns Docker's build output into progress a person can follow — "step 3/7: RUN npm install" — and, when a
 * step fails, into an error that names the failing step and its first real error line. Escape codes never reach
 * a message (apps and package managers colour their output).
 */

/** One build step as Docker announces it ("Step 3/7 : RUN npm install"). */
export interface BuildStep {
  index: number;
  total: number;
  /** The instruction, e.g. `RUN npm install` (escape codes removed, shortened). */
  text: string;
}

const STEP = /^Step\s+(\d+)\/(\d+)\s*:\s*(.*)$/;
/** CSI and OSC escape sequences, and stray control characters other than tab. */
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|[\x00-\x08\x0b-\x1f\x7f]/g;

/** Removes terminal escape codes and control characters (keeps tabs). */
export function stripAnsi(text: string): string {
  return text.replace(ESCAPES, '');
}

/** Parses a "Step i/n : INSTRUCTION" header line, or undefined. */
export function parseStep(line: string): BuildStep | undefined {
  const m = STEP.exec(stripAnsi(line).trim());
  if (!m) return undefined;
  const text = m[3].replace(/\s+/g, ' ').trim();
  return { index: Number(m[1]), total: Number(m[2]), text: text.length > 120 ? text.slice(0, 119) + '…' : text };
}

/** Lines that say something went wrong, in the words of the tools a build runs (npm, pip, go, apt, sh, make…). */
const ERROR_LINE = /\b(?:error|err!|fatal|failed|failure|cannot|can't|could not|couldn't|not found|no such file|denied|unable to|exception|traceback|unknown|invalid|undefined:)\b|^E:\s|:\s*not found$/i;
/** Lines that look like errors but are the tool's boilerplate, not the cause. */
const NOISE = /^(?:npm (?:ERR!|error) (?:A complete log of this run|Log files were not written|You can rerun|\s*$)|npm (?:ERR!|error) (?:code|errno) [A-Z0-9_-]+$|The command '.*' returned a non-zero code|Removing intermediate container|---> |\s*$)|WARNING: Retrying|^npm notice/i;

/**
 * Follows a build's output lines: `push` each line (escape codes are removed here), read `current` for progress
 * and `failure()` once the build has failed.
 */
export class BuildProgressTracker {
  private step: BuildStep | undefined;
  /** Output lines of the current step (capped). */
  private stepLines: string[] = [];

  /** Adds one output line; returns the step when the line starts a new one. */
  push(raw: string): BuildStep | undefined {
    const line = stripAnsi(raw).trimEnd();
    const step = parseStep(line);
    if (step) {
      this.step = step;
      this.stepLines = [];
      return step;
    }
    if (line.trim() && this.stepLines.length < 2000) this.stepLines.push(line.trim());
    return undefined;
  }

  get current(): BuildStep | undefined {
    return this.step;
  }

  /** The first line of the current step that reads like the real error, else its last output line. */
  firstErrorLine(): string | undefined {
    const lines = this.stepLines.filter((l) => !/^---> /.test(l) && !/^Running in [0-9a-f]+$/.test(l));
    return lines.find((l) => ERROR_LINE.test(l) && !NOISE.test(l)) ?? lines.find((l) => !NOISE.test(l)) ?? lines[lines.length - 1];
  }

  /** "step 4/7 (RUN npm install): npm ERR! request to https://… failed, reason: …" — or the daemon's message alone. */
  failure(daemonMessage: string): string {
    const message = stripAnsi(daemonMessage).trim();
    if (!this.step) return message;
    const first = this.firstErrorLine();
    // The daemon's "The command '…' returned a non-zero code: N" repeats the step: its exit code is what is new.
    const code = /returned a non-zero code:\s*(\d+)/.exec(message)?.[1];
    const where = `step ${this.step.index}/${this.step.total} (${this.step.text}) failed${code ? ` with exit code ${code}` : ''}`;
    return `${where}: ${first ?? message}`;
  }
}
