/** What a person sees: the screenshot of a realistic incident, readability in every theme kind, reduced motion, 1M lines. */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openHarness, type Harness } from './harness';
import type { LogLineDto, Snapshot } from '../../src/protocol/dtos';
import { T0, sampleCrash, sampleLogs } from './sampleIncident';
import { incidentSnapshot } from '../support/incidentSnapshot';

const RESULTS = resolve(__dirname, '../../test-results');

function incident(): Snapshot {
  const logs: LogLineDto[] = [
    { seq: 0, stream: 'system', text: '[build] Step 1/5 : FROM autodev-offline/python:3.11', time: T0 - 2100 },
    { seq: 0, stream: 'system', text: '[build] Successfully built 9c1f2e7a  (0.8 s)', time: T0 - 1300 },
    ...sampleLogs(70),
    { seq: 0, stream: 'system', text: '[agent] attempt 1: read_file stats.py · edit_file stats.py · finish', time: T0 + 7200 },
    { seq: 0, stream: 'system', text: '[verify] attempt 1: passed — ✓ reproducer, ✓ no 5xx, ✓ no recurrence', time: T0 + 9100 },
  ];
  return incidentSnapshot({ logs });
}

/** WCAG contrast of each element's text against what is actually behind it (alpha layers composed). */
async function contrasts(h: Harness, selectors: string[]): Promise<Record<string, number>> {
  return h.page.evaluate((sels) => {
    const parse = (c: string): number[] => {
      const srgb = /color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)(?: \/ ([\d.]+))?\)/.exec(c);
      if (srgb) return [+srgb[1] * 255, +srgb[2] * 255, +srgb[3] * 255, srgb[4] === undefined ? 1 : +srgb[4]];
      const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(c);
      return m ? [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]] : [0, 0, 0, 0];
    };
    const over = (top: number[], under: number[]) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
    const background = (el: Element | null): number[] => {
      const layers: number[][] = [];
      for (let e = el; e; e = e.parentElement) layers.push(parse(getComputedStyle(e).backgroundColor));
      return layers.reverse().reduce((acc, l) => over(l, acc), [255, 255, 255, 1]);
    };
    const lum = (c: number[]) => {
      const [r, g, b] = c.slice(0, 3).map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const out: Record<string, number> = {};
    for (const sel of sels) {
      const el = document.querySelector(sel);
      if (!el) throw new Error(`missing ${sel}`);
      const bg = background(el);
      const fg = over(parse(getComputedStyle(el).color), bg);
      const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      out[sel] = Math.round(((a + 0.05) / (b + 0.05)) * 10) / 10;
    }
    return out;
  }, selectors);
}

const READABLE = ['.log-row.s-stdout .log-text', '.log-row.s-stderr .log-text', '.crash-message', '.crash-type', '.patch-summary', '.state-name', '.history .mttr', '.diff-line.d-add', '.diff-line.d-del'];

describe('mission control look', function () {
  this.timeout(180_000);

  for (const theme of ['dark', 'light', 'high-contrast'] as const) {
    it(`keeps text readable in the ${theme} theme (contrast ≥ 4.5) and saves a screenshot`, async () => {
      const h = await openHarness({ theme, width: 1400, height: 1000, reducedMotion: true });
      try {
        await h.send({ type: 'state/snapshot', snapshot: incident() });
        await h.settle();
        const ratios = await contrasts(h, READABLE);
        if (process.env.AUTODEV_DEBUG) console.log(theme, ratios);
        for (const [sel, ratio] of Object.entries(ratios)) assert.ok(ratio >= 4.5, `${theme}: ${sel} contrast ${ratio}`);
        mkdirSync(RESULTS, { recursive: true });
        const file = theme === 'dark' ? 'mission-control.png' : `mission-control-${theme}.png`;
        await h.page.screenshot({ path: join(RESULTS, file), fullPage: true });
        assert.deepEqual(h.pageErrors, []);
        assert.deepEqual(await h.cspViolations(), []);
      } finally {
        await h.close();
      }
    });
  }

  it('stops animations when the user prefers reduced motion', async () => {
    const h = await openHarness({ reducedMotion: true });
    try {
      await h.send({ type: 'state/snapshot', snapshot: { ...incident(), state: 'CRASHED' } });
      await h.settle();
      assert.equal(await h.page.locator('.state-name').evaluate((el) => getComputedStyle(el).animationName), 'none');
      assert.equal(await h.page.locator('.matrix-rain').evaluate((el) => getComputedStyle(el).display), 'none');
    } finally {
      await h.close();
    }
    const moving = await openHarness({ reducedMotion: false });
    try {
      await moving.send({ type: 'state/snapshot', snapshot: { ...incident(), state: 'CRASHED' } });
      await moving.settle();
      assert.equal(await moving.page.locator('.state-name').evaluate((el) => getComputedStyle(el).animationName), 'mc-pulse');
    } finally {
      await moving.close();
    }
  });

  it('holds a million lines, drops the oldest past the cap, and still scrolls both ends', async () => {
    const h = await openHarness();
    try {
      await h.send({ type: 'state/snapshot', snapshot: { ...incident(), logs: [] } });
      for (let i = 0; i < 21; i++) {
        await h.streamLines(50_000, { startSeq: 1 + i * 50_000 });
        await h.settle();
      }
      assert.match(await h.page.locator('.log-count').innerText(), /^1,000,000 lines · 50,000 oldest dropped/);
      assert.ok((await h.page.locator('.log-row').count()) < 200);
      const last = await h.page.locator('.log-row').last().locator('.log-text').innerText();
      assert.match(last, /^line 1050000 /);
      await h.page.locator('.log-scroller').evaluate((el) => (el.scrollTop = 0));
      await h.settle();
      assert.match(await h.page.locator('.log-row').first().locator('.log-text').innerText(), /^line 50001 /);
      assert.deepEqual(h.pageErrors, []);
    } finally {
      await h.close();
    }
  });

  it('measures heap and crash-to-card time through the harness (benchmark hooks work)', async () => {
    const h = await openHarness();
    try {
      await h.send({ type: 'state/snapshot', snapshot: { ...incident(), logs: [], crash: null } });
      const heap = await h.heapUsedBytes();
      assert.ok(heap > 100_000, `heap ${heap}`);
      const ms = await h.crashToCardMs(sampleCrash());
      assert.ok(Number.isFinite(ms) && ms >= 0);
      assert.equal(await h.page.locator('.crash-type').innerText(), 'ZeroDivisionError');
    } finally {
      await h.close();
    }
  });
});
