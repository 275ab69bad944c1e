import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_TOOLS, AgentToolSession, MAX_FILE_BYTES } from '../../../src/core/agent/agentTools';
import { createSecretMasker } from '../../../src/core/privacy/secretMasker';

describe('agent tools', () => {
  let ws: string;
  let s: AgentToolSession;
  beforeEach(() => {
    ws = mkdtempSync(join(tmpdir(), 'autodev-tools-'));
    writeFileSync(join(ws, 'app.py'), 'x = 1\nTOKEN = "tok-9f8e7d6c5b4a"\n');
    writeFileSync(join(ws, '.env'), 'TOKEN=tok-9f8e7d6c5b4a\n');
    s = new AgentToolSession(ws, createSecretMasker({ workspaceDir: ws, secrets: [] }));
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  it('offers exactly the contract: read_file, list_files, edit_file, write_file, finish — no shell', () => {
    assert.deepEqual(
      AGENT_TOOLS.map((t) => [t.name, (t.parameters as { required: string[] }).required]),
      [
        ['read_file', ['path']],
        ['list_files', ['path']],
        ['edit_file', ['path', 'old_text', 'new_text']],
        ['write_file', ['path', 'content']],
        ['finish', ['summary']],
      ],
    );
  });

  it('stages edits in memory: reads see them, the disk does not', () => {
    assert.equal(s.execute('edit_file', JSON.stringify({ path: 'app.py', old_text: 'x = 1', new_text: 'x = 2' })).ok, true);
    assert.match(s.execute('read_file', '{"path":"app.py"}').content, /^x = 2/);
    assert.match(readFileSync(join(ws, 'app.py'), 'utf8'), /^x = 1/);
    s.execute('write_file', JSON.stringify({ path: 'lib/new.py', content: 'y = 1\n' }));
    assert.match(s.execute('list_files', '{"path":"lib"}').content, /new\.py/);
    assert.deepEqual(s.files().map((f) => [f.path, f.original === null]), [['app.py', false], ['lib/new.py', true]]);
  });

  it('masks secrets in what the model reads, hides .env from listings, and refuses edits of masked text', () => {
    const read = s.execute('read_file', '{"path":"app.py"}');
    assert.ok(!read.content.includes('tok-9f8e7d6c5b4a'));
    assert.equal(read.redactions?.['env-value'], 1);
    assert.ok(!s.execute('list_files', '{"path":"."}').content.includes('.env'));
    const edit = s.execute('edit_file', JSON.stringify({ path: 'app.py', old_text: 'TOKEN = "[REDACTED:env-value]"', new_text: 'TOKEN = None' }));
    assert.equal(edit.ok, false);
    assert.match(edit.content, /masked secret/);
  });

  it('caps file sizes for reading and writing', () => {
    writeFileSync(join(ws, 'big.txt'), 'x'.repeat(MAX_FILE_BYTES + 1));
    assert.match(s.execute('read_file', '{"path":"big.txt"}').content, /over the \d+-byte limit/);
    assert.match(s.execute('write_file', JSON.stringify({ path: 'b.txt', content: 'y'.repeat(MAX_FILE_BYTES + 1) })).content, /exceeds/);
  });

  it('refuses to read a FIFO the app planted (the read would block forever) instead of hanging', () => {
    execFileSync('mkfifo', [join(ws, 'pipe.py')]);
    assert.match(s.execute('read_file', '{"path":"pipe.py"}').content, /not a regular file/);
  });

  it('answers missing arguments and non-object JSON with an error the model can act on', () => {
    assert.match(s.execute('read_file', '{}').content, /missing or non-string argument "path"/);
    assert.match(s.execute('read_file', '[1]').content, /not valid JSON.*must be a JSON object/);
    assert.match(s.execute('read_file', '{"path":"nope.py"}').content, /does not exist/);
    assert.match(s.execute('edit_file', JSON.stringify({ path: 'app.py', old_text: '', new_text: 'x' })).content, /old_text is empty/);
  });
});
