/** Typed errors of the core. Adapters show `message` (it says what happened and what to do); the CLI exits 2. */
export type AutoDevErrorCode =
  | 'DockerUnavailable'
  | 'ClusterUnavailable'
  | 'BuildFailed'
  | 'ImageUnavailable'
  | 'PortInUse'
  | 'ContainerGone'
  | 'NoAppFound'
  | 'AmbiguousEntry'
  | 'NeedsInput'
  | 'PatchConflict'
  /** The patch could not be written (read-only file, full disk): not somebody else's change, so no re-plan. */
  | 'PatchWriteFailed'
  | 'PathRefused'
  | 'PathOutsideWorkspace'
  | 'LlmTimeout'
  | 'LlmError'
  | 'BudgetExceeded'
  | 'PushRejected'
  | 'NoRemote'
  | 'GitError'
  | 'Usage'
  | 'NotFound'
  | 'Cancelled'
  | 'Untrusted'
  /** A bug or an unexpected failure of a dependency: not one of the cases above. */
  | 'Internal';

/** Marks AutoDev errors across bundles: the Kubernetes runtime is a separate bundle with its own copy of this class. */
const BRAND = Symbol.for('autodev.AutoDevError');

export class AutoDevError extends Error {
  constructor(
    readonly code: AutoDevErrorCode,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'AutoDevError';
    (this as unknown as Record<symbol, boolean>)[BRAND] = true;
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

export function isAutoDevError(err: unknown, code?: AutoDevErrorCode): err is AutoDevError {
  return err instanceof AutoDevError && (code === undefined || err.code === code);
}

/** Typed errors keep their code; an abort is `Cancelled`; anything else becomes `Internal` with its message. */
export function toAutoDevError(err: unknown): AutoDevError {
  if (isAutoDevError(err)) return err;
  if ((err as { name?: string })?.name === 'AbortError') return new AutoDevError('Cancelled', 'Cancelled.');
  return new AutoDevError('Internal', err instanceof Error ? err.message : String(err));
}
