/**
 * Is something listening behind a published port? Sends nothing (a probe request could itself crash a buggy app):
 * connects and waits a moment. Docker's userland proxy accepts the connection even when the app is not listening
 * yet and then closes it at once; a listening app keeps it open, waiting for a request.
 */
import { connect } from 'node:net';

export function probeListening(port: number, holdMs = 250, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let settled = false;
    const done = (v: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    let timer: NodeJS.Timeout = setTimeout(() => done(false), 3000);
    socket.on('connect', () => {
      clearTimeout(timer);
      timer = setTimeout(() => done(true), holdMs);
    });
    // Data before any request (a banner) also means something is listening.
    socket.on('data', () => done(true));
    socket.on('end', () => done(false));
    socket.on('close', () => done(false));
    socket.on('error', () => done(false));
  });
}
