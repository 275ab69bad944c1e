/** `autodev`: the headless front end of the same core the extension uses. Exit 2 on usage/environment errors. */
import { isAutoDevError } from '../core/errors';
import { maskKnownShapes } from '../core/privacy/secretMasker';
import type { CliIo } from './args';
import { runCommand } from './runCommand';
import { detectCommand } from './detectCommand';
import { fixCommand } from './fixCommand';
import { healCommand } from './healCommand';
import { replayCommand } from './replayCommand';
import { cleanCommand } from './cleanCommand';

declare const AUTODEV_VERSION: string | undefined;

const USAGE = `autodev — deploy, watch and heal crashing apps

Usage:
  autodev run DIR [--entry PATH] [--port N] [--image IMG] [--interactive] [--timeout-seconds N] [ENGINE]
  autodev detect FILE|- [--workspace DIR] [--container-workdir /app]
  autodev fix DIR --trace FILE [--provider builtin|openai] [--base-url URL] [--model M]
  autodev heal DIR [--provider builtin|openai] [--base-url URL] [--model M] [--entry PATH] [--port N]
               [--image IMG] [--yes] [--verify-seconds N] [--no-unsafe-replay] [--max-attempts N] [--commit] [--push]
               [--git-hooks] [--timeout-seconds N] [--json] [ENGINE]
  autodev replay DIR
  autodev clean [DIR...] [--dry-run] [--json] [--docker-host H | --context C]
  autodev --help | --version

API keys come from OPENROUTER_API_KEY, GOOGLE_API_KEY, OPENAI_API_KEY or AUTODEV_API_KEY.
--entry chooses the app when several could run (a file or an app folder, relative to DIR); --port names the
port it listens on when AutoDev should not find it; --image replaces the base image of a generated image (an
app with its own Dockerfile refuses it). AutoDev's git commands run no hooks and no fsmonitor unless --git-hooks.
ENGINE: --docker-host URL (unix://, tcp:// with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, ssh://) or --context NAME (a
Docker context) picks the Docker engine (default: DOCKER_HOST, DOCKER_CONTEXT, then \`docker context use\`); a remote
engine gets the source copied in, never mounted. --kube-context NAME runs the app as a Pod instead (--kube-namespace
NS, --registry HOST/PATH the cluster pulls from, or AUTODEV_REGISTRY); see docs/kubernetes.md.
Exit status: 0 success/healed, 1 not healed / crash exit, 2 usage or environment error, 3 nothing to heal.`;

type Command = (argv: string[], io: CliIo) => Promise<number>;
const COMMANDS: Record<string, Command> = {
  run: runCommand,
  detect: detectCommand,
  fix: fixCommand,
  heal: healCommand,
  replay: replayCommand,
  clean: cleanCommand,
};

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(USAGE + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${typeof AUTODEV_VERSION === 'string' ? AUTODEV_VERSION : 'dev'}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`autodev: unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(USAGE + '\n');
    return 0;
  }
  try {
    return await command(rest, io);
  } catch (err) {
    if (isAutoDevError(err)) {
      // Error text can carry app output (a build log, a trace): masked for known credential shapes.
      io.stderr.write(maskKnownShapes(`autodev ${name}: ${err.message}\n${err.detail ? err.detail + '\n' : ''}`).text);
      if (err.code === 'Usage') io.stderr.write(`\nRun "autodev --help" for usage.\n`);
      return 2;
    }
    io.stderr.write(maskKnownShapes(`autodev ${name}: unexpected error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`).text);
    return 2;
  }
}

if (require.main === module) {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    // First Ctrl-C: stop and clean up; a second one exits at once.
    if (++interrupts > 1) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  }).then(
    (code) => {
      process.exitCode = code;
      // Let stdout drain, then exit even if a handle lingers.
      process.stdout.write('', () => process.exit(code));
    },
    (err) => {
      process.stderr.write(String(err) + '\n');
      process.exit(2);
    },
  );
}
