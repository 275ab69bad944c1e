/**
 * `autodev clean [DIR…] [--dry-run] [--json]`: lists and removes what AutoDev made — its containers (never one a
 * running AutoDev process owns), images, replay files and stale scratch folders; with DIRs, only theirs.
 * Exit 0 when everything listed was removed (or --dry-run), 1 when something could not be.
 */
import * as path from 'node:path';
import { DockerRuntime, workspaceIdFor } from '../core/runtime/dockerRuntime';
import { findLeftovers, removeLeftovers } from '../core/runtime/housekeeping';
import { replayStatePath } from '../core/replay/replayStateFile';
import { parseArgs, type CliIo } from './args';

export async function cleanCommand(argv: string[], io: CliIo): Promise<number> {
  const { positionals, flags } = parseArgs(argv, { 'dry-run': 'boolean', json: 'boolean' });
  const dirs = positionals.map((d) => path.resolve(io.cwd, d));
  const runtime = new DockerRuntime({ dockerHost: io.env.DOCKER_HOST });
  await runtime.ping();
  const items = await findLeftovers(runtime.client, dirs.length ? { workspaceIds: dirs.map(workspaceIdFor), replayFiles: dirs.map(replayStatePath) } : {});
  const json = flags.json === true;
  const out = (o: Record<string, unknown>, text: string) => io.stdout.write(json ? JSON.stringify(o) + '\n' : text + '\n');
  if (items.length === 0) {
    out({ kind: 'done', removed: 0, failed: 0 }, '[autodev] nothing to clean up');
    return 0;
  }
  if (flags['dry-run'] === true) {
    for (const item of items) out({ kind: 'leftover', type: item.kind, id: item.id, description: item.description }, `  ${item.description}`);
    out({ kind: 'done', removed: 0, failed: 0, dryRun: true }, `[autodev] ${items.length} item(s) would be removed (run without --dry-run to remove them)`);
    return 0;
  }
  const result = await removeLeftovers(runtime.client, items);
  for (const item of result.removed) out({ kind: 'removed', type: item.kind, id: item.id, description: item.description }, `  removed ${item.description}`);
  for (const f of result.failed) out({ kind: 'failed', type: f.item.kind, id: f.item.id, description: f.item.description, reason: f.reason }, `  could not remove ${f.item.description}: ${f.reason}`);
  out({ kind: 'done', removed: result.removed.length, failed: result.failed.length }, `[autodev] removed ${result.removed.length} item(s)${result.failed.length ? `, ${result.failed.length} could not be removed` : ''}`);
  return result.failed.length ? 1 : 0;
}
