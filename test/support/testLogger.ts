/** A Logger for tests: keeps every line (level, component, message) so a test can assert nothing failed silently. */
import type { LogComponent, Logger } from '../../src/core/common/logger';

export interface TestLogger extends Logger {
  readonly lines: { level: 'debug' | 'info' | 'warn' | 'error'; component: LogComponent; message: string; err?: unknown }[];
}

export function testLogger(): TestLogger {
  const lines: TestLogger['lines'] = [];
  return {
    lines,
    debug: (component, message) => void lines.push({ level: 'debug', component, message }),
    info: (component, message) => void lines.push({ level: 'info', component, message }),
    warn: (component, message) => void lines.push({ level: 'warn', component, message }),
    error: (component, message, err) => void lines.push({ level: 'error', component, message, err }),
  };
}
