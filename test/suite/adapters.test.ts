/** The VS Code adapters on their own, in a real extension host: patch applier, confirm-before-send, vscode.lm mapping. */
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { WorkspaceEditPatchApplier } from '../../src/vscode/workspaceEditPatchApplier';
import { ConfirmingProvider } from '../../src/vscode/confirmingProvider';
import { toLmMessages } from '../../src/vscode/vscodeLmProvider';
import { VsCodeGitPort, getGitApi, pushError } from '../../src/vscode/vscodeGitPort';
import { execFileSync } from 'node:child_process';
import type { CompletionRequest, LlmProvider } from '../../src/core/agent/llmProvider';
import type { PendingPatch } from '../../src/core/patch/pendingPatch';

const hasCode = (e: unknown, code: string): boolean => (e as Error)?.name === 'AutoDevError' && (e as { code?: string }).code === code;

function patchFor(file: string, original: string | null, patched: string): PendingPatch {
  return { id: 'p1', files: [{ path: file, original, patched }], diff: '', summary: 's', provider: 'builtin', model: 'm', attempt: 1, promptTokens: 0, completionTokens: 0 };
}

describe('WorkspaceEditPatchApplier', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autodev-applier-'));
  });
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('applies a patch, saves it, and reverts it byte-for-byte (CRLF and no trailing newline kept)', async () => {
    const original = 'a = 1\r\nb = 2';
    fs.writeFileSync(path.join(dir, 'x.py'), original);
    const patch = patchFor('x.py', original, 'a = 1\r\nb = 3');
    const applier = new WorkspaceEditPatchApplier();
    await applier.apply(dir, patch);
    assert.strictEqual(fs.readFileSync(path.join(dir, 'x.py'), 'utf8'), 'a = 1\r\nb = 3');
    await applier.revert(dir, patch);
    assert.strictEqual(fs.readFileSync(path.join(dir, 'x.py'), 'utf8'), original);
  });

  it('refuses with PatchConflict when an open editor has unsaved changes, and changes nothing', async () => {
    fs.writeFileSync(path.join(dir, 'x.py'), 'v = 1\n');
    const doc = await vscode.workspace.openTextDocument(path.join(dir, 'x.py'));
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(0, 0), '# mine\n');
    await vscode.workspace.applyEdit(edit);
    assert.ok(doc.isDirty);
    await assert.rejects(new WorkspaceEditPatchApplier().apply(dir, patchFor('x.py', 'v = 1\n', 'v = 2\n')), (e: unknown) => hasCode(e, 'PatchConflict'));
    assert.strictEqual(doc.getText(), '# mine\nv = 1\n');
    assert.strictEqual(fs.readFileSync(path.join(dir, 'x.py'), 'utf8'), 'v = 1\n');
  });

  it('creates a new file and removes it again on revert', async () => {
    const patch = patchFor('pkg/new.py', null, 'x = 1\n');
    const applier = new WorkspaceEditPatchApplier();
    await applier.apply(dir, patch);
    assert.strictEqual(fs.readFileSync(path.join(dir, 'pkg/new.py'), 'utf8'), 'x = 1\n');
    await applier.revert(dir, patch);
    assert.ok(!fs.existsSync(path.join(dir, 'pkg/new.py')));
  });

  it('refuses a path outside the workspace', async () => {
    await assert.rejects(new WorkspaceEditPatchApplier().apply(dir, patchFor('../evil.py', null, 'x')), (e: unknown) => hasCode(e, 'PathRefused'));
    assert.ok(!fs.existsSync(path.join(path.dirname(dir), 'evil.py')));
  });

  it('checks every file again with the core path policy: .git, hooks, editor and CI files, symlinks', async () => {
    fs.mkdirSync(path.join(dir, 'real'));
    fs.symlinkSync(path.join(dir, 'real'), path.join(dir, 'link'));
    for (const bad of ['.git/hooks/post-commit', '.husky/pre-commit', '.vscode/tasks.json', '.github/workflows/ci.yml', '.env', 'link/x.py', 'app.py.', 'GIT~1/config']) {
      await assert.rejects(new WorkspaceEditPatchApplier().apply(dir, patchFor(bad, null, 'x')), (e: unknown) => hasCode(e, 'PathRefused'), bad);
    }
    assert.ok(!fs.existsSync(path.join(dir, 'real', 'x.py')));
  });
});

describe('privacy.confirmBeforeSend (ConfirmingProvider)', () => {
  const request: CompletionRequest = {
    messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'Traceback… token=[REDACTED:token] in app.py' }],
    tools: [{ name: 'read_file', description: 'd', parameters: {} }],
  };
  const inner = (calls: CompletionRequest[]): LlmProvider => ({
    id: 'openai', model: 'm',
    complete: async (r) => {
      calls.push(r);
      return { message: { role: 'assistant', content: 'ok' } };
    },
  });

  it('shows exactly the (already masked) request and sends it only after Send', async () => {
    const calls: CompletionRequest[] = [];
    const asked: { summary: string; payload: string }[] = [];
    const p = new ConfirmingProvider(inner(calls), async (summary, payload) => (asked.push({ summary, payload }), true));
    await p.complete(request);
    assert.strictEqual(calls.length, 1);
    assert.deepStrictEqual(JSON.parse(asked[0].payload), { model: 'm', messages: request.messages, tools: ['read_file'] });
    assert.match(asked[0].summary, /2 message\(s\).*1 masked value.*openai\/m/);
  });

  it('sends nothing on Cancel', async () => {
    const calls: CompletionRequest[] = [];
    const p = new ConfirmingProvider(inner(calls), async () => false);
    await assert.rejects(p.complete(request), (e: unknown) => hasCode(e, 'Cancelled'));
    assert.strictEqual(calls.length, 0);
  });
});

describe('vscode.lm message mapping', () => {
  it('maps tool calls and tool results to LanguageModelToolCallPart / LanguageModelToolResultPart', () => {
    const out = toLmMessages([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'crash' },
      { role: 'assistant', content: null, toolCalls: [{ id: 'c1', name: 'read_file', arguments: '{"path":"app.py"}' }] },
      { role: 'tool', toolCallId: 'c1', content: 'print(1)' },
    ]);
    assert.strictEqual(out.length, 4);
    assert.strictEqual(out[0].role, vscode.LanguageModelChatMessageRole.User);
    const call = out[2].content[0] as vscode.LanguageModelToolCallPart;
    assert.ok(call instanceof vscode.LanguageModelToolCallPart);
    assert.deepStrictEqual([call.callId, call.name, call.input], ['c1', 'read_file', { path: 'app.py' }]);
    const result = out[3].content[0] as vscode.LanguageModelToolResultPart;
    assert.ok(result instanceof vscode.LanguageModelToolResultPart);
    assert.strictEqual(result.callId, 'c1');
    assert.strictEqual((result.content[0] as vscode.LanguageModelTextPart).value, 'print(1)');
  });
});

describe('VsCodeGitPort (built-in git extension)', () => {
  it('maps the git extension\'s push errors to clear typed errors', () => {
    assert.ok(hasCode(pushError({ gitErrorCode: 'PushRejected', stderr: '! [rejected] main -> main (fetch first)' }), 'PushRejected'));
    assert.match(pushError({ gitErrorCode: 'PushRejected' }).message, /non-fast-forward.*pull or rebase/i);
    assert.ok(hasCode(pushError({ gitErrorCode: 'NoRemoteRepositorySpecified' }), 'NoRemote'));
    assert.match(pushError({ gitErrorCode: 'AuthenticationFailed' }).message, /Authentication/);
  });

  it('commits only the given file through the git API and refuses to push without a remote', async () => {
    const api = await getGitApi();
    assert.ok(api, 'the git extension is enabled');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autodev-gitport-'));
    try {
      const git = (...a: string[]) => execFileSync('git', a, { cwd: dir, encoding: 'utf8' }).trim();
      git('init', '-q', '-b', 'main');
      git('config', 'user.name', 'T');
      git('config', 'user.email', 't@t.invalid');
      fs.writeFileSync(path.join(dir, 'a.py'), 'a = 1\n');
      fs.writeFileSync(path.join(dir, 'b.py'), 'b = 1\n');
      git('add', '-A');
      git('commit', '-qm', 'init');
      fs.writeFileSync(path.join(dir, 'a.py'), 'a = 2\n');
      fs.writeFileSync(path.join(dir, 'b.py'), 'b = 2\n'); // the user's own change: must stay out of the commit
      const port = new VsCodeGitPort(api);
      const sha = await port.commit(dir, [{ path: 'a.py', original: 'a = 1\n', patched: 'a = 2\n' }], '🩹 Auto-fix: test');
      assert.strictEqual(git('rev-parse', 'HEAD'), sha);
      assert.strictEqual(git('show', '--name-only', '--format=', 'HEAD'), 'a.py');
      assert.match(git('status', '--porcelain'), /^M b\.py$/m); // (trimmed ' M'): modified, still unstaged
      await assert.rejects(port.push(dir), (e: unknown) => hasCode(e, 'NoRemote') && /no remote/i.test((e as Error).message));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
