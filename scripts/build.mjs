// One esbuild script for the three bundles: extension host, CLI, webview.
import { build } from 'esbuild';
import { mkdirSync, readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };
mkdirSync('dist', { recursive: true });
await Promise.all([
  build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs',
    target: 'node20', external: ['vscode', 'cpu-features', '*.node'], metafile: false }),
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs',
    target: 'node20', external: ['vscode', 'cpu-features', '*.node'], define: { AUTODEV_VERSION: JSON.stringify(version) }, banner: { js: '#!/usr/bin/env node' } }),
  build({ ...common, entryPoints: ['webview/main.tsx'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife',
    target: 'es2022', jsx: 'automatic', jsxImportSource: 'preact' }),
]);
