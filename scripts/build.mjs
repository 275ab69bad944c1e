// One esbuild script for the three bundles: extension host, CLI, webview.
import { build } from 'esbuild';
import { mkdirSync, readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const production = process.argv.includes('--production');
// dockerode's BuildKit session (gRPC, ~380 KiB) is only used for `version: '2'` builds, which AutoDev never asks
// for; a stub keeps it out of the bundles and fails loudly if that ever changes.
const noBuildKitSession = {
  name: 'no-buildkit-session',
  setup(b) {
    b.onResolve({ filter: /^\.\/session$/ }, (args) =>
      /[\\/]dockerode[\\/]lib$/.test(args.resolveDir) ? { path: 'buildkit-session', namespace: 'autodev-stub' } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'autodev-stub' }, () => ({
      contents: "module.exports = function withSession() { throw new Error('BuildKit sessions are not bundled in AutoDev'); };",
      loader: 'js',
    }));
  },
};
// The Kubernetes runtime (@kubernetes/client-node and its dependencies) is its own bundle, dist/kubernetes.js,
// loaded by `import()` only when a Kubernetes context is chosen: Docker users never load or pay for it.
const kubernetesApart = {
  name: 'kubernetes-apart',
  setup(b) {
    b.onResolve({ filter: /[\\/]kubernetesRuntime$/ }, (args) => (args.kind === 'dynamic-import' ? { path: './kubernetes.js', external: true } : undefined));
  },
};
// docker-modem's SSH transport (ssh2 and its crypto, ~330 KiB) is its own bundle, dist/ssh.js, required only when an
// engine is reached over ssh:// (DOCKER_HOST=ssh://…): everyone else never parses it.
const sshApart = {
  name: 'ssh-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/ssh$/ }, (args) =>
      /[\\/]docker-modem[\\/]lib$/.test(args.resolveDir) ? { path: 'docker-modem-ssh', namespace: 'autodev-ssh' } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'autodev-ssh' }, () => ({
      contents: "module.exports = function sshAgent(opt) { return require(require('path').join(__dirname, 'ssh.js'))(opt); };",
      loader: 'js',
    }));
  },
};
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };
mkdirSync('dist', { recursive: true });
await Promise.all([
  build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs',
    target: 'node20', external: ['vscode', 'cpu-features', '*.node'], plugins: [noBuildKitSession, kubernetesApart, sshApart] }),
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs',
    target: 'node20', external: ['vscode', 'cpu-features', '*.node'], plugins: [noBuildKitSession, kubernetesApart, sshApart], define: { AUTODEV_VERSION: JSON.stringify(version) }, banner: { js: '#!/usr/bin/env node' } }),
  build({ ...common, entryPoints: ['src/core/runtime/kubernetesRuntime.ts'], outfile: 'dist/kubernetes.js', platform: 'node', format: 'cjs',
    target: 'node20', external: ['vscode', 'cpu-features', '*.node'], plugins: [noBuildKitSession, sshApart] }),
  build({ ...common, entryPoints: ['node_modules/docker-modem/lib/ssh.js'], outfile: 'dist/ssh.js', platform: 'node', format: 'cjs',
    target: 'node20', external: ['cpu-features', '*.node'] }),
  build({ ...common, entryPoints: ['webview/main.tsx'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife',
    target: 'es2022', jsx: 'automatic', jsxImportSource: 'preact' }),
]);
