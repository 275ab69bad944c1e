/**
 * Workspace Trust. The runner starts the VS Code server twice: once with --disable-workspace-trust (trusted) and once
 * without it, where the folder opens untrusted; the "untrusted workspace" tests only run in that second window.
 */
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { assertTrusted } from '../../src/vscode/workspaceTrust';
import { activateAutodev, sleep } from './suiteSupport';

/** By name and code: the extension's bundle has its own copy of the AutoDevError class, so instanceof cannot work. */
const hasCode = (e: unknown, code: string): boolean => (e as Error)?.name === 'AutoDevError' && (e as { code?: string }).code === code;

describe('Workspace Trust', () => {
  it('the gate refuses deploy and fix when untrusted and allows them when trusted', () => {
    assert.throws(() => assertTrusted(false, 'deploy'), (e: unknown) => hasCode(e, 'Untrusted') && /not trusted/.test((e as Error).message));
    assert.throws(() => assertTrusted(false, 'fix'), (e: unknown) => hasCode(e, 'Untrusted'));
    assert.doesNotThrow(() => assertTrusted(true, 'deploy'));
  });

  describe('in an untrusted workspace', function () {
    before(function () {
      if (vscode.workspace.isTrusted) this.skip();
    });

    it('refuses to deploy with a clear message and stays IDLE', async () => {
      const api = await activateAutodev();
      await assert.rejects(api.deployWorkspace(), (e: unknown) => hasCode(e, 'Untrusted') && /Manage Workspace Trust/.test((e as Error).message));
      await vscode.commands.executeCommand('autodev.deployWorkspace'); // the command reports, never throws
      await sleep(500);
      assert.strictEqual(api.state, 'IDLE');
      assert.strictEqual(api.workspaceDir, undefined);
    });

    it('ignores the workspace\'s restricted settings (model endpoint, images)', () => {
      const c = vscode.workspace.getConfiguration('autodev');
      // The test workspace sets these; untrusted, VS Code must hand back the defaults.
      assert.strictEqual(c.get('runtime.pythonImage'), 'python:3.12-slim');
      assert.strictEqual(c.get('model.baseUrl'), '');
    });
  });
});
