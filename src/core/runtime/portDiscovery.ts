/**
 * Which port does the app really listen on? Read from the container's socket table (/proc/net/tcp and tcp6, read
 * through `docker exec`), or, when the image has no `cat` (a `FROM scratch` Go binary), from the line the app
 * prints ("Listening on :8080", "Running on http://0.0.0.0:5000"). The runtime publishes what it finds.
 */

export interface ListeningSocket {
  port: number;
  /** True when bound to a loopback address only (127.0.0.0/8, ::1): unreachable from outside the container. */
  loopbackOnly: boolean;
}

/** TCP state code for LISTEN in /proc/net/tcp (include/net/tcp_states.h: TCP_LISTEN = 10). */
const TCP_LISTEN = '0A';

/**
 * Ports most web apps use (Node/Express, Flask, Django/http.server, Go/Java): published up front so they need no
 * re-publish once their port is known. Each costs the engine a proxy process, so the list stays short; any other
 * port is published by recreating the container once.
 */
export const COMMON_APP_PORTS = [3000, 5000, 8000, 8080];

function isLoopbackHex(addr: string): boolean {
  if (addr.length === 8) {
    // IPv4, little-endian hex per 32-bit word: 0100007F is 127.0.0.1; the first byte is the last pair.
    return addr.slice(6, 8).toUpperCase() === '7F';
  }
  if (addr.length === 32) {
    const upper = addr.toUpperCase();
    if (upper === '00000000000000000000000001000000') return true; // ::1
    // ::ffff:127.x.y.z (IPv4-mapped loopback)
    return upper.startsWith('0000000000000000FFFF0000') && upper.slice(30, 32) === '7F';
  }
  return false;
}

/**
 * Parses the text of /proc/net/tcp and/or /proc/net/tcp6 (concatenated) into listening sockets, one per port
 * (a port bound on any non-loopback address counts as reachable). Lines that do not parse are skipped.
 */
export function parseProcNetTcp(text: string): ListeningSocket[] {
  const byPort = new Map<number, boolean>();
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    // "sl local_address rem_address st ...": local_address is HEXADDR:HEXPORT
    if (cols.length < 4 || !/^\d+:$/.test(cols[0])) continue;
    if (cols[3].toUpperCase() !== TCP_LISTEN) continue;
    const [addr, portHex] = cols[1].split(':');
    const port = Number.parseInt(portHex ?? '', 16);
    if (!addr || !Number.isInteger(port) || port <= 0) continue;
    const loop = isLoopbackHex(addr);
    byPort.set(port, (byPort.get(port) ?? true) && loop);
  }
  return [...byPort].map(([port, loopbackOnly]) => ({ port, loopbackOnly })).sort((a, b) => a.port - b.port);
}

/**
 * The port an app announces in its output, e.g. "Listening on :8080", "Running on http://127.0.0.1:5000",
 * "Serving HTTP on 0.0.0.0 port 8000", "listening on port 3000". Undefined when the line names none.
 */
export function portFromLine(line: string): number | undefined {
  const text = line.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  if (!/listen|running on|serving|started|server|bound|http:\/\//i.test(text)) return undefined;
  const patterns = [
    /https?:\/\/(?:\[[^\]]*\]|[\w.-]+|\*):(\d{2,5})\b/i,
    /\bport\s*[:=]?\s*(\d{2,5})\b/i,
    /(?:listen(?:ing)?|bound|running|serving|started)\b[^\n]*?(?:^|[\s(])(?:[\w.-]+|\[[^\]]*\])?:(\d{2,5})\b/i,
  ];
  for (const re of patterns) {
    const m = re.exec(text);
    const n = m ? Number.parseInt(m[1], 10) : NaN;
    if (Number.isInteger(n) && n > 0 && n < 65536) return n;
  }
  return undefined;
}

/**
 * Chooses the app's port among listening sockets: the one AutoDev expected (setting/EXPOSE/generated PORT) when it
 * listens, else the lowest reachable one, else (only loopback) undefined with the loopback port for the message.
 */
export function chooseAppPort(sockets: readonly ListeningSocket[], expected: readonly number[]): { port?: number; loopbackOnly?: number } {
  const reachable = sockets.filter((s) => !s.loopbackOnly);
  for (const p of expected) if (reachable.some((s) => s.port === p)) return { port: p };
  if (reachable[0]) return { port: reachable[0].port };
  const loop = sockets.find((s) => s.loopbackOnly);
  return loop ? { loopbackOnly: loop.port } : {};
}

/** What to tell a user whose app listens only on loopback inside the container. */
export function loopbackAdvice(port: number): string {
  return (
    `the app listens on 127.0.0.1:${port} inside the container, which nothing outside it can reach: make it listen ` +
    `on 0.0.0.0 (Flask: app.run(host="0.0.0.0"); Node: server.listen(${port}, "0.0.0.0"); uvicorn: --host 0.0.0.0)`
  );
}
