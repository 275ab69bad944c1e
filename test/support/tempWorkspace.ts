/** Makes a throwaway workspace folder in the OS temp dir holding the given files; the test removes it. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * Creates `<tmpdir>/<prefix>XXXXXX` and writes each file (relative path → text), creating its folders.
 * Returns the folder; remove it with `rmSync(dir, { recursive: true, force: true })`.
 */
export function createTempWorkspace(prefix: string, files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}
