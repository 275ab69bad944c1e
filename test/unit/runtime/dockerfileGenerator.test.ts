import * as assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isAutoDevError } from '../../../src/core/errors';
import { DEFAULT_RUNTIME_SETTINGS } from '../../../src/core/runtime/containerRuntime';
import {
  GENERATED_DOCKERFILE,
  parseDockerfile,
  planBuild,
  pyprojectDependencies,
  requirementLines,
} from '../../../src/core/runtime/dockerfileGenerator';

const settings = { ...DEFAULT_RUNTIME_SETTINGS, pythonImage: 'py:test', nodeImage: 'node:test' };

describe('Dockerfile generation', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'autodev-gen-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  };

  it('makes a Python app of a top-level app.py alone, with no pip step', async () => {
    write('app.py', 'print(1)\n');
    const plan = await planBuild(dir, settings);
    assert.equal(plan.kind, 'python');
    assert.deepEqual(plan.cmd, ['python3', 'app.py']);
    assert.equal(plan.workdir, '/app');
    assert.deepEqual(plan.ports, [8000]);
    assert.equal(plan.dockerfileName, GENERATED_DOCKERFILE);
    assert.match(plan.dockerfile, /^FROM py:test$/m);
    assert.match(plan.dockerfile, /PORT=8000/);
    assert.match(plan.dockerfile, /^EXPOSE 8000$/m);
    assert.doesNotMatch(plan.dockerfile, /pip/);
    assert.deepEqual(plan.contextFiles, []);
  });

  it('prefers app.py over main.py and finds a package with __main__.py', async () => {
    write('main.py', '');
    assert.deepEqual((await planBuild(dir, settings)).cmd, ['python3', 'main.py']);
    write('app.py', '');
    assert.deepEqual((await planBuild(dir, settings)).cmd, ['python3', 'app.py']);
    rmSync(path.join(dir, 'app.py'));
    rmSync(path.join(dir, 'main.py'));
    write('shop/__main__.py', '');
    assert.deepEqual((await planBuild(dir, settings)).cmd, ['python3', '-m', 'shop']);
  });

  it('pip-installs only non-empty requirements, and marks a failed install', async () => {
    write('app.py', '');
    write('requirements.txt', '# nothing yet\n\n');
    assert.doesNotMatch((await planBuild(dir, settings)).dockerfile, /pip/);
    write('requirements.txt', 'requests==2.32.0  # http\n');
    const plan = await planBuild(dir, settings);
    assert.match(plan.dockerfile, /COPY requirements.txt/);
    assert.match(plan.dockerfile, /pip install .*-r \/tmp\/autodev\/requirements.txt \|\| \{ echo "AUTODEV_DEPENDENCY_INSTALL_FAILED/);
    assert.deepEqual(plan.contextFiles, ['requirements.txt']);
  });

  it('reads pyproject dependencies', () => {
    assert.deepEqual(pyprojectDependencies('[project]\nname = "x"\ndependencies = [\n  "flask>=3",\n  \'rich\',\n]\n[tool.x]\n'), ['flask>=3', 'rich']);
    assert.deepEqual(pyprojectDependencies('[tool.poetry]\ndependencies = ["x"]\n'), []);
    assert.deepEqual(requirementLines('a\n# b\n -r other.txt\n'), ['a', '-r other.txt']);
  });

  it('makes a Node app of a package.json start script, running plain `node file` directly', async () => {
    write('package.json', JSON.stringify({ scripts: { start: 'node server.js' } }));
    const plan = await planBuild(dir, settings);
    assert.equal(plan.kind, 'node');
    assert.deepEqual(plan.cmd, ['node', 'server.js']);
    assert.deepEqual(plan.ports, [3000]);
    assert.match(plan.dockerfile, /^FROM node:test$/m);
    assert.doesNotMatch(plan.dockerfile, /npm install/);
  });

  it('installs Node dependencies outside the bind-mounted /app', async () => {
    write('package.json', JSON.stringify({ scripts: { start: 'tsx src/main.ts' }, dependencies: { express: '^4' } }));
    const plan = await planBuild(dir, settings);
    assert.deepEqual(plan.cmd, ['npm', 'start']);
    assert.match(plan.dockerfile, /COPY package.json \/opt\/autodev\//);
    assert.match(plan.dockerfile, /NODE_PATH=\/opt\/autodev\/node_modules/);
  });

  it('uses the image override for generated Dockerfiles', async () => {
    write('app.py', '');
    const plan = await planBuild(dir, { ...settings, imageOverride: 'my/python:1', ports: [9000] });
    assert.match(plan.dockerfile, /^FROM my\/python:1$/m);
    assert.deepEqual(plan.ports, [8000, 9000]);
  });

  it("uses the workspace's Dockerfile: WORKDIR, EXPOSE and CMD of the final stage", async () => {
    write('app.py', '');
    write('Dockerfile', 'FROM a AS build\nWORKDIR /build\nEXPOSE 1\nFROM b\nWORKDIR /srv\nWORKDIR app\nEXPOSE 8080 9090/udp 7000/tcp\nCMD ["python3", "app.py"]\n');
    const plan = await planBuild(dir, settings);
    assert.equal(plan.kind, 'dockerfile');
    assert.equal(plan.workdir, '/srv/app');
    assert.deepEqual(plan.ports, [8080, 7000]);
    assert.deepEqual(plan.cmd, ['python3', 'app.py']);
    assert.equal(plan.dockerfileName, 'Dockerfile');
    assert.deepEqual(plan.fromImages, ['a', 'b']);
    assert.deepEqual(parseDockerfile('FROM --platform=linux/amd64 node:20 AS deps\nFROM deps AS run\nFROM scratch\n').baseImages, ['node:20']);
  });

  it('mounts at /app when the Dockerfile has no WORKDIR, and reads shell-form commands', () => {
    const facts = parseDockerfile('FROM x\nENTRYPOINT ["tini", "--"]\nCMD node \\\n  server.js\n');
    assert.equal(facts.workdir, undefined);
    assert.deepEqual(facts.baseImages, ['x']);
    assert.deepEqual(facts.cmd, ['tini', '--', '/bin/sh', '-c', 'node    server.js']);
  });

  it('throws NoAppFound when nothing is recognised', async () => {
    write('README.md', 'hi');
    write('package.json', JSON.stringify({ scripts: { test: 'mocha' } }));
    await assert.rejects(planBuild(dir, settings), (err) => isAutoDevError(err, 'NoAppFound') && /app\.py/.test(err.message));
  });
});

describe('Dockerfile apps: mount the source or rebuild', () => {
  const cases: [string, string, boolean][] = [
    ['a Python app that copies the context into WORKDIR and runs python', 'FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD ["python", "app.py"]\n', true],
    ['a shell-form interpreter command', 'FROM node:20\nWORKDIR /srv\nCOPY . /srv/\nCMD node server.js\n', true],
    ['a Go multi-stage build (the binary lives in the image)', 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /server\nFROM gcr.io/distroless/base\nCOPY --from=build /server /server\nCMD ["/server"]\n', false],
    ['node_modules installed into WORKDIR (a mount would hide them)', 'FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nCMD ["node", "server.js"]\n', false],
    ['a build step after the copy', 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN python -m compileall -b . && rm *.py\nCMD ["python", "app.pyc"]\n', false],
    ['only some files copied', 'FROM python:3.12\nWORKDIR /app\nCOPY app.py .\nCMD ["python", "app.py"]\n', false],
    ['a compiled command', 'FROM debian\nWORKDIR /app\nCOPY . .\nCMD ["./run-server"]\n', false],
  ];
  for (const [name, text, mountable] of cases) {
    it(`${mountable ? 'mounts' : 'rebuilds'} for ${name}`, () => {
      const facts = parseDockerfile(text);
      assert.equal(facts.sourceMountable, mountable, facts.mountBlocker);
      if (!mountable) assert.ok(facts.mountBlocker);
    });
  }
});
