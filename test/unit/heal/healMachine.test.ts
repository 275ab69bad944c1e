import { strict as assert } from 'node:assert';
import { HEAL_RULES, HEAL_STATES, HealMachine, transition, type HealState, type HealTrigger, type StateChange } from '../../../src/core/heal/healMachine';

const t = (name: Exclude<HealTrigger['name'], 'patchRejected'>): HealTrigger => ({ name }) as HealTrigger;

describe('heal machine', () => {
  it('walks the forward path by named triggers and reports each change with its trigger and previous state', () => {
    const seen: StateChange[] = [];
    const m = new HealMachine((c) => seen.push(c), () => 42);
    for (const name of ['deployRequested', 'appStarted', 'crashDetected', 'fixStarted', 'patchWritten', 'patchProposed', 'patchAccepted', 'watchPassed'] as const) m.fire(t(name));
    assert.equal(m.state, 'HEALED');
    assert.deepEqual(seen.map((c) => `${c.previous}>${c.state}:${c.trigger}`), [
      'IDLE>DEPLOYING:deployRequested', 'DEPLOYING>RUNNING:appStarted', 'RUNNING>CRASHED:crashDetected', 'CRASHED>FIXING:fixStarted',
      'FIXING>VERIFYING:patchWritten', 'VERIFYING>REVIEW:patchProposed', 'REVIEW>APPLYING:patchAccepted', 'APPLYING>HEALED:watchPassed',
    ]);
    assert.equal(seen[0].at, 42);
  });

  it('keeps the scratch check (VERIFYING) and the in-place watch (APPLYING) apart', () => {
    assert.equal(transition('FIXING', t('patchWritten')), 'VERIFYING');
    assert.equal(transition('REVIEW', t('patchAccepted')), 'APPLYING');
    assert.equal(transition('VERIFYING', t('watchPassed')), null, 'a scratch check never heals by itself');
    assert.equal(transition('APPLYING', t('patchProposed')), null);
  });

  const allowed: [HealState, HealTrigger, HealState][] = [
    ['VERIFYING', t('attemptStarted'), 'FIXING'], // next attempt after a refused patch
    ['APPLYING', t('patchConflicted'), 'FIXING'], // re-plan after a conflict on apply
    ['FAILED', t('deployRequested'), 'DEPLOYING'],
    ['HEALED', t('restarted'), 'RUNNING'],
    ['IDLE', t('restarted'), 'RUNNING'], // restart after a clean exit
    ['HEALED', t('crashDetected'), 'CRASHED'],
    ['FIXING', t('deployRequested'), 'DEPLOYING'],
    ['APPLYING', t('fixCancelled'), 'CRASHED'],
    ['REVIEW', { name: 'patchRejected', appRunning: true }, 'RUNNING'],
    ['REVIEW', { name: 'patchRejected', appRunning: false }, 'CRASHED'],
    ['CRASHED', t('fixFailed'), 'FAILED'],
    ['RUNNING', t('fixStarted'), 'FIXING'], // Fix Now after a restart
  ];
  for (const [from, trigger, to] of allowed) {
    it(`${trigger.name} takes ${from} to ${to}`, () => assert.equal(transition(from, trigger), to));
  }

  const refused: [HealState, HealTrigger][] = [
    ['IDLE', t('watchPassed')],
    ['IDLE', t('fixStarted')],
    ['RUNNING', t('patchProposed')],
    ['CRASHED', t('patchAccepted')],
    ['DEPLOYING', t('patchWritten')],
    ['HEALED', { name: 'patchRejected', appRunning: true }],
  ];
  for (const [from, trigger] of refused) {
    it(`refuses ${trigger.name} in ${from}`, () => assert.equal(transition(from, trigger), null));
  }

  it('throws on a refused strict trigger and leaves the state unchanged', () => {
    const m = new HealMachine(() => undefined);
    assert.throws(() => m.fire(t('watchPassed')), /illegal heal trigger watchPassed in IDLE/);
    assert.equal(m.state, 'IDLE');
  });

  it('ignores a lenient trigger where it does not apply (teardown paths)', () => {
    const seen: StateChange[] = [];
    const m = new HealMachine((c) => seen.push(c));
    assert.equal(m.fire(t('stopped')), false);
    assert.equal(m.fire(t('fixFailed')), false);
    assert.equal(m.state, 'IDLE');
    assert.equal(seen.length, 0);
  });

  it('reports a self-transition only where the table lists it (restart while running)', () => {
    const seen: StateChange[] = [];
    const m = new HealMachine((c) => seen.push(c));
    m.fire(t('deployRequested'));
    assert.equal(m.fire(t('deployRequested')), false, 'a second deploy request while deploying is not a change');
    m.fire(t('appStarted'));
    assert.equal(m.fire(t('restarted')), true);
    assert.deepEqual(seen.map((c) => c.state), ['DEPLOYING', 'RUNNING', 'RUNNING']);
  });

  it('has a rule for every trigger and only targets known states', () => {
    for (const [name, rule] of Object.entries(HEAL_RULES)) {
      for (const s of rule.from) assert.ok(HEAL_STATES.includes(s), `${name} from ${s}`);
      if (typeof rule.to === 'string') assert.ok(HEAL_STATES.includes(rule.to), `${name} → ${rule.to}`);
    }
  });

  it('can leave every state by stop, and reach every state from IDLE', () => {
    for (const s of HEAL_STATES) if (s !== 'IDLE') assert.equal(transition(s, t('stopped')), 'IDLE', s);
    const reached = new Set<HealState>(['IDLE']);
    const triggers: HealTrigger[] = [...Object.keys(HEAL_RULES).filter((n) => n !== 'patchRejected').map((n) => t(n as never)), { name: 'patchRejected', appRunning: true }];
    for (let round = 0; round < HEAL_STATES.length; round++) {
      for (const s of [...reached]) for (const tr of triggers) {
        const next = transition(s, tr);
        if (next) reached.add(next);
      }
    }
    assert.deepEqual([...reached].sort(), [...HEAL_STATES].sort());
  });
});
