/** `autodev detect` — placeholder until its issue lands (owned by the helper building it). */
import { AutoDevError } from '../core/errors';
import type { CliIo } from './args';

export async function detectCommand(_argv: string[], _io: CliIo): Promise<number> {
  throw new AutoDevError('Usage', 'detect is not available yet');
}
