/** Heal events as consumers see them: every string masked by the workspace's masker (see privacy/secretMasker). */
import { maskDeep, type SecretMasker } from '../privacy/secretMasker';
import type { HealEvent } from './healEvents';

/**
 * Kept as they are: the file bodies a patch applies (`original`/`patched`, shown only in the local diff editor) and
 * a ledger payload, which is built from masked text already.
 */
const UNMASKED_KEYS: ReadonlySet<string> = new Set(['original', 'patched', 'payload']);

/** A copy of `e` with every string (state reasons, crash text, verification output, commit message…) masked. */
export function maskHealEvent(e: HealEvent, masker: SecretMasker): HealEvent {
  return maskDeep(e, masker, UNMASKED_KEYS);
}
