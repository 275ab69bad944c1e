/** Results of replaying a crash: what the reproducer did before/after a patch, and the scratch verification. */

/** What the reproducer did before and after the patch, e.g. `GET /stats -> 500 before, 200 after`. */
export interface ReproducerResult {
  kind: 'http' | 'start' | 'command' | 'none';
  /** e.g. `GET /stats`, `start`, `python app.py` */
  description: string;
  before?: string;
  after?: string;
  reproduced: boolean;
  /** Plain words when it was not replayed (unsafe method, no linked request…). */
  note?: string;
  /** How long after the unpatched copy started (or the request was sent) the crash showed, in ms. */
  crashAfterMs?: number;
}

/** One request answered by the unpatched and the patched scratch app, side by side. */
export interface AnswerPair {
  /** e.g. `GET /todos` */
  request: string;
  /** Short forms: `200 application/json {"todos":[…],"total":1}`. */
  before: string;
  after: string;
  /** What changed (empty when the patched app answered alike). */
  differences: string[];
}

/** What the scratch runs showed: the crashing request before/after, the differential sample, the output check. */
export interface Evidence {
  crash?: AnswerPair & { verdict: 'ok' | 'refused' | 'masks'; detail: string };
  /** The live app's successful exchanges replayed against both copies (differential replay). */
  samples: AnswerPair[];
  /** Programs without requests: the patched run's output against the unpatched run's up to the crash point. */
  output?: { lines: number; difference: string | null };
}

export interface VerificationResult {
  passed: boolean;
  /**
   * The crash could not be reproduced on the unpatched copy (not replayed, or it did not crash): nothing proves the
   * patch, so it is never HEALED and never committed automatically.
   */
  unverified?: boolean;
  /** Set when the patched answer looks like a default (empty list, nulls): the patch masks the error. */
  masks?: string;
  /** One line per check, human readable. */
  checks: { name: string; passed: boolean; detail: string }[];
  reproducer?: ReproducerResult;
  evidence?: Evidence;
  /** Output of the scratch run, tail. */
  outputTail?: string[];
}
