/** `autodev fix` — placeholder until its issue lands (owned by the helper building it). */
import { AutoDevError } from '../core/errors';
import type { CliIo } from './args';

export async function fixCommand(_argv: string[], _io: CliIo): Promise<number> {
  throw new AutoDevError('Usage', 'fix is not available yet');
}
