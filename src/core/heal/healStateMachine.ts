/** The heal loop's one state machine: a transition table every state change goes through. The UI renders it. */
import type { HealState } from './healEvents';

/**
 * Legal transitions. Besides the forward path (IDLE → DEPLOYING → RUNNING → CRASHED → FIXING → VERIFYING → REVIEW
 * → HEALED | FAILED) this allows the back-edges the loop needs: redeploy/restart from any settled state, a new
 * crash while running or after a heal, the next attempt (VERIFYING → FIXING), a re-plan after a conflict on apply
 * (REVIEW → FIXING), a fix cancelled by a restart/redeploy (FIXING/VERIFYING → CRASHED | DEPLOYING), and stop (→ IDLE)
 * from anywhere.
 */
export const HEAL_TRANSITIONS: Readonly<Record<HealState, readonly HealState[]>> = {
  IDLE: ['DEPLOYING'],
  DEPLOYING: ['RUNNING', 'CRASHED', 'FAILED', 'IDLE'],
  RUNNING: ['CRASHED', 'DEPLOYING', 'RUNNING', 'IDLE', 'FAILED'],
  CRASHED: ['FIXING', 'RUNNING', 'DEPLOYING', 'FAILED', 'IDLE', 'CRASHED'],
  FIXING: ['VERIFYING', 'FAILED', 'IDLE', 'FIXING', 'DEPLOYING', 'CRASHED'],
  VERIFYING: ['REVIEW', 'FIXING', 'HEALED', 'FAILED', 'IDLE', 'DEPLOYING', 'CRASHED'],
  REVIEW: ['VERIFYING', 'HEALED', 'FAILED', 'FIXING', 'RUNNING', 'CRASHED', 'DEPLOYING', 'IDLE'],
  HEALED: ['CRASHED', 'DEPLOYING', 'RUNNING', 'IDLE'],
  FAILED: ['DEPLOYING', 'RUNNING', 'CRASHED', 'FIXING', 'IDLE'],
};

export function canTransition(from: HealState, to: HealState): boolean {
  return HEAL_TRANSITIONS[from].includes(to);
}

export interface StateChange {
  state: HealState;
  previous: HealState;
  at: number;
  reason?: string;
}

/** Holds the current state; `go` refuses an illegal transition by throwing (a bug in the loop, never user input). */
export class HealStateMachine {
  private current: HealState = 'IDLE';
  private readonly history: StateChange[] = [];

  constructor(private readonly onChange: (change: StateChange) => void, private readonly now: () => number = Date.now) {}

  get state(): HealState {
    return this.current;
  }

  /** The timeline so far (bounded: the last 200 changes). */
  get timeline(): readonly StateChange[] {
    return this.history;
  }

  go(to: HealState, reason?: string): void {
    const from = this.current;
    if (!canTransition(from, to)) throw new Error(`illegal heal transition ${from} → ${to}${reason ? ` (${reason})` : ''}`);
    this.current = to;
    const change: StateChange = { state: to, previous: from, at: this.now(), ...(reason ? { reason } : {}) };
    this.history.push(change);
    if (this.history.length > 200) this.history.shift();
    this.onChange(change);
  }

  /** Like `go`, but a no-op when the transition is illegal (used on teardown paths such as stop during dispose). */
  tryGo(to: HealState, reason?: string): boolean {
    if (!canTransition(this.current, to)) return false;
    this.go(to, reason);
    return true;
  }
}
