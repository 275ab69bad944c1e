/**
 * `autodev clean [DIR…] [--dry-run] [--json] [--docker-host H | --context C]`: lists and removes what AutoDev made —
 * its containers (never one a running AutoDev process owns), images, replay files and stale scratch folders; with
 * DIRs, only theirs. The engine is chosen as for `run` and `heal` (DOCKER_HOST and Docker contexts included).
 * Exit 0 when everything listed was removed (or --dry-run), 1 when something could not be.
 */
import * as path from 'node:path';
import { workspaceIdFor } from '../core/runtime/dockerRuntime';
import { findLeftovers, removeLeftovers } from '../core/runtime/housekeeping';
import { replayStatePath } from '../core/replay/replayStateFile';
import { parseArgs, type CliIo } from './args';
import { ENGINE_FLAGS, enginesFromFlags } from './engineFlags';

export async function cleanCommand(argv: string[], io: CliIo): Promise<number> {
  const { positionals, flags } = parseArgs(argv, { 'dry-run': 'boolean', json: 'boolean', 'docker-host': ENGINE_FLAGS['docker-host'], context: ENGINE_FLAGS.context });
  const dirs = positionals.map((d) => path.resolve(io.cwd, d));
  // The Docker engine that builds (and, without Kubernetes, runs) is where AutoDev's images and containers live.
  const runtime = (await enginesFromFlags(flags, io)).builder;
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
