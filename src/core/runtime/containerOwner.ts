/**
 * Who owns an AutoDev container: labels written at create time (pid, host, process start) and the check that
 * finds orphans. Only same-host pids can be checked; containers from another host are never touched.
 */
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { pidAlive } from '../common/processAlive';

export const LABEL = {
  autodev: 'autodev',
  workspace: 'autodev.workspace',
  role: 'autodev.role',
  ownerPid: 'autodev.owner.pid',
  ownerHost: 'autodev.owner.host',
  ownerStart: 'autodev.owner.start',
} as const;

/**
 * A process's start time as the kernel reports it (/proc/<pid>/stat field 22, clock ticks since boot), which
 * tells a reused pid from the original. Undefined where /proc is not available.
 */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: fields resume after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** Labels that identify this process as the owner. */
export function ownerLabels(): Record<string, string> {
  const ticks = processStartTicks(process.pid);
  return {
    [LABEL.ownerPid]: String(process.pid),
    [LABEL.ownerHost]: os.hostname(),
    [LABEL.ownerStart]: ticks !== undefined ? `ticks:${ticks}` : `ms:${Math.round(Date.now() - process.uptime() * 1000)}`,
  };
}


/** True when the container's labels name an owner on this host that is no longer running. */
export function isOrphan(labels: Record<string, string>): boolean {
  if (labels[LABEL.ownerHost] !== os.hostname()) return false;
  const pid = Number(labels[LABEL.ownerPid]);
  // Malformed ownership on this host cannot belong to a live AutoDev: treat as orphaned.
  if (!Number.isInteger(pid) || pid <= 0) return true;
  if (!pidAlive(pid)) return true;
  const recorded = labels[LABEL.ownerStart];
  if (recorded?.startsWith('ticks:')) {
    const now = processStartTicks(pid);
    // Same pid, different start time: the owner died and the pid was reused.
    if (now !== undefined && `ticks:${now}` !== recorded) return true;
  }
  return false;
}
