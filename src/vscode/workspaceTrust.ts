/** Workspace Trust gate: AutoDev builds and runs workspace code and sends it to a model, so both need trust. */
import { AutoDevError } from '../core/errors';

export type TrustedAction = 'deploy' | 'fix';

/** Throws a clear error when the workspace is not trusted. Pure so the extension-host tests can prove the rule. */
export function assertTrusted(isTrusted: boolean, action: TrustedAction): void {
  if (isTrusted) return;
  const what = action === 'deploy' ? 'deploy (build and run) this workspace' : 'send this workspace\'s code to a model to fix it';
  throw new AutoDevError(
    'Untrusted',
    `AutoDev will not ${what}: the workspace is not trusted. Use "Workspaces: Manage Workspace Trust" to trust it if you trust its authors.`,
  );
}
