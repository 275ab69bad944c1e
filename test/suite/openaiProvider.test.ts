/**
 * The same loop with an OpenAI-compatible model instead of the built-in fixer: a scripted fake server on 127.0.0.1
 * (real HTTP, the real `openai` client inside the extension host) answers with edit_file then finish. The runner
 * gives it its own window on a fresh copy of examples/python-divide; it never inherits what the built-in loop left.
 */
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { reply, startFakeLlm, type FakeLlm } from '../support/fakeLlmServer';
import type { AutodevApi } from '../../src/vscode/autodevApi';
import { EventLog, activateAutodev, assertFreshExample } from './suiteSupport';

describe('Heal loop with an OpenAI-compatible model (fake server, key from the environment)', function () {
  let api: AutodevApi;
  let log: EventLog;
  let llm: FakeLlm;
  const key = process.env.AUTODEV_API_KEY ?? '';
  const config = () => vscode.workspace.getConfiguration('autodev');

  before(async function () {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!vscode.workspace.isTrusted || !folder?.uri.fsPath.includes('python-divide') || !key) this.skip();
    assertFreshExample(folder.uri.fsPath, 'python-divide');
    api = await activateAutodev();
    llm = await startFakeLlm((req) => {
      const turns = (req.body?.messages ?? []).filter((m: { role: string }) => m.role === 'assistant').length;
      return turns === 0
        ? reply(req, { toolCalls: [{ name: 'edit_file', arguments: { path: 'app.py', old_text: '    return total / len(people)', new_text: '    return total / len(people) if people else 0.0' } }] })
        : reply(req, { toolCalls: [{ name: 'finish', arguments: { summary: 'An empty table now shares nothing instead of dividing by zero.' } }] });
    });
    const target = vscode.ConfigurationTarget.Workspace;
    await config().update('model.provider', 'openai', target);
    await config().update('model.preset', 'custom', target);
    await config().update('model.baseUrl', llm.url, target);
    await config().update('model.model', 'fake-coder', target);
    log = new EventLog(api);
  });

  after(async () => {
    if (api && api.state !== 'IDLE') await vscode.commands.executeCommand('autodev.stop');
    await llm?.close();
    for (const k of ['model.provider', 'model.preset', 'model.baseUrl', 'model.model']) await config().update(k, undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('sends the trace to the configured endpoint with the key from AUTODEV_API_KEY, and the verified patch is the model\'s', async () => {
    void vscode.commands.executeCommand('autodev.deployWorkspace');
    const { patch } = await log.wait('patch', () => true, 240_000);
    assert.strictEqual(patch.provider, 'openai');
    assert.match(patch.files[0].patched, /return total \/ len\(people\) if people else 0\.0/);
    assert.ok(llm.requests.length >= 2, `${llm.requests.length} request(s)`);
    const first = llm.requests[0];
    assert.strictEqual(first.headers.authorization, `Bearer ${key}`);
    assert.strictEqual(first.body.model, 'fake-coder');
    assert.match(JSON.stringify(first.body.messages), /ZeroDivisionError/);
    assert.ok(llm.requests.every((r) => !r.raw.includes(key)), 'the key never appears in a request body');
    const records = log.events.flatMap((e) => (e.kind === 'model/request' ? [e.record] : []));
    assert.ok(records.length >= 2 && records.every((r) => r.provider === 'openai' && r.model === 'fake-coder'), 'every request is in the ledger');
  });

  it('Accept heals it and the commit names the model', async () => {
    await vscode.commands.executeCommand('autodev.acceptPatch');
    await log.waitForState('HEALED', 120_000);
    const commit = await log.wait('commit');
    assert.match(commit.message, /fake-coder/);
  });
});
