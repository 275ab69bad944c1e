import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { createPathMapper } from '../../../src/core/crash/pathMapper';
import { createTempWorkspace } from '../../support/tempWorkspace';

describe('path mapper', () => {
  let ws: string;
  before(() => (ws = createTempWorkspace('autodev-map-', { 'src/main.rs': '' })));
  after(() => rmSync(ws, { recursive: true, force: true }));

  it('maps /app/pkg/x.py to the workspace file pkg/x.py', () => {
    assert.equal(createPathMapper({ workspaceDir: ws }).toWorkspace('/app/pkg/x.py'), 'pkg/x.py');
  });
  it('maps file:// URLs, including percent-encoded ones', () => {
    const m = createPathMapper({ workspaceDir: ws });
    assert.equal(m.toWorkspace('file:///app/x.mjs'), 'x.mjs');
    assert.equal(m.toWorkspace('file:///app/my%20dir/x.mjs'), 'my dir/x.mjs');
  });
  it('maps absolute host paths under the workspace', () => {
    assert.equal(createPathMapper({ workspaceDir: ws }).toWorkspace(path.join(ws, 'lib', 'a.js')), 'lib/a.js');
  });
  it('honours another container workdir', () => {
    const m = createPathMapper({ workspaceDir: ws, containerWorkdir: '/srv/app/' });
    assert.equal(m.toWorkspace('/srv/app/main.go'), 'main.go');
    assert.equal(m.toWorkspace('/app/main.go'), undefined);
  });
  it('refuses .. traversal out of the workspace', () => {
    const m = createPathMapper({ workspaceDir: ws });
    assert.equal(m.toWorkspace('/app/../etc/passwd'), undefined);
    assert.equal(m.toWorkspace('/app/pkg/../../etc/passwd'), undefined);
    assert.equal(m.toWorkspace(path.join(ws, '..', 'other', 'x.py')), undefined);
    assert.equal(m.toWorkspace('../secret.py'), undefined);
    assert.equal(m.toWorkspace('/app'), undefined);
  });
  it('maps nothing for runtime pseudo-files and paths elsewhere', () => {
    const m = createPathMapper({ workspaceDir: ws });
    for (const f of ['node:internal/modules/cjs/loader', '<frozen runpy>', '<anonymous>', '/usr/lib/python3.11/json/decoder.py', ''])
      assert.equal(m.toWorkspace(f), undefined, f);
  });
  it('maps a relative path only when the file exists in the workspace (never a guess)', () => {
    const m = createPathMapper({ workspaceDir: ws });
    assert.equal(m.toWorkspace('src/main.rs'), 'src/main.rs');
    assert.equal(m.toWorkspace('./src/main.rs'), 'src/main.rs');
    assert.equal(m.toWorkspace('Main.java'), undefined);
    assert.equal(m.exists?.('src/main.rs'), true);
  });
  it("maps a monorepo app folder's container paths below that folder, relative to the repository root", () => {
    const m = createPathMapper({ workspaceDir: ws, containerWorkdir: '/srv', appDir: 'src' });
    assert.equal(m.toWorkspace('/srv/main.rs'), 'src/main.rs');
    assert.equal(m.toWorkspace('main.rs'), 'src/main.rs');
    assert.equal(m.toWorkspace('/srv/../x.py'), undefined);
    assert.equal(createPathMapper({ workspaceDir: ws, appDir: '../outside' }).toWorkspace('/app/a.py'), 'a.py');
  });
});
