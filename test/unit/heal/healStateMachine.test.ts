import { strict as assert } from 'node:assert';
import { HEAL_STATES } from '../../../src/core/heal/healEvents';
import { HEAL_TRANSITIONS, HealStateMachine, canTransition, type StateChange } from '../../../src/core/heal/healStateMachine';

describe('heal state machine', () => {
  it('walks the forward path from IDLE to HEALED and reports every change with its previous state', () => {
    const seen: StateChange[] = [];
    const sm = new HealStateMachine((c) => seen.push(c), () => 42);
    for (const s of ['DEPLOYING', 'RUNNING', 'CRASHED', 'FIXING', 'VERIFYING', 'REVIEW', 'HEALED'] as const) sm.go(s);
    assert.equal(sm.state, 'HEALED');
    assert.deepEqual(seen.map((c) => `${c.previous}>${c.state}`), [
      'IDLE>DEPLOYING', 'DEPLOYING>RUNNING', 'RUNNING>CRASHED', 'CRASHED>FIXING', 'FIXING>VERIFYING', 'VERIFYING>REVIEW', 'REVIEW>HEALED',
    ]);
    assert.equal(seen[0].at, 42);
  });

  const legal: [string, string][] = [
    ['VERIFYING', 'FIXING'], // next attempt after a refused patch
    ['REVIEW', 'FIXING'], // re-plan after a conflict on accept
    ['FAILED', 'DEPLOYING'], // redeploy
    ['HEALED', 'RUNNING'], // restart
    ['HEALED', 'CRASHED'], // a new crash after a heal
    ['RUNNING', 'CRASHED'],
    ['VERIFYING', 'HEALED'], // autonomous mode skips review
    ['CRASHED', 'FAILED'], // budget or resource kill declined
    ['FIXING', 'DEPLOYING'], // a redeploy cancels the fix in progress
  ];
  for (const [from, to] of legal) {
    it(`allows ${from} → ${to}`, () => assert.ok(canTransition(from as never, to as never)));
  }

  const illegal: [string, string][] = [
    ['IDLE', 'HEALED'],
    ['IDLE', 'FIXING'],
    ['RUNNING', 'HEALED'],
    ['CRASHED', 'REVIEW'],
    ['FIXING', 'HEALED'],
    ['HEALED', 'REVIEW'],
    ['DEPLOYING', 'VERIFYING'],
  ];
  for (const [from, to] of illegal) {
    it(`throws on the illegal transition ${from} → ${to}`, () => {
      const sm = new HealStateMachine(() => undefined);
      // Drive it to `from` along legal edges first.
      const path: Record<string, string[]> = {
        IDLE: [], RUNNING: ['DEPLOYING', 'RUNNING'], CRASHED: ['DEPLOYING', 'RUNNING', 'CRASHED'],
        FIXING: ['DEPLOYING', 'RUNNING', 'CRASHED', 'FIXING'], DEPLOYING: ['DEPLOYING'],
        HEALED: ['DEPLOYING', 'RUNNING', 'CRASHED', 'FIXING', 'VERIFYING', 'HEALED'],
      };
      for (const s of path[from]) sm.go(s as never);
      assert.equal(sm.state, from);
      assert.throws(() => sm.go(to as never), /illegal heal transition/);
      assert.equal(sm.state, from, 'a refused transition leaves the state unchanged');
    });
  }

  it('has an entry for every state and only targets known states', () => {
    for (const s of HEAL_STATES) {
      assert.ok(HEAL_TRANSITIONS[s], s);
      for (const t of HEAL_TRANSITIONS[s]) assert.ok(HEAL_STATES.includes(t), `${s} → ${t}`);
    }
  });

  it('tryGo ignores an illegal transition instead of throwing', () => {
    const sm = new HealStateMachine(() => undefined);
    assert.equal(sm.tryGo('HEALED'), false);
    assert.equal(sm.state, 'IDLE');
    assert.equal(sm.tryGo('DEPLOYING'), true);
  });
});
