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
}

export interface VerificationResult {
  passed: boolean;
  /** One line per check, human readable. */
  checks: { name: string; passed: boolean; detail: string }[];
  reproducer?: ReproducerResult;
  /** Output of the scratch run, tail. */
  outputTail?: string[];
}
