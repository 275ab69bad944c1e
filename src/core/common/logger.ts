/**
 * The core's logger port: the extension passes its output channel (AutodevLog), the CLI a stderr writer. Core code
 * reports what it would otherwise swallow (a failing listener, a cleanup that failed) here, with a component tag.
 */

/** Component tags, as in the output channel: `[runtime] [crash] [agent] [verify] [git] [webview]`… */
export type LogComponent = 'runtime' | 'crash' | 'agent' | 'model' | 'verify' | 'git' | 'webview' | 'command' | 'review' | 'heal' | 'perf' | 'trust';

export interface Logger {
  debug(component: LogComponent, message: string): void;
  info(component: LogComponent, message: string): void;
  warn(component: LogComponent, message: string): void;
  error(component: LogComponent, message: string, err?: unknown): void;
}

/** A logger writing `[autodev] [component] message` lines (the CLI's stderr); debug lines only when asked. */
export function lineLogger(write: (line: string) => void, options: { debug?: boolean; mask?: (text: string) => string } = {}): Logger {
  const mask = options.mask ?? ((t: string) => t);
  const out = (level: string, component: LogComponent, message: string) => write(mask(`[autodev] ${level}[${component}] ${message}`) + '\n');
  return {
    debug: (c, m) => (options.debug ? out('', c, m) : undefined),
    info: (c, m) => out('', c, m),
    warn: (c, m) => out('warning ', c, m),
    error: (c, m, err) => out('error ', c, `${m}${err instanceof Error ? `: ${err.message}` : err !== undefined ? `: ${String(err)}` : ''}`),
  };
}

/** Reports the rejection of background work that must not fail anything else, instead of `.catch(() => undefined)`. */
export function logFailure(logger: Logger, component: LogComponent, what: string): (err: unknown) => void {
  return (err) => logger.warn(component, `${what} failed: ${err instanceof Error ? err.message : String(err)}`);
}
