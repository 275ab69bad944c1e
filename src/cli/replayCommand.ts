/**
 * `autodev replay DIR [--json]`: lists the exchanges the recording proxy of `autodev heal DIR` (or the editor) keeps
 * for the running app — masked as recorded. Exit 1 when nothing was recorded for DIR.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AutoDevError } from '../core/errors';
import { readReplayState, replayStatePath, writerAlive } from '../core/replay/replayStateFile';
import { parseArgs, type CliIo } from './args';

export async function replayCommand(argv: string[], io: CliIo): Promise<number> {
  const { positionals, flags } = parseArgs(argv, { json: 'boolean' });
  if (positionals.length !== 1) throw new AutoDevError('Usage', 'replay needs exactly one DIR');
  const dir = path.resolve(io.cwd, positionals[0]);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new AutoDevError('Usage', `${positionals[0]} is not a directory`);
  const state = await readReplayState(dir);
  if (!state) {
    io.stderr.write(`autodev replay: nothing recorded for ${dir} (run "autodev heal ${positionals[0]}" and send requests through its proxy URL)\n`);
    return 1;
  }
  const alive = writerAlive(state);
  if (flags.json) {
    for (const x of state.exchanges) io.stdout.write(JSON.stringify({ kind: 'exchange', ...x }) + '\n');
    io.stdout.write(JSON.stringify({ kind: 'summary', proxyUrl: state.proxyUrl, running: alive, count: state.exchanges.length, file: replayStatePath(dir) }) + '\n');
    return 0;
  }
  io.stdout.write(`${state.proxyUrl ?? 'proxy'} → container port ${state.containerPort}${alive ? '' : ' (the recording process has ended; last recording shown)'}\n`);
  if (!state.exchanges.length) io.stdout.write('no requests recorded yet\n');
  for (const x of state.exchanges) {
    const time = new Date(x.startedAt).toISOString().slice(11, 23);
    const status = x.error ? `ERR ${x.error}` : x.upgrade ? '101 (websocket)' : String(x.status ?? '…');
    const target = `${x.path}${x.query ? `?${x.query}` : ''}`;
    io.stdout.write(`#${x.id}  ${time}  ${x.method.padEnd(7)} ${target}  -> ${status}  ${x.durationMs ?? '…'} ms  (${x.requestBytes} B in, ${x.responseBytes} B out)\n`);
  }
  return 0;
}
