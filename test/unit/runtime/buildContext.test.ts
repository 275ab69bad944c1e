import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tarStream from 'tar-stream';
import { dockerignoreMatcher, packBuildContext } from '../../../src/core/runtime/buildContext';

async function listTar(stream: NodeJS.ReadableStream): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const extract = tarStream.extract();
  extract.on('entry', (header, body, next) => {
    const parts: Buffer[] = [];
    body.on('data', (c: Buffer) => parts.push(c));
    body.on('end', () => {
      if (header.type === 'file') files.set(header.name.replace(/^\.\//, ''), Buffer.concat(parts).toString());
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', reject);
    stream.pipe(extract);
  });
  return files;
}

describe('build context', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'autodev-ctx-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (rel: string, text = 'x') => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  };

  it('follows .dockerignore rules: last match wins, ! re-includes, ** spans directories', () => {
    const ignored = dockerignoreMatcher('# comment\n*.log\n!keep.log\nbuild/\n**/secret.txt\ndocs/*.md\n');
    assert.equal(ignored('app.log'), true);
    assert.equal(ignored('keep.log'), false);
    assert.equal(ignored('build/out.js'), true);
    assert.equal(ignored('a/b/secret.txt'), true);
    assert.equal(ignored('secret.txt'), true);
    assert.equal(ignored('docs/readme.md'), true);
    assert.equal(ignored('docs/deep/readme.md'), false);
    assert.equal(ignored('src/app.py'), false);
    assert.equal(ignored('sub/app.log'), false); // *.log is anchored at the context root, as in Docker
  });

  it('packs the workspace without .git, node_modules, .venv or ignored files', async () => {
    write('Dockerfile', 'FROM x\n');
    write('.dockerignore', '*.log\nDockerfile\n');
    write('app.py', 'print(1)');
    write('lib/util.py');
    write('debug.log');
    write('.git/HEAD');
    write('node_modules/x/index.js');
    write('web/node_modules/y/index.js');
    write('.venv/bin/python');
    const files = await listTar(await packBuildContext(dir));
    assert.deepEqual([...files.keys()].sort(), ['.dockerignore', 'Dockerfile', 'app.py', 'lib/util.py']);
    assert.equal(files.get('app.py'), 'print(1)');
  });

  it('sends only the manifests plus the generated Dockerfile for generated images', async () => {
    write('app.py');
    write('requirements.txt', 'flask\n');
    const files = await listTar(
      await packBuildContext(dir, { onlyFiles: ['requirements.txt'], extraFile: { name: '.autodev.Dockerfile', content: 'FROM y\n' } }),
    );
    assert.deepEqual([...files.keys()].sort(), ['.autodev.Dockerfile', 'requirements.txt']);
    assert.equal(files.get('.autodev.Dockerfile'), 'FROM y\n');
  });
});
