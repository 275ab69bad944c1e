/**
 * Host side of Mission Control, free of `vscode`: turns heal events into the snapshot and pushes protocol
 * messages. Log lines are batched (one flush per ~frame or per 500 lines); everything else goes at once, after
 * pending lines, so the webview sees events in the order they happened.
 */
import type { Disposable } from '../core/lifecycle';
import type { HealEvent, HealState } from '../core/heal/healEvents';
import type { LogStream } from '../core/runtime/containerRuntime';
import type { HostMessage } from '../protocol/messages';
import type { PendingPatch } from '../core/patch/pendingPatch';
import type { LogLineDto, PatchSummaryDto, Snapshot } from '../protocol/dtos';
import { emptySnapshotState, reduceSnapshot, type SnapshotLimits, type SnapshotState } from '../protocol/snapshotReducer';

/** `webview.postMessage` (its Thenable is a PromiseLike), or anything that delivers in order. */
export type PostToWebview = (message: HostMessage) => boolean | PromiseLike<boolean>;

export interface FeedTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface MissionControlFeedOptions {
  /** Lines kept for snapshots (restores after reload / re-show). Default 5000. */
  logTail?: number;
  /** Flush at once when this many lines are pending. Default 500. */
  batchLines?: number;
  /** Otherwise flush this long after the first pending line. Default 16 ms (one frame). */
  flushMs?: number;
  maxTimeline?: number;
  maxActivity?: number;
  maxLedger?: number;
  maxFixes?: number;
  workspaceName?: string | null;
  timers?: FeedTimers;
}

const defaultTimers: FeedTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class MissionControlFeed implements Disposable {
  private readonly opts: Required<Omit<MissionControlFeedOptions, 'workspaceName' | 'timers'>>;
  private readonly timers: FeedTimers;
  private post: PostToWebview | null = null;
  private pending: LogLineDto[] = [];
  private timer: unknown = null;
  private disposed = false;
  // Bounded tail as a ring (no per-line array shifting at high rates).
  private tail: (LogLineDto | undefined)[];
  private tailStart = 0;
  private tailSize = 0;
  private systemSeq = 0;
  private snap: SnapshotState;
  private readonly limits: SnapshotLimits;

  constructor(options: MissionControlFeedOptions = {}) {
    this.opts = {
      logTail: options.logTail ?? 5000,
      batchLines: options.batchLines ?? 500,
      flushMs: options.flushMs ?? 16,
      maxTimeline: options.maxTimeline ?? 200,
      maxActivity: options.maxActivity ?? 200,
      maxLedger: options.maxLedger ?? 100,
      maxFixes: options.maxFixes ?? 200,
    };
    this.timers = options.timers ?? defaultTimers;
    this.tail = new Array(Math.max(1, this.opts.logTail));
    this.limits = { timeline: this.opts.maxTimeline, activity: this.opts.maxActivity, ledger: this.opts.maxLedger, fixes: this.opts.maxFixes };
    this.snap = emptySnapshotState(options.workspaceName ?? null);
  }

  get state(): HealState {
    return this.snap.state;
  }

  get attached(): boolean {
    return this.post !== null;
  }

  /** Connects a webview and sends it the full snapshot (on `ready` and whenever the panel is shown again). */
  attach(post: PostToWebview): void {
    if (this.disposed) return;
    this.post = post;
    this.pending = []; // the snapshot already holds them
    this.cancelTimer();
    this.send({ type: 'state/snapshot', snapshot: this.snapshot() });
  }

  /** The webview is gone or hidden (messages would be dropped); the next attach restores it. */
  detach(): void {
    this.post = null;
    this.pending = [];
    this.cancelTimer();
  }

  snapshot(): Snapshot {
    const logs: LogLineDto[] = [];
    for (let i = 0; i < this.tailSize; i++) logs.push(this.tail[(this.tailStart + i) % this.tail.length]!);
    return {
      ...this.snap,
      timeline: [...this.snap.timeline],
      activity: [...this.snap.activity],
      ledger: [...this.snap.ledger],
      fixes: [...this.snap.fixes],
      logs,
    };
  }

  setWorkspaceName(name: string | null): void {
    this.snap = { ...this.snap, workspaceName: name };
  }

  /** The host's own record of the pause switch (the heal controller owns the behaviour). */
  setAutoHealPaused(paused: boolean): void {
    if (this.snap.autoHealPaused === paused) return;
    this.publish({ type: 'autoHeal/didChange', paused });
  }

  clearLogs(): void {
    this.tailStart = 0;
    this.tailSize = 0;
    this.tail.fill(undefined);
    this.pending = [];
    this.cancelTimer();
    this.sendNow({ type: 'logs/didClear' });
  }

  handle(e: HealEvent): void {
    if (this.disposed) return;
    switch (e.kind) {
      case 'log':
        this.addLine({ seq: e.line.seq, stream: e.line.stream, text: e.line.text, time: e.line.time });
        return;
      case 'build':
        for (const text of e.text.replace(/\r?\n$/, '').split(/\r?\n/)) this.addSystemLine(text);
        return;
      case 'state': {
        // A fresh deploy starts a new story: the old crash and patch no longer describe the running code.
        const fresh = e.trigger === 'deployRequested';
        const clearCrash = fresh && this.snap.crash !== null;
        const clearPatch = fresh && this.snap.patch !== null;
        this.publish({ type: 'state/didChange', state: e.state, at: e.at, reason: e.reason });
        if (clearCrash) this.publish({ type: 'crash/didClear' });
        if (clearPatch) this.publish({ type: 'patch/didClear' });
        return;
      }
      case 'crash':
        this.publish({ type: 'crash/didDetect', crash: { crash: e.crash, occurrences: e.occurrences, at: e.at, resourceKill: e.resourceKill } });
        return;
      case 'crashSeen': {
        // Shown at once; the `crash` event that follows replaces the card with the final report and its count.
        const shown = this.snap.crash;
        const occurrences = shown && shown.crash.signature === e.crash.signature ? shown.occurrences + 1 : 1;
        this.publish({ type: 'crash/didDetect', crash: { crash: e.crash, occurrences, at: e.at } });
        return;
      }
      case 'proxy':
        this.publish({ type: 'proxy/didChange', url: e.url });
        return;
      case 'engine':
        this.publish({ type: 'engine/didChange', engine: e.engine.label });
        return;
      case 'agent/tool':
        this.publish({ type: 'agent/didAct', activity: e.activity });
        return;
      case 'model/request':
        this.publish({ type: 'ledger/didRecord', record: e.record });
        return;
      case 'patch':
        this.publish({ type: 'patch/didPropose', patch: { patch: patchSummary(e.patch), verification: e.verification } });
        return;
      case 'fix':
        this.publish({ type: 'fix/didUpdate', fix: e.fix });
        // A rejected or failed patch is off the table; an applied one stays visible with its status.
        if (this.snap.patch?.patch.id === e.fix.id && ['rejected', 'failed', 'reverted'].includes(e.fix.status)) this.publish({ type: 'patch/didClear' });
        return;
      case 'verify':
        this.addSystemLine(`[verify] attempt ${e.attempt}: ${e.result.passed ? 'passed' : 'failed'} — ${e.result.checks.map((c) => `${c.passed ? '✓' : '✗'} ${c.name}`).join(', ')}`);
        return;
      case 'budget/warn':
        this.addSystemLine(`[budget] ${e.message}`);
        return;
      case 'commit':
        this.addSystemLine(`[git] committed ${e.sha.slice(0, 7)}${e.branch ? ` on ${e.branch}` : ''}: ${e.message.split('\n')[0]}`);
        return;
      case 'push':
        this.addSystemLine(`[git] push ${e.ok ? 'ok' : 'failed'}: ${e.message}`);
        return;
      case 'error':
        this.addSystemLine(`[error] ${e.code}: ${e.message}`);
        return;
      case 'done':
        this.addSystemLine(`[heal] ${e.healed ? 'healed' : e.unverified ? 'unverified (not healed, nothing applied)' : 'not healed'}: ${e.reason}`);
        return;
    }
  }

  /** Sends pending log lines now. */
  flush(): void {
    this.cancelTimer();
    if (!this.pending.length) return;
    const lines = this.pending;
    this.pending = [];
    this.send({ type: 'logs/didAppend', lines });
  }

  dispose(): void {
    this.disposed = true;
    this.detach();
  }

  private addSystemLine(text: string): void {
    this.addLine({ seq: --this.systemSeq, stream: 'system' as LogStream, text, time: Date.now() });
  }

  private addLine(line: LogLineDto): void {
    const cap = this.tail.length;
    if (this.tailSize < cap) {
      this.tail[(this.tailStart + this.tailSize) % cap] = line;
      this.tailSize++;
    } else {
      this.tail[this.tailStart] = line;
      this.tailStart = (this.tailStart + 1) % cap;
    }
    if (!this.post) return;
    this.pending.push(line);
    if (this.pending.length >= this.opts.batchLines) this.flush();
    else if (this.timer === null) {
      this.timer = this.timers.setTimeout(() => {
        this.timer = null;
        this.flush();
      }, this.opts.flushMs);
    }
  }

  /** A state change: applied to the host's snapshot by the reducer the webview applies it with, then sent. */
  private publish(message: HostMessage): void {
    this.snap = reduceSnapshot(this.snap, message, this.limits);
    this.sendNow(message);
  }

  /** Non-log messages: never behind a batch, never before the lines that preceded them. */
  private sendNow(message: HostMessage): void {
    this.flush();
    this.send(message);
  }

  private send(message: HostMessage): void {
    const post = this.post;
    if (!post) return;
    let result: boolean | PromiseLike<boolean>;
    try {
      result = post(message);
    } catch {
      this.detach(); // the panel is gone; the next attach sends a snapshot
      return;
    }
    if (result === false) this.lost(post);
    else if (result && typeof result === 'object') result.then((ok) => (ok ? undefined : this.lost(post)), () => this.lost(post));
  }

  /** A dropped message means the webview is out of sync: stop sending deltas until the next attach(). */
  private lost(post: PostToWebview): void {
    if (this.post === post) this.detach();
  }

  private cancelTimer(): void {
    if (this.timer !== null) {
      this.timers.clearTimeout(this.timer);
      this.timer = null;
    }
  }
}

/** The wire form of a patch: which files and the diff, not the files' bodies (they stay in the host). */
export function patchSummary(p: PendingPatch): PatchSummaryDto {
  return {
    id: p.id,
    files: p.files.map((f) => ({ path: f.path, created: f.original === null })),
    diff: p.diff,
    summary: p.summary,
    provider: p.provider,
    model: p.model,
    attempt: p.attempt,
    promptTokens: p.promptTokens,
    completionTokens: p.completionTokens,
    ...(p.costUsd !== undefined ? { costUsd: p.costUsd } : {}),
  };
}
