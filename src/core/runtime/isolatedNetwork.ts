/**
 * Scratch containers replay real requests (POSTs too), so they run without a way out: an `internal` Docker network
 * has no route beyond its bridge, and Docker publishes no ports for it. The app is reached from this process through
 * a loopback forwarder to the container's address on that bridge, which only works when the engine is on this
 * machine (a remote engine's bridge is not reachable; the caller falls back to the default network then).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type Docker from 'dockerode';

/** The internal network scratch containers join (created once, labelled, kept: other sessions use it too). */
export const ISOLATED_NETWORK = 'autodev-isolated';

/** Creates the internal network when it does not exist yet; tolerates a concurrent creator. */
export async function ensureIsolatedNetwork(docker: Docker): Promise<void> {
  const list = await docker.listNetworks({ filters: { name: [ISOLATED_NETWORK] } });
  if (list.some((n) => n.Name === ISOLATED_NETWORK)) return;
  try {
    await docker.createNetwork({ Name: ISOLATED_NETWORK, Driver: 'bridge', Internal: true, CheckDuplicate: true, Labels: { 'dev.autodev': '1' } });
  } catch (err) {
    // 409: another AutoDev window created it between our list and create.
    if ((err as { statusCode?: number }).statusCode !== 409) throw err;
  }
}

/** The container's address on the isolated network (from an inspect result), or null. */
export function isolatedAddress(info: Docker.ContainerInspectInfo | undefined): string | null {
  return info?.NetworkSettings?.Networks?.[ISOLATED_NETWORK]?.IPAddress || null;
}

/**
 * Listens on 127.0.0.1 (a free port) and pipes every connection to `host:port`. Closing it ends the open
 * connections too.
 */
export class LoopbackForwarder {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly host: string, private readonly port: number) {
    this.server = createServer((client) => {
      const upstream = connect(this.port, this.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        // A reset on one side ends the other: the client sees what a published port would show.
        s.on('error', () => (s === client ? upstream : client).destroy());
      }
      client.pipe(upstream).pipe(client);
    });
  }

  static async open(host: string, port: number): Promise<LoopbackForwarder> {
    const f = new LoopbackForwarder(host, port);
    await new Promise<void>((resolve, reject) => {
      f.server.once('error', reject);
      f.server.listen(0, '127.0.0.1', () => resolve());
    });
    return f;
  }

  get localPort(): number {
    const a = this.server.address();
    return a && typeof a === 'object' ? a.port : 0;
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
