/** Manual overrides: Deploy, Stop, Restart, Fix now, Pause auto-heal. The host decides; buttons only ask. */
import type { HealState } from '../src/protocol/dtos';
import type { WebviewMessage } from '../src/protocol/messages';

export function Controls({ state, autoHealPaused, post }: { state: HealState; autoHealPaused: boolean; post(m: WebviewMessage): void }) {
  const running = state !== 'IDLE' && state !== 'FAILED';
  return (
    <nav class="controls" aria-label="Manual overrides">
      <button type="button" class="btn primary" data-action="deploy" onClick={() => post({ type: 'deploy' })}>
        ▶ Deploy
      </button>
      <button type="button" class="btn" data-action="stop" disabled={!running} onClick={() => post({ type: 'stop' })}>
        ■ Stop
      </button>
      <button type="button" class="btn" data-action="restart" disabled={!running} onClick={() => post({ type: 'restart' })}>
        ↻ Restart
      </button>
      <button type="button" class="btn" data-action="fix-now" onClick={() => post({ type: 'fix/now' })}>
        ⚡ Fix now
      </button>
      <button
        type="button"
        class={`btn toggle${autoHealPaused ? ' on' : ''}`}
        data-action="pause-auto-heal"
        aria-pressed={autoHealPaused}
        onClick={() => post({ type: 'autoHeal/setPaused', paused: !autoHealPaused })}
      >
        {autoHealPaused ? '▶ Resume auto-heal' : '❚❚ Pause auto-heal'}
      </button>
    </nav>
  );
}
