/** The crash card: what crashed, where in the user's code (click opens it), how often; OOM kills get their own actions. */
import type { CrashDto } from '../src/protocol/dtos';
import type { WebviewMessage } from '../src/protocol/messages';
import { formatClock } from './format';

export function CrashCard({ crash, post }: { crash: CrashDto | null; post(m: WebviewMessage): void }) {
  if (!crash) {
    return (
      <section class="panel crash-card empty" aria-label="Crash">
        <h2 class="panel-title">▌CRASH</h2>
        <p class="muted">no crash detected</p>
      </section>
    );
  }
  const c = crash.crash;
  const uf = c.userFrame;
  const file = uf ? uf.workspaceFile ?? uf.file : null;
  const frames = c.frames.slice(0, 8);
  return (
    <section class={`panel crash-card${crash.resourceKill ? ' resource-kill' : ''}`} aria-label="Crash">
      <h2 class="panel-title">
        ▌CRASH <span class="badge danger">{c.language}</span>
        <span class="crash-occurrences" title="occurrences of this signature">×{crash.occurrences}</span>
        <span class="muted small">{formatClock(crash.at)}</span>
      </h2>
      <div class="crash-type">{c.type}</div>
      <div class="crash-message">{c.message}</div>
      {c.causes?.map((cause) => (
        <div class="crash-cause">
          caused by <b>{cause.type}</b>: {cause.message}
        </div>
      ))}
      {uf && file && (
        <button
          type="button"
          class="crash-frame link"
          title="Open in editor"
          onClick={() => post({ type: 'file/open', file, line: uf.line })}
        >
          ⟶ {file}
          {uf.line !== null ? `:${uf.line}` : ''}
          {uf.function ? <span class="muted"> in {uf.function}()</span> : null}
        </button>
      )}
      {crash.resourceKill ? (
        <div class="resource-kill-box">
          <p>
            The process was killed for memory
            {crash.resourceKill.memoryLimitMb ? ` (limit ${crash.resourceKill.memoryLimitMb} MB)` : ''}. This is usually not a code
            bug.
          </p>
          <div class="actions">
            <button type="button" class="btn primary" onClick={() => post({ type: 'memory/raiseLimit' })}>
              Raise limit and restart
            </button>
            <button type="button" class="btn" onClick={() => post({ type: 'crash/askModel' })}>
              Ask the model anyway
            </button>
          </div>
        </div>
      ) : null}
      {frames.length > 0 && (
        <details class="crash-frames">
          <summary>stack ({c.frames.length} frames, innermost first)</summary>
          <ol>
            {frames.map((f) => (
              <li class={f.user ? 'user' : 'lib'}>
                {f.workspaceFile ? (
                  <button type="button" class="link" onClick={() => post({ type: 'file/open', file: f.workspaceFile!, line: f.line })}>
                    {f.workspaceFile}:{f.line ?? '?'}
                  </button>
                ) : (
                  <span>
                    {f.file}:{f.line ?? '?'}
                  </span>
                )}
                {f.function ? <span class="muted"> {f.function}</span> : null}
              </li>
            ))}
          </ol>
        </details>
      )}
      {c.text && (
        <details class="crash-trace">
          <summary>raw trace</summary>
          <pre>{c.text.slice(0, 20_000)}</pre>
        </details>
      )}
      <div class="crash-signature muted small" title="signature">
        sig {c.signature}
      </div>
    </section>
  );
}
