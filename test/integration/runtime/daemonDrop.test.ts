import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import type { ContainerSession } from '../../../src/core/runtime/containerRuntime';
import { DockerRuntime, workspaceIdFor } from '../../../src/core/runtime/dockerRuntime';
import { assertNoLeftovers, TEST_SETTINGS, watch, Workspaces } from './runtimeHarness';

/**
 * A TCP front for the local engine socket that can "restart the daemon" as a client sees it: every open
 * connection is cut and new ones are refused for a while. (The real daemon is shared and must not be restarted.)
 */
class FlakyDockerProxy {
  private readonly sockets = new Set<net.Socket>();
  private down = false;
  private readonly server = net.createServer((client) => {
    if (this.down) return void client.destroy();
    const engine = net.connect('/var/run/docker.sock');
    for (const s of [client, engine]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(engine).pipe(client);
    client.on('close', () => engine.destroy());
    engine.on('close', () => client.destroy());
  });

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `tcp://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /** Cuts every connection and refuses new ones for `ms`. */
  outage(ms: number): Promise<void> {
    this.down = true;
    for (const s of this.sockets) s.destroy();
    return new Promise((r) => setTimeout(() => ((this.down = false), r()), ms));
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.server.close();
  }
}

describe('daemon connection loss (real engine behind a proxy)', function () {
  this.timeout(120_000);
  const proxy = new FlakyDockerProxy();
  const workspaces = new Workspaces();
  let session: ContainerSession | undefined;

  after(async () => {
    await session?.stop();
    proxy.close();
    await workspaces.cleanup();
    await assertNoLeftovers();
  });

  it('re-follows the output after the connection to Docker drops, without losing or repeating lines, and still reports the exit', async () => {
    const runtime = new DockerRuntime({ dockerHost: await proxy.listen() });
    // A 40 000-character line after the outage arrives through `logs`, split by Docker into 16 KiB partials.
    const app = 'import time\nfor i in range(80):\n    print(f"tick {i}", flush=True)\n    if i == 60:\n        print("long " + "z" * 40000, flush=True)\n    time.sleep(0.05)\nraise SystemExit(4)\n';
    const dir = workspaces.make({ 'app.py': app });
    const image = await runtime.buildImage(dir, TEST_SETTINGS);
    session = await runtime.start(image, { sourceDir: dir, role: 'main', workspaceId: workspaceIdFor(dir), settings: TEST_SETTINGS });
    const w = watch(session);
    await w.waitForLine(/^tick 10$/);
    await proxy.outage(1500);
    const exit = await w.nextExit();
    assert.equal(exit.exitCode, 4);
    const ticks = w.lines.filter((l) => l.stream === 'stdout').map((l) => l.text);
    const expected = Array.from({ length: 80 }, (_, i) => `tick ${i}`);
    expected.splice(61, 0, 'long ' + 'z'.repeat(40000));
    assert.equal(ticks.length, expected.length, ticks.map((t) => t.slice(0, 30)).join("\n"));
    assert.deepEqual(ticks, expected);
    const system = w.lines.filter((l) => l.stream === 'system').map((l) => l.text);
    assert.ok(system.some((t) => /lost the connection to Docker; retrying/.test(t)), system.join('\n'));
    assert.ok(system.some((t) => /re-attached to the container output/.test(t)), system.join('\n'));
  });
});
