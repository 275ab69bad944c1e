// Bundles the extension-host test suite (test/suite/index.ts → out/suite/index.js). `vscode` is the host's module;
// mocha is loaded from the repository's node_modules at run time, as @vscode/test-electron suites do.
import { build } from 'esbuild';

await build({
  entryPoints: ['test/suite/index.ts'],
  outfile: 'out/suite/index.js',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  external: ['vscode', 'mocha', 'cpu-features'],
  logLevel: 'warning',
});
