/**
 * A kill for memory is not a code bug: the runner opens a workspace named `oom-*` whose app needs ~100 MiB under a
 * 64 MiB limit. AutoDev reports "killed for memory", does not ask the model, and "Raise Memory Limit and Restart"
 * (the notification's first action runs this same command) brings it up healthy.
 */
import * as assert from 'node:assert';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AutodevApi } from '../../src/vscode/autodevApi';
import { EventLog, activateAutodev, sleep } from './suiteSupport';

describe('Resource kill (OOM) in VS Code, real Docker', function () {
  let api: AutodevApi;
  let log: EventLog;

  before(async function () {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!vscode.workspace.isTrusted || !folder || !path.basename(folder.uri.fsPath).startsWith('oom-')) this.skip();
    api = await activateAutodev();
    log = new EventLog(api);
  });

  after(async () => {
    if (api && api.state !== 'IDLE') await vscode.commands.executeCommand('autodev.stop');
  });

  it('reports "killed for memory: limit 64 MiB" and does not send it to the model', async () => {
    void vscode.commands.executeCommand('autodev.deployWorkspace');
    const crash = await log.wait('crash', (e) => Boolean(e.resourceKill), 180_000);
    assert.strictEqual(crash.resourceKill?.memoryLimitMb, 64);
    await log.waitForState('CRASHED');
    await sleep(2000);
    assert.ok(!log.states().includes('FIXING'), `states: ${log.states().join(' → ')}`);
    assert.ok(!log.events.some((e) => e.kind === 'agent/tool' || e.kind === 'model/request'), 'nothing went to a model');
  });

  it('"Raise Memory Limit and Restart" restarts the app healthy with a higher limit', async () => {
    const before = log.events.length;
    await vscode.commands.executeCommand('autodev.raiseMemoryLimit');
    await log.wait('log', (e) => /allocated 100 MiB/.test(e.line.text), 60_000);
    await sleep(2000);
    const after = log.events.slice(before);
    assert.ok(!after.some((e) => e.kind === 'crash'), 'no new crash after raising the limit');
    assert.strictEqual(api.state, 'RUNNING');
  });
});
