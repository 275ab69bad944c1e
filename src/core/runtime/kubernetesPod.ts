/**
 * What AutoDev asks of a Kubernetes cluster, as plain data: the hardened Pod for one run of a workspace (the same
 * promises as the Docker HostConfig: non-root, all capabilities dropped, no privilege escalation, requests and
 * limits, a read-only root with a /tmp emptyDir) and the reading of a pod's status into a ContainerExit.
 * No client import here: the shapes are the Kubernetes API's own (core/v1 Pod).
 */
import * as os from 'node:os';
import type { AppImage, ContainerExit, RuntimeSettings, StartOptions } from './containerRuntime';
import { LABEL, ownerLabels } from './containerOwner';

/** The container's name inside every AutoDev pod. */
export const APP_CONTAINER = 'app';
/** A uid no base image gives a name to; files copied into the image stay world-readable. */
export const RUN_AS_USER = 10001;

/** The fields of core/v1 Pod AutoDev writes or reads (a structural subset of V1Pod). */
export interface PodLike {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; deletionTimestamp?: unknown };
  spec?: Record<string, unknown>;
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    containerStatuses?: Array<{
      name: string;
      state?: {
        running?: { startedAt?: unknown };
        waiting?: { reason?: string; message?: string };
        terminated?: { exitCode: number; signal?: number; reason?: string; message?: string };
      };
    }>;
  };
}

const SIGNALS = new Map<number, string>(Object.entries(os.constants.signals).map(([name, n]) => [n, name]));

/** Label values allow [A-Za-z0-9_.-], at most 63 characters. */
function labelValue(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '') || 'x';
}

export function podName(workspaceId: string, role: StartOptions['role'], run: number, nonce: string): string {
  return `autodev-${workspaceId.slice(0, 12)}-${role}-${run}-${nonce}`.toLowerCase().slice(0, 63);
}

/**
 * The Pod for one run. Ownership (pid, host, start) goes into annotations: its values (e.g. "ticks:123") are not
 * valid label values, and only the `autodev`, workspace and role labels are needed to select.
 */
export function buildPod(name: string, imageRef: string, image: AppImage, options: Pick<StartOptions, 'role' | 'workspaceId' | 'settings'>, readOnlyRoot = true): PodLike {
  const s: RuntimeSettings = options.settings;
  const env = { PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', HOME: '/tmp', ...s.env };
  const cpu = String(Math.max(0.05, s.cpus));
  const memory = `${Math.max(16, Math.round(s.memoryMb))}Mi`;
  return {
    metadata: {
      name,
      labels: { [LABEL.autodev]: '1', [LABEL.workspace]: labelValue(options.workspaceId), [LABEL.role]: options.role },
      annotations: { ...ownerLabels(), 'autodev.image': image.tag },
    },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 2,
      securityContext: { runAsNonRoot: true, runAsUser: RUN_AS_USER, runAsGroup: RUN_AS_USER, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: APP_CONTAINER,
          image: imageRef,
          imagePullPolicy: 'IfNotPresent',
          workingDir: image.workdir,
          env: Object.entries(env).map(([name, value]) => ({ name, value })),
          ports: image.ports.map((containerPort) => ({ containerPort, protocol: 'TCP' })),
          securityContext: {
            allowPrivilegeEscalation: false,
            privileged: false,
            readOnlyRootFilesystem: readOnlyRoot,
            capabilities: { drop: ['ALL'] },
          },
          // Requests equal limits: the app gets what it is promised, and an OOM kill names the same figure.
          resources: { requests: { cpu, memory }, limits: { cpu, memory } },
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        },
      ],
      volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }],
    },
  };
}

export type PodPhase =
  | { kind: 'pending'; reason?: string; message?: string }
  | { kind: 'running' }
  | { kind: 'exited'; exit: ContainerExit; detail?: string };

/** Reasons of a waiting container that will not get better by waiting (kubelet's image and config errors). */
const HOPELESS = /^(ErrImagePull|ImagePullBackOff|InvalidImageName|ErrImageNeverPull|CreateContainerConfigError|CreateContainerError|RunContainerError)$/;

/** Reads a pod's status: still starting (and why), running, or ended with which exit. */
export function podPhase(pod: PodLike, memoryMb: number): PodPhase {
  const status = pod.status ?? {};
  const cs = status.containerStatuses?.find((c) => c.name === APP_CONTAINER);
  const terminated = cs?.state?.terminated;
  if (terminated) {
    const oomKilled = terminated.reason === 'OOMKilled';
    const code = terminated.exitCode;
    const signal = !oomKilled && terminated.signal ? SIGNALS.get(terminated.signal) ?? null : !oomKilled && code > 128 ? SIGNALS.get(code - 128) ?? null : null;
    return { kind: 'exited', exit: { exitCode: code, signal, oomKilled, ...(oomKilled ? { memoryLimitMb: memoryMb } : {}) }, detail: terminated.message };
  }
  if (status.phase === 'Failed' || status.phase === 'Succeeded') {
    // Evicted (node pressure) or deleted before the container ran: the cluster, not the app, ended it.
    return { kind: 'exited', exit: { exitCode: null, signal: null, oomKilled: false, engineRestarted: true }, detail: [status.reason, status.message].filter(Boolean).join(': ') || status.phase };
  }
  if (cs?.state?.running) return { kind: 'running' };
  const waiting = cs?.state?.waiting;
  return { kind: 'pending', reason: waiting?.reason ?? status.reason, message: waiting?.message ?? status.message };
}

/** True when a pending pod will never start by itself. */
export function hopeless(phase: PodPhase): boolean {
  return phase.kind === 'pending' && !!phase.reason && HOPELESS.test(phase.reason);
}
