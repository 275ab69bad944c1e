/**
 * Readiness per container run: a window or replay starts when THIS run of the app is ready (its port holds a
 * connection, or — without a port — it wrote a line), never on a line of the run before a restart.
 */
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:net';
import { FakeContainerRun as FakeRuns } from '../../support/fakeContainerRun';
import { RunReadiness } from '../../../src/core/runtime/runReadiness';
import { StartupTimes } from '../../../src/core/runtime/startupTimes';

/** A TCP server that either holds connections (an app listening) or closes them at once (Docker's proxy, no app yet). */
async function tcp(holds: boolean): Promise<{ port: number; server: Server }> {
  const server = createServer((sock) => (holds ? sock.on('error', () => undefined) : sock.destroy()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, server };
}

describe('RunReadiness (windows start when this run is ready)', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
  });

  it('without a port: ready at the first line of THIS run, not at a late line of the run before', async () => {
    const s = new FakeRuns();
    const r = new RunReadiness(s);
    await s.restart();
    s.line('Traceback of the old run, arriving late', 1);
    const waiting = r.wait({ timeoutMs: 5000 });
    setTimeout(() => s.line('bill: 120.00', 2), 50);
    const ready = await waiting;
    assert.equal(ready.ready, true);
    assert.equal(ready.run, 2);
    assert.match(ready.ready ? ready.how : '', /bill: 120\.00/);
    await r.dispose();
  });

  it('with a port: not ready while only the proxy accepts; ready once the app holds the connection', async () => {
    const s = new FakeRuns();
    const closing = await tcp(false);
    servers.push(closing.server);
    s.publishedPorts.set(8000, closing.port);
    const r = new RunReadiness(s, 8000);
    const waiting = r.wait({ timeoutMs: 10_000 });
    const listening = await tcp(true);
    servers.push(listening.server);
    setTimeout(() => s.publishedPorts.set(8000, listening.port), 400);
    const ready = await waiting;
    assert.equal(ready.ready, true, JSON.stringify(ready));
    assert.ok(ready.afterMs >= 300, `ready only after the app listened (${ready.afterMs} ms)`);
    await r.dispose();
  });

  it('says why a run never got ready: it exited, a restart replaced it, or the time ran out', async () => {
    const s = new FakeRuns();
    const r = new RunReadiness(s);
    setTimeout(() => s.exits.fire({ exitCode: 1, signal: null, oomKilled: false, run: 1 }), 20);
    const exited = await r.wait({ timeoutMs: 5000 });
    assert.deepEqual([exited.run, exited.ready, !exited.ready && exited.why], [1, false, 'exited']);
    await s.restart();
    setTimeout(() => void s.restart(), 20);
    const superseded = await r.wait({ timeoutMs: 5000 });
    assert.deepEqual([superseded.run, superseded.ready, !superseded.ready && superseded.why], [2, false, 'superseded']);
    const quiet = await r.wait({ timeoutMs: 200 });
    assert.deepEqual([quiet.run, quiet.ready, !quiet.ready && quiet.why], [3, false, 'timeout']);
    assert.match(!quiet.ready ? quiet.detail : '', /wrote no line within 0 s of its start/);
    await r.dispose();
  });
});

describe('StartupTimes (waits scale with the measured start-up)', () => {
  it('uses the floor until a start is measured, then a multiple of the slowest recent start', () => {
    const t = new StartupTimes();
    assert.equal(t.budget(20_000), 20_000);
    t.record(1_000);
    assert.equal(t.budget(20_000), 20_000, 'a quiet machine keeps the floor');
    t.record(9_000);
    assert.equal(t.budget(20_000), 36_000, 'a slow start (busy machine) stretches the wait');
    for (let i = 0; i < 8; i++) t.record(500);
    assert.equal(t.budget(20_000), 20_000, 'only recent starts count: the machine got quiet again');
    assert.match(t.describe(), /0\.5 s/);
  });
});
