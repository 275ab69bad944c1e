/** Loads the captured crash fixtures (test/fixtures/crash/<lang>/<case>/output.log + expected.json). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface ExpectedCrash {
  type: string;
  /** Prefix of the message. */
  message: string;
  userFile: string | null;
  userLine: number | null;
}

export interface FixtureCase {
  name: string;
  dir: string;
  log: string;
  count: number;
  crashes: ExpectedCrash[];
}

export const FIXTURE_ROOT = path.resolve(__dirname, '../../fixtures/crash');

export function loadFixtures(): FixtureCase[] {
  const cases: FixtureCase[] = [];
  for (const lang of readdirSync(FIXTURE_ROOT).sort()) {
    const langDir = path.join(FIXTURE_ROOT, lang);
    if (!existsSync(langDir) || lang.includes('.')) continue;
    for (const c of readdirSync(langDir).sort()) {
      const dir = path.join(langDir, c);
      const expectedFile = path.join(dir, 'expected.json');
      if (!existsSync(expectedFile)) continue;
      const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as { count: number; crashes: ExpectedCrash[] };
      cases.push({ name: `${lang}/${c}`, dir, log: readFileSync(path.join(dir, 'output.log'), 'utf8'), ...expected });
    }
  }
  return cases;
}
