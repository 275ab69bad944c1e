import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Commands, ContextKeys, Views } from '../../../src/constants';

const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8'));

describe('extension ids (src/constants.ts)', () => {
  it('names exactly the commands package.json contributes', () => {
    const contributed: string[] = pkg.contributes.commands.map((c: { command: string }) => c.command);
    assert.deepEqual([...Object.values(Commands)].sort(), [...contributed].sort());
  });

  it('names the contributed views and the webview panel activation', () => {
    const views: string[] = Object.values(pkg.contributes.views).flat().map((v) => (v as { id: string }).id);
    assert.ok(views.includes(Views.fixes));
    assert.ok(pkg.activationEvents.includes(`onWebviewPanel:${Views.missionControl}`));
  });

  it('has every context key that a `when` clause of package.json reads', () => {
    const whens = JSON.stringify(pkg.contributes.menus);
    const used = new Set([...whens.matchAll(/\b(autodev\.[a-zA-Z]+)\b(?!\.)/g)].map((m) => m[1]).filter((k) => !Object.values(Commands).includes(k as never) && !Object.values(Views).includes(k as never)));
    for (const key of used) assert.ok((Object.values(ContextKeys) as string[]).includes(key), `${key} is used in a when clause`);
  });
});
