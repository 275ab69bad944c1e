/**
 * Writes BYTES of generated service log to stdout (the 100k-line generated log, repeated), respecting backpressure:
 * the input of the bounded-memory check of `autodev detect -`. Usage: node --import tsx bench/streamLog.ts BYTES
 */
import { generateLog } from './generatedLog';

const total = Number(process.argv[2] ?? 1024 ** 3);
const chunk = Buffer.from(generateLog(100_000).text);
let sent = 0;
function pump(): void {
  while (sent < total) {
    const piece = sent + chunk.length <= total ? chunk : chunk.subarray(0, total - sent);
    sent += piece.length;
    if (!process.stdout.write(piece)) {
      process.stdout.once('drain', pump);
      return;
    }
  }
  process.stdout.end();
}
pump();
