import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { isAutoDevError } from '../../../src/core/errors';
import type { DockerRuntime } from '../../../src/core/runtime/dockerRuntime';
import type { CliIo } from '../../../src/cli/args';
import { OFFLINE_IMAGES, runtimeSettingsFromFlags, selectBaseImage } from '../../../src/cli/runtimeFlags';
import { createTempWorkspace } from '../../support/tempWorkspace';

/** An engine that has exactly `images` (only hasImage is asked). */
const engine = (images: string[]) => ({ hasImage: async (i: string) => images.includes(i) }) as unknown as DockerRuntime;

describe('run and heal: shared image selection', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));
  const io = (env: NodeJS.ProcessEnv = {}) => {
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (c) => (text += c));
    const value: CliIo = { stdout: new PassThrough(), stderr, stdin: new PassThrough(), env, cwd: '/', signal: new AbortController().signal };
    return { value, text: () => text };
  };

  it('falls back to the offline image of the language that runs, and says so once, for that language only', async () => {
    dir = createTempWorkspace('autodev-flags-', { 'server.js': '' });
    const out = io();
    const settings = await selectBaseImage(engine([...Object.values(OFFLINE_IMAGES)]), dir, runtimeSettingsFromFlags({}, out.value), out.value);
    assert.equal(settings.nodeImage, OFFLINE_IMAGES.nodeImage);
    assert.equal(settings.pythonImage, 'python:3.12-slim');
    assert.match(out.text(), /node:20-slim is not on this machine; using the local autodev-offline\/node:20/);
    assert.doesNotMatch(out.text(), /python/);
  });

  it('keeps an image chosen by --image or the environment, and refuses --image for an app with its own Dockerfile', async () => {
    dir = createTempWorkspace('autodev-flags-', { 'app.py': '' });
    const env = io({ AUTODEV_PYTHON_IMAGE: 'mine/python:1' });
    const chosen = await selectBaseImage(engine([OFFLINE_IMAGES.pythonImage]), dir, runtimeSettingsFromFlags({}, env.value), env.value);
    assert.equal(chosen.pythonImage, 'mine/python:1');
    assert.equal(env.text(), '');
    rmSync(dir, { recursive: true, force: true });
    dir = createTempWorkspace('autodev-flags-', { Dockerfile: 'FROM x\n' });
    const out = io();
    await assert.rejects(selectBaseImage(engine([]), dir, runtimeSettingsFromFlags({ image: 'python:3.12' }, out.value), out.value), (err) => isAutoDevError(err, 'Usage') && /names its own base images/.test(err.message));
  });

  it('takes --entry and --port, and refuses a port that is not one', () => {
    const { value } = io();
    assert.deepEqual([runtimeSettingsFromFlags({ entry: 'api', port: 8080 }, value).entry, runtimeSettingsFromFlags({ port: 8080 }, value).port], ['api', 8080]);
    assert.throws(() => runtimeSettingsFromFlags({ port: 70000 }, value), (err) => isAutoDevError(err, 'Usage'));
  });
});
