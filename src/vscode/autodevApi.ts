/** What `activate()` returns: a narrow view for the extension-host tests and for other extensions. Never secrets. */
import type { HealEvent, HealState, FixRecord } from '../core/heal/healEvents';
import type { Disposable } from '../core/lifecycle';

export interface AutodevApi {
  readonly state: HealState;
  /** The folder of the current deployment, if any. */
  readonly workspaceDir: string | undefined;
  onEvent(listener: (e: HealEvent) => void): Disposable;
  fixes(): FixRecord[];
  pendingPatchId(): string | undefined;
  /** Deploys the first workspace folder; unlike the command, rejects with the error (e.g. Untrusted). */
  deployWorkspace(): Promise<void>;
}
