// `npm run demo`: heals a crashing example with the built-in fixer and shows the commit. Works on a fresh machine:
// installs dependencies if needed, readies Docker (+ offline base images when no registry answers), builds, copies
// examples/python-http-stats into a temp git repo, runs `autodev heal <tmp> --yes --commit`, sends the crashing
// request (GET /stats) through the recording proxy, and prints `git log -1 --stat` and the diff.
//   node scripts/demo.mjs [--example python-worker-keyerror] [--image IMG] [--keep] | --ui (scripts/demo-ui.mjs)
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
if (args.includes('--ui')) {
  // The same example in the real editor UI (code-server): scripts/demo-ui.mjs.
  await import('./demo-ui.mjs');
  await new Promise(() => {});
}
const opt = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const keep = args.includes('--keep');
const say = (text) => console.log(`\x1b[1;32m▶ ${text}\x1b[0m`);
const run = (cmd, argv, opts = {}) => spawnSync(cmd, argv, { stdio: 'inherit', cwd: root, ...opts }).status ?? 1;
const quiet = (cmd, argv) => spawnSync(cmd, argv, { cwd: root, encoding: 'utf8' });

// 1. Dependencies and build.
if (!existsSync(join(root, 'node_modules'))) {
  say('installing dependencies (npm ci)');
  if (run('npm', ['ci', '--no-audit', '--no-fund']) !== 0) process.exit(2);
}
say('building dist/cli.js');
if (run(process.execPath, ['scripts/build.mjs']) !== 0) process.exit(2);

// 2. Docker and a base image: a local one if present, else the official one if a registry answers, else the
//    offline images that scripts/setup.sh builds without a registry.
const dockerOk = () => quiet('docker', ['info', '--format', '{{.ServerVersion}}']).status === 0;
const haveImage = (img) => quiet('docker', ['image', 'inspect', img]).status === 0;
const setup = () => {
  say('readying Docker and the offline base images (scripts/setup.sh integration)');
  return run('bash', ['scripts/setup.sh', 'integration']) === 0 && dockerOk();
};
if (!dockerOk() && !setup()) {
  console.error('demo: Docker is not available; see the output above.');
  process.exit(2);
}
let image = opt('image');
if (!image) {
  if (haveImage('autodev-offline/python:3.11')) image = 'autodev-offline/python:3.11';
  else if (haveImage('python:3.12-slim')) image = 'python:3.12-slim';
  else {
    say('pulling python:3.12-slim');
    if (run('docker', ['pull', '-q', 'python:3.12-slim']) === 0) image = 'python:3.12-slim';
    else if (setup() && haveImage('autodev-offline/python:3.11')) image = 'autodev-offline/python:3.11';
    else {
      console.error('demo: no Python base image could be found, pulled or built; see the output above.');
      process.exit(2);
    }
  }
}

// 3. The example in a temp git repo (examples/ itself is never touched).
let example = opt('example') ?? 'python-http-stats';
if (!existsSync(join(root, 'examples', example))) example = 'python-worker-keyerror';
const dir = mkdtempSync(join(tmpdir(), `autodev-demo-${example}-`));
cpSync(join(root, 'examples', example), dir, { recursive: true });
spawnSync('chmod', ['755', dir]);
const git = (...a) => spawnSync('git', a, { cwd: dir, encoding: 'utf8' });
git('init', '-q', '-b', 'main');
git('config', 'user.email', 'demo@autodev.local');
git('config', 'user.name', 'AutoDev Demo');
git('add', '-A');
git('commit', '-qm', 'the app as it was');
say(`healing ${example} in ${dir} (image ${image})`);

// 4. autodev heal, reading its JSON events to drive the demo and printing them readably.
const child = spawn(process.execPath, [join(root, 'dist/cli.js'), 'heal', dir, '--yes', '--commit', '--image', image, '--verify-seconds', '3', '--timeout-seconds', '300', '--json'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
const stop = () => child.kill('SIGINT');
process.on('SIGINT', stop);
let sentRequest = false;
createInterface({ input: child.stdout }).on('line', (line) => {
  let e;
  try {
    e = JSON.parse(line);
  } catch {
    return console.log(line);
  }
  switch (e.kind) {
    case 'state':
      return console.log(`\x1b[1;36m[${e.state}]\x1b[0m${e.reason ? ` ${e.reason}` : ''}`);
    case 'log':
      return console.log(e.stream === 'system' ? `\x1b[2m[autodev] ${e.text}\x1b[0m` : `  \x1b[2m│\x1b[0m ${e.text}`);
    case 'proxy':
      console.log(`\x1b[1m[proxy]\x1b[0m the app answers through ${e.url}`);
      if (!sentRequest) {
        sentRequest = true;
        setTimeout(async () => {
          console.log(`\x1b[1m[demo]\x1b[0m a user opens ${e.url}/stats …`);
          try {
            const r = await fetch(`${e.url}/stats`);
            console.log(`\x1b[1m[demo]\x1b[0m … and gets HTTP ${r.status}: ${(await r.text()).trim()}`);
          } catch (err) {
            console.log(`\x1b[1m[demo]\x1b[0m … and the request fails: ${err.message}`);
          }
        }, 500);
      }
      return;
    case 'crash':
      return console.log(`\x1b[1;31m[crash]\x1b[0m ${e.type}: ${e.message}${e.file ? ` at ${e.file}:${e.line}` : ''}`);
    case 'agent/tool':
      return console.log(`\x1b[1;35m[agent]\x1b[0m ${e.activity.tool} ${JSON.stringify(e.activity.args).slice(0, 100)}`);
    case 'model/request':
      return console.log(`\x1b[1;35m[model]\x1b[0m ${e.provider}/${e.model}: ${e.files.map((f) => f.path).join(', ')}, ${e.logLines} log lines`);
    case 'verify':
      console.log(`\x1b[1;33m[verify]\x1b[0m attempt ${e.attempt}: ${e.passed ? 'passed' : 'refused'}`);
      for (const c of e.checks) console.log(`   ${c.passed ? '✓' : '✗'} ${c.name}: ${c.detail}`);
      return;
    case 'commit':
      return console.log(`\x1b[1;32m[git]\x1b[0m ${e.sha.slice(0, 10)} ${e.message.split('\n')[0]}`);
    case 'done':
      if (e.reproducer) console.log(`\x1b[1m[evidence]\x1b[0m ${e.reproducer.description} -> ${e.reproducer.before ?? '—'} before, ${e.reproducer.after ?? '—'} after${e.reproducer.note ? ` (${e.reproducer.note})` : ''}`);
      return console.log(e.healed ? `\x1b[1;32m[HEALED]\x1b[0m ${e.mttrMs ? `in ${(e.mttrMs / 1000).toFixed(1)} s` : ''}` : `\x1b[1;31m[not healed]\x1b[0m ${e.reason}`);
    default:
      return;
  }
});
const code = await new Promise((r) => child.on('exit', (c) => r(c ?? 1)));
process.off('SIGINT', stop);

// 5. The commit.
if (code === 0) {
  say('the commit AutoDev made');
  run('git', ['--no-pager', 'log', '-1', '--stat'], { cwd: dir });
  run('git', ['--no-pager', 'show', '--format=', 'HEAD'], { cwd: dir });
}
if (!keep) rmSync(dir, { recursive: true, force: true });
else say(`kept ${dir}`);
process.exit(code);
