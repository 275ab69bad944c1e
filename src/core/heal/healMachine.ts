/**
 * The heal loop's one state machine: `transition(state, trigger)` over named triggers. Every state change of the
 * session goes through it; consumers read the trigger and the incident/deployment ids of the state event instead of
 * guessing from `(previous, state)` pairs.
 */

export type HealState =
  | 'IDLE'
  | 'DEPLOYING'
  | 'RUNNING'
  | 'CRASHED'
  | 'FIXING'
  | 'VERIFYING'
  | 'REVIEW'
  /** A reviewed (or autonomous) patch is applied to the workspace and the app is watched in place. */
  | 'APPLYING'
  | 'HEALED'
  | 'FAILED';

export const HEAL_STATES: readonly HealState[] = ['IDLE', 'DEPLOYING', 'RUNNING', 'CRASHED', 'FIXING', 'VERIFYING', 'REVIEW', 'APPLYING', 'HEALED', 'FAILED'];


/** What happened, by name. `patchRejected` carries whether the app still runs (it decides RUNNING or CRASHED). */
export type HealTrigger =
  | { name: 'deployRequested' }
  | { name: 'deployFailed' }
  | { name: 'appStarted' }
  | { name: 'restarted' }
  | { name: 'appExited' }
  | { name: 'crashDetected' }
  | { name: 'fixStarted' }
  | { name: 'attemptStarted' }
  | { name: 'patchWritten' }
  | { name: 'patchProposed' }
  | { name: 'patchAccepted' }
  | { name: 'patchRejected'; appRunning: boolean }
  | { name: 'patchConflicted' }
  | { name: 'watchPassed' }
  | { name: 'fixFailed' }
  | { name: 'gaveUp' }
  | { name: 'fixCancelled' }
  | { name: 'stopped' };

export type HealTriggerName = HealTrigger['name'];

interface Rule {
  /** States the trigger may fire in. The target itself listed here means a self-transition that is reported. */
  from: readonly HealState[];
  to: HealState | ((t: HealTrigger) => HealState);
  /** A lenient trigger is ignored where it is not allowed (teardown paths); a strict one is a bug there. */
  lenient?: boolean;
}

const ALL = HEAL_STATES;
const IN_INCIDENT: readonly HealState[] = ['DEPLOYING', 'RUNNING', 'CRASHED', 'FIXING', 'VERIFYING', 'REVIEW', 'APPLYING'];

/**
 * The table. Forward path: deployRequested → appStarted → crashDetected → fixStarted → patchWritten (VERIFYING, the
 * scratch check) → patchProposed (REVIEW) → patchAccepted (APPLYING, the in-place watch) → watchPassed (HEALED).
 * Back-edges: the next attempt (attemptStarted), a re-plan after a conflict on apply (patchConflicted), a fix
 * cancelled by a restart/redeploy/stop (fixCancelled), failure from any incident state (fixFailed, gaveUp).
 */
export const HEAL_RULES: Readonly<Record<HealTriggerName, Rule>> = {
  deployRequested: { from: ALL.filter((s) => s !== 'DEPLOYING'), to: 'DEPLOYING' },
  deployFailed: { from: ['DEPLOYING'], to: 'FAILED' },
  appStarted: { from: ['DEPLOYING'], to: 'RUNNING' },
  restarted: { from: ['IDLE', 'DEPLOYING', 'RUNNING', 'CRASHED', 'REVIEW', 'HEALED', 'FAILED'], to: 'RUNNING' },
  appExited: { from: ['RUNNING'], to: 'IDLE' },
  crashDetected: { from: ['DEPLOYING', 'RUNNING', 'HEALED', 'FAILED'], to: 'CRASHED', lenient: true },
  fixStarted: { from: ['RUNNING', 'CRASHED', 'HEALED', 'FAILED'], to: 'FIXING' },
  attemptStarted: { from: ['VERIFYING'], to: 'FIXING' },
  patchWritten: { from: ['FIXING'], to: 'VERIFYING' },
  patchProposed: { from: ['VERIFYING'], to: 'REVIEW' },
  patchAccepted: { from: ['REVIEW'], to: 'APPLYING' },
  patchRejected: { from: ['REVIEW'], to: (t) => (t.name === 'patchRejected' && t.appRunning ? 'RUNNING' : 'CRASHED') },
  patchConflicted: { from: ['APPLYING'], to: 'FIXING' },
  watchPassed: { from: ['APPLYING'], to: 'HEALED' },
  fixFailed: { from: IN_INCIDENT, to: 'FAILED', lenient: true },
  gaveUp: { from: IN_INCIDENT, to: 'FAILED', lenient: true },
  fixCancelled: { from: ['FIXING', 'VERIFYING', 'REVIEW', 'APPLYING'], to: 'CRASHED', lenient: true },
  stopped: { from: ALL.filter((s) => s !== 'IDLE'), to: 'IDLE', lenient: true },
};

/** The outcome of a trigger: a new state (`changed`), the same state (nothing to report), or refused. */
export type Step = { kind: 'changed'; state: HealState } | { kind: 'unchanged' } | { kind: 'refused' };

/**
 * Applies `trigger` to `state`. A trigger whose target is the current state is `unchanged` (nothing is reported)
 * unless the table lists that self-transition; a trigger not allowed in `state` is `refused`.
 */
export function step(state: HealState, trigger: HealTrigger): Step {
  const rule = HEAL_RULES[trigger.name];
  const to = typeof rule.to === 'function' ? rule.to(trigger) : rule.to;
  if (rule.from.includes(state)) return { kind: 'changed', state: to };
  if (to === state) return { kind: 'unchanged' };
  return { kind: 'refused' };
}

/** The state after `trigger`, or null when the trigger is not allowed in `state`. */
export function transition(state: HealState, trigger: HealTrigger): HealState | null {
  const s = step(state, trigger);
  return s.kind === 'changed' ? s.state : s.kind === 'unchanged' ? state : null;
}

export function isLenient(trigger: HealTrigger): boolean {
  return HEAL_RULES[trigger.name].lenient === true;
}

export interface StateChange {
  state: HealState;
  previous: HealState;
  trigger: HealTriggerName;
  at: number;
  reason?: string;
}

/** Holds the current state. A strict trigger that is refused throws (a bug in the loop, never user input). */
export class HealMachine {
  private current: HealState = 'IDLE';

  constructor(private readonly onChange: (change: StateChange) => void, private readonly now: () => number = Date.now) {}

  get state(): HealState {
    return this.current;
  }

  /** Fires `trigger`; returns whether the state changed (a lenient trigger that is not allowed returns false). */
  fire(trigger: HealTrigger, reason?: string): boolean {
    const from = this.current;
    const s = step(from, trigger);
    if (s.kind === 'unchanged') return false;
    if (s.kind === 'refused') {
      if (isLenient(trigger)) return false;
      throw new Error(`illegal heal trigger ${trigger.name} in ${from}${reason ? ` (${reason})` : ''}`);
    }
    this.current = s.state;
    this.onChange({ state: s.state, previous: from, trigger: trigger.name, at: this.now(), ...(reason ? { reason } : {}) });
    return true;
  }
}
