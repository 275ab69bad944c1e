/** A small strict argument parser for the `autodev` CLI: unknown flags are usage errors (exit 2). */
import { AutoDevError } from '../core/errors';

export interface FlagSpec {
  /** 'string' takes a value, 'boolean' does not; 'number' takes a numeric value. */
  [flag: string]: 'string' | 'boolean' | 'number';
}

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean | number>;
}

export function parseArgs(argv: string[], spec: FlagSpec): ParsedArgs {
  const positionals: string[] = [];
  const flags: Record<string, string | boolean | number> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const kind = spec[name];
      if (!kind) throw new AutoDevError('Usage', `unknown flag --${name}`);
      if (kind === 'boolean') {
        if (eq >= 0) throw new AutoDevError('Usage', `--${name} takes no value`);
        flags[name] = true;
        continue;
      }
      const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new AutoDevError('Usage', `--${name} needs a value`);
      if (kind === 'number') {
        const n = Number(value);
        if (!Number.isFinite(n)) throw new AutoDevError('Usage', `--${name} needs a number, got "${value}"`);
        flags[name] = n;
      } else flags[name] = value;
    } else if (a.startsWith('-') && a !== '-') {
      throw new AutoDevError('Usage', `unknown flag ${a}`);
    } else positionals.push(a);
  }
  return { positionals, flags };
}

/** Where a command writes; tests pass their own. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}
