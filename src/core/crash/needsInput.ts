/**
 * Tells a program that wanted input from a crashed one: AutoDev runs apps with stdin closed, so an interactive
 * program (a text game, a prompt) dies reading end-of-file. That is not a bug to send to the fixer: the user
 * runs it with a terminal attached (VS Code) or `--interactive` (CLI).
 */
import type { CrashReport } from './crashReport';

/** Whether `crash` is a read from a closed stdin, in the words each runtime uses. */
export function isStdinEof(crash: CrashReport): boolean {
  const text = `${crash.message}\n${crash.text ?? ''}`;
  switch (crash.language) {
    case 'python':
      // input() on a closed stdin: "EOFError: EOF when reading a line" (also sys.stdin.readline-based prompts).
      return crash.type === 'EOFError';
    case 'java':
      // Scanner.nextLine()/nextInt() on an exhausted System.in.
      return crash.type === 'java.util.NoSuchElementException' && /No line found|Scanner\.next/i.test(text);
    case 'ruby':
      // `gets` returns nil at end of input, and `gets.chomp` is how Ruby prompts are written.
      return crash.type === 'NoMethodError' && /for nil/.test(crash.message) && /\bgets\b/.test(text);
    case 'go':
      // fmt.Scan* / bufio reads return io.EOF, which programs commonly panic on as is.
      return /^(?:EOF|unexpected EOF)$/.test(crash.message.trim());
    case 'rust':
      return /UnexpectedEof|failed to read (?:from )?stdin|read_line/i.test(crash.message);
    default:
      return false;
  }
}

/** What to tell the user about a program that wants input. */
export const NEEDS_INPUT_ADVICE =
  'the app wants input (it read from stdin, which is closed in the container): this is not a bug, so it was not ' +
  'sent to the fixer. Run it with a terminal attached — AutoDev: Open App Terminal in VS Code, `autodev run --interactive DIR` in a shell.';
