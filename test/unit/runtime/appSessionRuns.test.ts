/**
 * The app session numbers runs across containers: a restart in place and a replaced container (rebuilt image,
 * re-published port) are each the next run, and every line and exit says which run wrote it.
 */
import { strict as assert } from 'node:assert';
import { FakeContainerRun } from '../../support/fakeContainerRun';
import { AppSession } from '../../../src/core/runtime/appSession';
import { DEFAULT_RUNTIME_SETTINGS, type AppImage, type ContainerExit, type LogLine } from '../../../src/core/runtime/containerRuntime';

const image = (mountSource: boolean): AppImage => ({ tag: 'app:1', kind: 'python', workdir: '/app', appDir: '', ports: [], cmd: ['python', 'app.py'], mountSource, builtFrom: '/src' });

async function session(mountSource: boolean) {
  const containers: FakeContainerRun[] = [];
  const s = await AppSession.start({
    image: image(mountSource),
    settings: DEFAULT_RUNTIME_SETTINGS,
    create: async () => {
      const c = new FakeContainerRun();
      containers.push(c);
      return { session: c, exec: async () => ({ exitCode: 0, stdout: '', stderr: '' }) };
    },
    rebuild: async () => ({ image: image(mountSource), owned: false }),
    removeImage: async () => undefined,
    knownPorts: new Set(),
    ownsImage: false,
  });
  const lines: LogLine[] = [];
  const exits: ContainerExit[] = [];
  s.onLine((l) => lines.push(l));
  s.onExit((e) => exits.push(e));
  await new Promise((r) => setTimeout(r, 0));
  return { s, containers, lines, exits };
}

describe('AppSession run numbers (which run wrote a line)', () => {
  it('counts a restart in place as the next run', async () => {
    const { s, containers, lines, exits } = await session(true);
    containers[0].line('first');
    await s.restart();
    containers[0].line('second');
    containers[0].exits.fire({ exitCode: 1, signal: null, oomKilled: false, run: 2 });
    assert.deepEqual(lines.filter((l) => l.stream !== 'system').map((l) => [l.text, l.run]), [['first', 1], ['second', 2]]);
    assert.equal(exits[0].run, 2);
    assert.equal(s.currentRun, 2);
    await s.stop();
  });

  it('continues the numbering in a replaced container (an image that owns its files is rebuilt on restart)', async () => {
    const { s, containers, lines } = await session(false);
    containers[0].line('first');
    await s.restart();
    assert.equal(containers.length, 2, 'a new container');
    containers[1].line('after the rebuild');
    containers[0].line('late line of the stopped container');
    await s.restart();
    containers[2].line('third');
    assert.deepEqual(lines.filter((l) => l.stream !== 'system').map((l) => [l.text, l.run]), [['first', 1], ['after the rebuild', 2], ['third', 3]]);
    assert.equal(s.currentRun, 3);
    await s.stop();
  });

  it('creates no container for a replacement asked for once it is stopping, and removes one whose create was under way', async () => {
    const containers: FakeContainerRun[] = [];
    let creating!: () => void;
    let release!: () => void;
    const createStarted = new Promise<void>((r) => (creating = r));
    const gate = new Promise<void>((r) => (release = r));
    const s = await AppSession.start({
      image: image(false),
      settings: DEFAULT_RUNTIME_SETTINGS,
      create: async () => {
        if (containers.length) {
          // The engine is slow: the stop comes while this container is being created.
          creating();
          await gate;
        }
        const c = new FakeContainerRun();
        containers.push(c);
        return { session: c, exec: async () => ({ exitCode: 0, stdout: '', stderr: '' }) };
      },
      rebuild: async () => ({ image: image(false), owned: false }),
      removeImage: async () => undefined,
      knownPorts: new Set(),
      ownsImage: false,
    });
    const inFlight = s.restart();
    await createStarted;
    const stopping = s.stop();
    const late = s.restart();
    release();
    await Promise.all([inFlight, stopping, late]);
    assert.equal(containers.length, 2, 'the replacement asked for after the stop created nothing');
    assert.deepEqual(containers.map((c) => c.running), [false, false], 'every container created is stopped');
  });
});
