// The boundaries of the code, enforced (GitLens' eslint.config.mjs): core never imports the editor, dockerode stays in
// the runtime, the webview sees only the protocol, nothing in core imports the orchestrator back, no import cycles in
// core, and `import type` for types.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

const CORE_FOLDERS_BELOW_HEAL = ['agent', 'common', 'crash', 'git', 'patch', 'privacy', 'replay', 'runtime'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', '.vscode-test/**', 'test/fixtures/**', 'examples/**', 'media/**', '**/*.js', '**/*.cjs'] },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { ecmaVersion: 2022, sourceType: 'module', ecmaFeatures: { jsx: true } },
    },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.mts', '.js'],
      'import-x/resolver': { node: { extensions: ['.ts', '.tsx', '.mts', '.js', '.json'] } },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
    },
  },
  // core/: plain TypeScript. No editor, no front end, no protocol; the orchestrator (heal/) is imported by nobody in core.
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/core never imports vscode (not even types): put editor code in src/vscode/.' }],
        patterns: [
          { group: ['**/vscode/**', '**/cli/**', '**/protocol', '**/protocol/**', '**/container', '**/constants'], message: 'src/core does not import the front ends or the wire.' },
        ],
      }],
      'import-x/no-restricted-paths': ['error', {
        zones: CORE_FOLDERS_BELOW_HEAL.map((f) => ({
          target: `./src/core/${f}`,
          from: './src/core/heal',
          message: 'heal/ is the orchestrator: it imports the other core folders, never the reverse (move the type to its owner).',
        })),
      }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  // dockerode only in the runtime (the scratch verifier's own client goes when the runtime port's exec replaces it).
  {
    files: ['src/**/*.ts'],
    ignores: ['src/core/runtime/**', 'src/core/heal/scratchVerifier.ts'],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: "ImportDeclaration[source.value='dockerode']",
        message: 'dockerode is used only under src/core/runtime/ (go through ContainerRuntime / ContainerSession).',
      }],
    },
  },
  // The webview is another bundle in another process: it sees only the wire protocol (and Preact).
  {
    files: ['webview/**/*.ts', 'webview/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'The webview runs in a browser: no vscode module.' }],
        patterns: [
          { regex: '^\\.\\./src/(?!protocol/)', message: 'webview/ imports only src/protocol/ (the DTOs and messages).' },
          { regex: '^node:', message: 'The webview runs in a browser: no Node modules.' },
        ],
      }],
    },
  },
);
