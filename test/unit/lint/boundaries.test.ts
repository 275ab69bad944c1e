import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { ESLint } from 'eslint';

const ROOT = path.resolve(__dirname, '../../..');

/** Lints `code` as if it were the file `rel` of the repository, with the repository's eslint.config.mjs. */
async function problems(rel: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, rel) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('lint: the boundaries the linter enforces (eslint.config.mjs)', function () {
  this.timeout(120_000);

  it('refuses vscode in src/core, even as a type', async () => {
    const found = await problems('src/core/crash/zz.ts', "import type * as vscode from 'vscode';\nexport type X = vscode.Uri;\n");
    assert.ok(found.some((p) => /src\/core never imports vscode/.test(p)), found.join('\n'));
  });

  it('refuses an import of heal/ from another core folder', async () => {
    const found = await problems('src/core/agent/zz.ts', "import type { HealEvent } from '../heal/healEvents';\nexport type X = HealEvent;\n");
    assert.ok(found.some((p) => /heal\/ is the orchestrator/.test(p)), found.join('\n'));
  });

  it('refuses dockerode outside src/core/runtime', async () => {
    const found = await problems('src/vscode/zz.ts', "import Docker from 'dockerode';\nexport const d = new Docker();\n");
    assert.ok(found.some((p) => /dockerode is used only under src\/core\/runtime/.test(p)), found.join('\n'));
    assert.deepEqual(await problems('src/core/runtime/zz.ts', "import Docker from 'dockerode';\nexport const d = new Docker();\n"), []);
  });

  it('lets the webview import only src/protocol/', async () => {
    const bad = await problems('webview/zz.ts', "import type { CrashReport } from '../src/core/crash/crashReport';\nexport type X = CrashReport;\n");
    assert.ok(bad.some((p) => /webview\/ imports only src\/protocol/.test(p)), bad.join('\n'));
    assert.deepEqual(await problems('webview/zz.ts', "import type { Snapshot } from '../src/protocol/dtos';\nexport type X = Snapshot;\n"), []);
  });

  it('asks for `import type` when an import is only used as a type', async () => {
    const found = await problems('src/core/crash/zz.ts', "import { CrashScanner } from './crashScanner';\nexport type X = CrashScanner;\n");
    assert.ok(found.some((p) => p.startsWith('@typescript-eslint/consistent-type-imports')), found.join('\n'));
  });

  it('finds an import cycle in src/core', async () => {
    // runtime/containerOwner.ts imports common/processAlive.ts: processAlive importing it back closes a cycle.
    const found = await problems('src/core/common/processAlive.ts', "import { isOrphan } from '../runtime/containerOwner';\nexport const pidAlive = (pid: number) => isOrphan({ pid: String(pid) });\n");
    assert.ok(found.some((p) => p.startsWith('import-x/no-cycle')), found.join('\n'));
  });
});
