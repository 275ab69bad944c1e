/**
 * The secret values of a workspace's dotenv files (`.env`, `.env.local`, `.envrc`, …) at any depth, skipping
 * dependency folders. The walk is bounded (depth, folders, file size) so a huge or hostile tree cannot stall it.
 */
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { walkWorkspace } from '../common/workspaceWalk';

const MAX_ENV_FILE_BYTES = 1_000_000;

const SECRETISH_KEY = /(key|token|secret|pass|pwd|credential|auth|private|dsn|cookie|session|signature|salt|webhook)/i;
const HARMLESS_VALUE = /^(true|false|yes|no|on|off|null|none|0|1|development|production|test|debug|info|warn|error|localhost|127\.0\.0\.1)$/i;

/** KEY=value pairs of a dotenv file (export prefix, quotes and inline comments handled). */
export function parseDotenv(text: string): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2].trim();
    if ((value.startsWith('"') && value.lastIndexOf('"') > 0) || (value.startsWith("'") && value.lastIndexOf("'") > 0)) {
      value = value.slice(1, value.lastIndexOf(value[0]));
    } else {
      value = value.replace(/\s+#.*$/, '').trim();
    }
    if (value) out.push({ key: m[1], value });
  }
  return out;
}

/** The values of one dotenv text worth masking: long ones, and short ones whose key names a secret. */
export function secretValuesOfDotenv(text: string): string[] {
  const out: string[] = [];
  for (const { key, value } of parseDotenv(text)) {
    if (HARMLESS_VALUE.test(value)) continue;
    // Short values are only secrets when the key says so; otherwise "8080" would be masked everywhere.
    if (value.length >= 6 || (SECRETISH_KEY.test(key) && value.length >= 3)) out.push(value);
  }
  return out;
}

/** The dotenv files of a workspace, at any depth, not inside dependency folders; symlinked folders are not followed. */
export function findDotenvFiles(workspaceDir: string): string[] {
  const files: string[] = [];
  walkWorkspace(workspaceDir, (dir, entries) => {
    for (const e of entries) {
      if (e.name.toLowerCase().startsWith('.env') && (e.isFile() || e.isSymbolicLink())) files.push(path.join(dir, e.name));
    }
  });
  return files;
}

/** Secret values of every .env* file in the workspace (see findDotenvFiles). */
export function envSecretValues(workspaceDir: string): string[] {
  const values = new Set<string>();
  for (const file of findDotenvFiles(workspaceDir)) {
    try {
      // A symlinked .env is read through (its values are what the app sees), but only when it is a small regular file.
      const st = statSync(file);
      if (!st.isFile() || st.size > MAX_ENV_FILE_BYTES) continue;
      for (const v of secretValuesOfDotenv(readFileSync(file, 'utf8'))) values.add(v);
    } catch {
      // unreadable .env: nothing to learn from it
    }
  }
  return [...values];
}
