/**
 * Bundle sizes of a production build (scripts/build.mjs --production, run in a private copy so the shared dist/
 * stays untouched) and cold activation time: require + activate under a stub `vscode`, no Docker.
 */
import { cpSync, existsSync, mkdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { exec, type BenchPart } from './benchContext';
import { median, round } from './benchStats';

interface Probe {
  requireMs: number;
  activateMs: number;
  ms: number;
  subscriptions: number;
}

export const bundlePart: BenchPart = {
  name: 'bundle',
  keys: ['extensionBundleKb', 'webviewBundleKb', 'activationMs'],
  docker: false,
  timeoutMs: 5 * 60_000,
  async run(ctx) {
    // A copy of what the build reads; node_modules linked, not copied.
    const root = join(ctx.tmp, 'repo');
    mkdirSync(root);
    for (const entry of ['src', 'webview', 'media', 'scripts', 'package.json', 'tsconfig.json']) {
      const from = join(ctx.repoRoot, entry);
      if (existsSync(from)) cpSync(from, join(root, entry), { recursive: true });
    }
    symlinkSync(join(ctx.repoRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
    await exec(process.execPath, ['scripts/build.mjs', '--production'], { cwd: root, timeoutMs: 4 * 60_000 });
    const kb = (file: string) => round(statSync(join(root, 'dist', file)).size / 1024, 1);
    const extensionBundleKb = kb('extension.js');
    const webviewBundleKb = kb('webview.js');
    ctx.note(`production sizes: extension.js ${extensionBundleKb} KiB, webview.js ${webviewBundleKb} KiB, cli.js ${kb('cli.js')} KiB`);

    // Each probe is a fresh Node process: a cold require, as when VS Code activates the extension.
    const probes: Probe[] = [];
    const runs = ctx.size(7, 2);
    let activationMs: number | null = null;
    try {
      for (let i = 0; i < runs; i++) {
        const out = await exec(process.execPath, [join(ctx.repoRoot, 'bench', 'activationProbe.cjs'), join(root, 'dist', 'extension.js'), root], {
          cwd: root,
          timeoutMs: 30_000,
          // No Docker: activation must not depend on the engine.
          env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
        });
        probes.push(JSON.parse(out.split('\n').pop()!) as Probe);
      }
      activationMs = median(probes.map((p) => p.ms));
      ctx.note(
        `activation over ${runs} cold processes: median ${round(activationMs, 1)} ms (require ${round(median(probes.map((p) => p.requireMs)), 1)} ms + activate ${round(median(probes.map((p) => p.activateMs)), 1)} ms), ${probes[0].subscriptions} subscriptions registered`,
      );
    } catch (err) {
      ctx.note(`activation could not be measured: ${err instanceof Error ? err.message.split('\n').slice(0, 6).join(' | ') : String(err)}`);
    }
    return { extensionBundleKb, webviewBundleKb, activationMs };
  },
};
