/** `autodev detect FILE|-`: scans a log and prints one crash report per line (NDJSON); nothing for a clean log. */
import { createReadStream, statSync } from 'node:fs';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { AutoDevError } from '../core/errors';
import { CrashScanner } from '../core/crash/crashScanner';
import { MAX_RECORD_LINE } from '../core/crash/logPrefix';
import { createPathMapper } from '../core/crash/pathMapper';
import { parseArgs, type CliIo } from './args';

/**
 * A line longer than this is cut; the rest until the newline is dropped (a 10 MB line must not be held whole).
 * As long as the longest JSON log record the scanner decodes.
 */
const MAX_PENDING = MAX_RECORD_LINE;

export async function detectCommand(argv: string[], io: CliIo): Promise<number> {
  const { positionals, flags } = parseArgs(argv, { workspace: 'string', 'container-workdir': 'string' });
  if (positionals.length !== 1) {
    throw new AutoDevError('Usage', 'detect needs exactly one log file, or - to read standard input');
  }
  const file = positionals[0];
  const fromStdin = file === '-';
  let input: NodeJS.ReadableStream;
  if (fromStdin) input = io.stdin;
  else {
    const full = path.resolve(io.cwd, file);
    let isFile = false;
    try {
      isFile = statSync(full).isFile();
    } catch {
      throw new AutoDevError('NotFound', `log file not found: ${file}. Pass the path of a log file, or - to read standard input.`);
    }
    if (!isFile) throw new AutoDevError('NotFound', `not a file: ${file}. Pass the path of a log file, or - to read standard input.`);
    input = createReadStream(full);
  }

  const workspaceDir = path.resolve(io.cwd, typeof flags.workspace === 'string' ? flags.workspace : '.');
  const containerWorkdir = typeof flags['container-workdir'] === 'string' ? flags['container-workdir'] : '/app';
  // A file is a whole log (a pause while reading means nothing, and results match scanText); stdin may be live.
  const scanner = new CrashScanner({ pathMapper: createPathMapper({ workspaceDir, containerWorkdir }), wholeLog: !fromStdin });
  scanner.onCrash((r) => io.stdout.write(JSON.stringify(r) + '\n'));

  const decoder = new StringDecoder('utf8');
  let pending = '';
  let dropping = false;
  const take = (chunk: string): void => {
    let start = 0;
    let nl = chunk.indexOf('\n');
    while (nl >= 0) {
      const piece = chunk.slice(start, nl);
      if (!dropping) scanner.push(pending ? pending + piece : piece, 'stdout');
      pending = '';
      dropping = false;
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    if (start < chunk.length && !dropping) {
      pending += chunk.slice(start);
      if (pending.length > MAX_PENDING) {
        scanner.push(pending.slice(0, MAX_PENDING), 'stdout');
        pending = '';
        dropping = true;
      }
    }
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(new AutoDevError('Cancelled', 'detect was cancelled'));
      io.signal.addEventListener('abort', onAbort, { once: true });
      input.on('data', (chunk: Buffer | string) => take(typeof chunk === 'string' ? chunk : decoder.write(chunk)));
      input.on('error', (err: Error) => reject(new AutoDevError('NotFound', `cannot read ${file}: ${err.message}`)));
      input.on('end', () => {
        io.signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
    take(decoder.end());
    if (pending && !dropping) scanner.push(pending, 'stdout');
    scanner.flush();
  } finally {
    scanner.dispose();
  }
  return 0;
}
