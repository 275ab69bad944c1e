/** The heal state in big letters, with the timeline of transitions (rendered as given by the host, never derived). */
import type { HealState, Snapshot } from '../src/protocol/dtos';
import { formatClock, formatDuration } from './format';

const STATE_HINTS: Record<HealState, string> = {
  IDLE: 'no app deployed',
  DEPLOYING: 'building and starting the container',
  RUNNING: 'app is up · watching the stream',
  CRASHED: 'crash detected',
  FIXING: 'agent is working on a patch',
  VERIFYING: 'replaying the crash against the patch in a scratch container',
  REVIEW: 'verified patch waiting for your review',
  APPLYING: 'patch applied · watching the app run on it',
  HEALED: 'patched, restarted, crash gone',
  FAILED: 'could not heal · see the log',
};

export function StateBanner({ state, timeline }: { state: HealState; timeline: Snapshot['timeline'] }) {
  const last = timeline[timeline.length - 1];
  const recent = timeline.slice(-12);
  return (
    <section class={`panel state-banner st-${state}`} aria-label="Heal state">
      <div class="state-main">
        <span class="state-label">STATE</span>
        <span class="state-name" role="status" aria-live="polite">{state}</span>
        <span class="state-hint">{last?.reason ?? STATE_HINTS[state]}</span>
      </div>
      <ol class="timeline" aria-label="State transitions">
        {recent.map((t, i) => {
          const prev = recent[i - 1] ?? timeline[timeline.length - recent.length - 1];
          return (
            <li key={`${t.at}-${i}`} class={`tl-item st-${t.state}`} title={t.reason ?? ''}>
              <span class="tl-state">{t.state}</span>
              <span class="tl-time">{prev ? `+${formatDuration(t.at - prev.at)}` : formatClock(t.at)}</span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
