import * as assert from 'node:assert/strict';
import { isAutoDevError } from '../../../src/core/errors';
import { chooseEntry, detectEntries, obviousEntry, startNeedsDevDependencies } from '../../../src/core/runtime/entryDetection';
import { rmSync } from 'node:fs';
import { createTempWorkspace } from '../../support/tempWorkspace';

describe('entry detection', () => {
  let ws: { dir: string } | undefined;
  afterEach(() => ws && rmSync(ws!.dir, { recursive: true, force: true }));
  const make = (files: Record<string, string>) => (ws = { dir: createTempWorkspace('autodev-entry-', files) });

  // Shapes of small real repositories (Flask/Express hello worlds, http.server apps, text games, monorepos).
  const obvious: [string, Record<string, string>, { file: string; cmd: string[]; appDir?: string }][] = [
    ['a lone server.py', { 'server.py': 'import http.server\n' }, { file: 'server.py', cmd: ['python3', 'server.py'] }],
    ['server.js without package.json', { 'server.js': 'require("http")\n' }, { file: 'server.js', cmd: ['node', 'server.js'] }],
    ['package.json main without a start script', { 'package.json': '{"main":"lib/app.js"}', 'lib/app.js': '' }, { file: 'lib/app.js', cmd: ['node', 'lib/app.js'] }],
    ['a start script over index.js', { 'package.json': '{"scripts":{"start":"node index.js"}}', 'index.js': '' }, { file: 'package.json', cmd: ['node', 'index.js'] }],
    ['app.py over main.py', { 'app.py': '', 'main.py': '' }, { file: 'app.py', cmd: ['python3', 'app.py'] }],
    ['Django manage.py', { 'manage.py': 'import django\n', 'mysite/settings.py': '' }, { file: 'manage.py', cmd: ['python3', 'manage.py', 'runserver', '0.0.0.0:8000', '--noreload'] }],
    ['a Flask module without __main__', { 'hello.py': 'from flask import Flask\napp = Flask(__name__)\n' }, { file: 'hello.py', cmd: ['python3', '-m', 'flask', '--app', 'hello:app', 'run', '--host', '0.0.0.0', '--port', '8000'] }],
    ['a FastAPI module', { 'api.py': 'from fastapi import FastAPI\nserver = FastAPI()\n' }, { file: 'api.py', cmd: ['python3', '-m', 'uvicorn', 'api:server', '--host', '0.0.0.0', '--port', '8000'] }],
    ['a text game script with a __main__ guard', { 'adventure.py': 'def play():\n    input("> ")\n\nif __name__ == "__main__":\n    play()\n', 'rooms.py': 'ROOMS = []\n' }, { file: 'adventure.py', cmd: ['python3', 'adventure.py'] }],
    ['a Procfile web process over app.py', { Procfile: 'web: python3 app.py --port $PORT\n', 'app.py': '' }, { file: 'Procfile', cmd: ['/bin/sh', '-c', 'python3 app.py --port $PORT'] }],
    ['a Go main package', { 'go.mod': 'module x\n', 'main.go': 'package main\nfunc main() {}\n' }, { file: 'go.mod', cmd: ['go', 'run', '.'] }],
    ['the root Dockerfile over everything', { Dockerfile: 'FROM x\n', 'app.py': '', 'package.json': '{"scripts":{"start":"node s.js"}}' }, { file: 'Dockerfile', cmd: [] }],
    ['the only app in a subfolder', { 'README.md': '', 'backend/app.py': '' }, { file: 'backend/app.py', cmd: ['python3', 'app.py'], appDir: 'backend' }],
    ['a Dockerfile in a subfolder', { 'services/echo/Dockerfile': 'FROM x\n', 'services/echo/echo.go': 'package main\n' }, { file: 'services/echo/Dockerfile', cmd: [], appDir: 'services/echo' }],
  ];
  for (const [name, files, want] of obvious) {
    it(`runs ${name} without asking`, async () => {
      make(files);
      const entry = await chooseEntry(ws!.dir);
      assert.equal(entry.file, want.file);
      assert.deepEqual(entry.cmd, want.cmd);
      assert.equal(entry.appDir, want.appDir ?? '');
    });
  }

  it('lists the candidates and the flag to pass when several apps are about as likely', async () => {
    make({ 'api/app.py': '', 'web/package.json': '{"scripts":{"start":"node server.js"}}', 'web/server.js': '' });
    const candidates = await detectEntries(ws!.dir);
    assert.equal(obviousEntry(candidates), undefined);
    await assert.rejects(chooseEntry(ws!.dir), (err) => {
      assert.ok(isAutoDevError(err, 'AmbiguousEntry'));
      assert.match(err.message, /--entry api\/app\.py/);
      assert.match(err.message, /--entry web\/package\.json/);
      return true;
    });
  });

  it('takes --entry as a file, as an app folder, or as a file no rule picked', async () => {
    make({ 'api/app.py': '', 'web/package.json': '{"scripts":{"start":"node server.js"}}', 'tools/seed.py': 'print(1)\n' });
    assert.equal((await chooseEntry(ws!.dir, 'web')).file, 'web/package.json');
    assert.equal((await chooseEntry(ws!.dir, './api/app.py')).appDir, 'api');
    const seed = await chooseEntry(ws!.dir, 'tools/seed.py');
    assert.deepEqual([seed.appDir, seed.cmd], ['tools', ['python3', 'seed.py']]);
    await assert.rejects(chooseEntry(ws!.dir, '../etc/passwd'), (err) => isAutoDevError(err, 'Usage'));
    await assert.rejects(chooseEntry(ws!.dir, 'nope.py'), (err) => isAutoDevError(err, 'NoAppFound'));
  });

  it('names every kind of entry it looks for when there is none', async () => {
    make({ 'README.md': '', 'package.json': '{"scripts":{"test":"mocha"}}' });
    await assert.rejects(chooseEntry(ws!.dir), (err) => isAutoDevError(err, 'NoAppFound') && /server\.py/.test(err.message) && /--entry/.test(err.message));
  });

  it('never looks into node_modules, tests or hidden folders', async () => {
    make({ 'node_modules/x/server.js': '', 'tests/app.py': '', '.cache/main.py': '' });
    assert.deepEqual(await detectEntries(ws!.dir), []);
  });

  it('installs devDependencies only when the start script needs a build tool', () => {
    assert.equal(startNeedsDevDependencies({ scripts: { start: 'webpack && node dist/main.js' }, devDependencies: { webpack: '5', 'webpack-cli': '5' } }), true);
    assert.equal(startNeedsDevDependencies({ scripts: { start: 'npm run build && node dist', build: 'tsc -p .' }, devDependencies: { typescript: '5' } }), true);
    assert.equal(startNeedsDevDependencies({ scripts: { start: 'node server.js', test: 'mocha' }, devDependencies: { mocha: '10' } }), false);
    assert.equal(startNeedsDevDependencies({ scripts: { start: 'tsc' } }), false);
  });
});
