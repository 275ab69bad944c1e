/** `autodev replay` — placeholder until its issue lands (owned by the helper building it). */
import { AutoDevError } from '../core/errors';
import type { CliIo } from './args';

export async function replayCommand(_argv: string[], _io: CliIo): Promise<number> {
  throw new AutoDevError('Usage', 'replay is not available yet');
}
