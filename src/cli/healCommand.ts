/** `autodev heal` — placeholder until its issue lands (owned by the helper building it). */
import { AutoDevError } from '../core/errors';
import type { CliIo } from './args';

export async function healCommand(_argv: string[], _io: CliIo): Promise<number> {
  throw new AutoDevError('Usage', 'heal is not available yet');
}
