import * as assert from 'node:assert/strict';
import type { ContainerSession } from '../../../src/core/runtime/containerRuntime';
import { DockerRuntime, workspaceIdFor } from '../../../src/core/runtime/dockerRuntime';
import { assertNoLeftovers, TEST_SETTINGS, watch, Workspaces } from './runtimeHarness';

/** A service whose GET /out tries to reach Debian's mirror (which containers on this machine normally reach). */
const APP = [
  'import os, socket',
  'from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer',
  'class H(BaseHTTPRequestHandler):',
  '    def do_GET(self):',
  '        try:',
  '            socket.create_connection(("deb.debian.org", 80), timeout=4).close()',
  '            text = "reached the outside"',
  '        except OSError as e:',
  '            text = f"no way out: {e}"',
  '        self.send_response(200); self.end_headers(); self.wfile.write(text.encode())',
  'print("listening", flush=True)',
  'ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8000"))), H).serve_forever()',
].join('\n');

describe('scratch containers on the isolated network (real engine)', function () {
  this.timeout(180_000);
  const runtime = new DockerRuntime();
  const workspaces = new Workspaces();
  let sessions: ContainerSession[] = [];
  afterEach(async () => {
    for (const s of sessions) await s.stop();
    sessions = [];
    await assertNoLeftovers();
  });
  after(() => workspaces.cleanup());

  const ask = async (session: ContainerSession): Promise<string> => {
    await watch(session).waitForLine(/listening/);
    const port = session.publishedPorts.get(8000);
    assert.ok(port, 'the port is reachable from here');
    for (let i = 0; ; i++) {
      try {
        return await (await fetch(`http://127.0.0.1:${port}/out`)).text();
      } catch (err) {
        if (i > 20) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };

  it('answers through a loopback port while its own connections out fail; the default network still reaches out', async () => {
    assert.equal(runtime.bridgeReachable, true, 'a local rootful engine on this machine');
    const dir = workspaces.make({ 'app.py': APP });
    const image = await runtime.buildImage(dir, TEST_SETTINGS);
    const start = (isolateNetwork: boolean) => runtime.start(image, { sourceDir: dir, role: 'scratch', workspaceId: workspaceIdFor(dir), settings: TEST_SETTINGS, isolateNetwork });
    const isolated = await start(true);
    sessions.push(isolated);
    assert.match(await ask(isolated), /^no way out/);
    const open = await start(false);
    sessions.push(open);
    assert.equal(await ask(open), 'reached the outside');
  });
});
