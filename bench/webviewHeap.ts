/**
 * Mission Control in headless Chromium (the webview test harness): JS heap after 1M log lines streamed as the host
 * streams them (`logs/didAppend` batches), and the time from a `crash/didDetect` message to the crash card on screen.
 */
import { exec, type BenchPart } from './benchContext';
import { median, round } from './benchStats';
import { openHarness } from '../test/webview/harness';
import { sampleCrash } from '../test/webview/sampleIncident';
import type { Page } from 'playwright-core';
import type { HostMessage } from '../src/protocol/messages';

/**
 * Runs in the page: posts the message and resolves at the first animation frame after the card shows `text`.
 * Kept as source text because tsx (esbuild keepNames) would wrap named inner functions in a helper the page lacks.
 */
const TIME_CARD = `([msg, text]) => new Promise((resolve) => {
  const t0 = performance.now();
  const observer = new MutationObserver(() => {
    if (document.querySelector('.crash-card .crash-message')?.textContent !== text) return;
    observer.disconnect();
    requestAnimationFrame(() => resolve(performance.now() - t0));
  });
  observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  window.postMessage(msg, '*');
})`;

async function timeCard(page: Page, message: HostMessage, expected: string): Promise<number> {
  return page.evaluate(`(${TIME_CARD})(${JSON.stringify([message, expected])})`) as Promise<number>;
}

export const webviewPart: BenchPart = {
  name: 'webview',
  keys: ['webviewHeapMbAfter1MLines', 'crashToCardMs'],
  docker: false,
  timeoutMs: 10 * 60_000,
  async run(ctx) {
    // The harness serves dist/webview.js: build it from the current sources first.
    await exec(process.execPath, ['scripts/build.mjs'], { cwd: ctx.repoRoot, timeoutMs: 4 * 60_000 });
    const lines = ctx.size(1_000_000, 100_000);
    const harness = await openHarness({ extraArgs: ['--js-flags=--expose-gc'] });
    try {
      const cdp = await harness.page.context().newCDPSession(harness.page);
      const heapMb = async () => {
        await cdp.send('HeapProfiler.collectGarbage');
        const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
        return usedSize / 2 ** 20;
      };
      await harness.settle();
      const before = await heapMb();
      const t0 = performance.now();
      // In chunks so each evaluate stays small; the page receives batches of 500 lines, as from the host.
      const chunk = 100_000;
      for (let start = 0; start < lines; start += chunk) {
        await harness.streamLines(Math.min(chunk, lines - start), { batch: 500, startSeq: start + 1, stderrEvery: 50 });
        await harness.settle();
      }
      const ingestMs = performance.now() - t0;
      const after = await heapMb();
      ctx.note(`${lines} lines in batches of 500: ingested and rendered in ${Math.round(ingestMs)} ms; JS heap ${before.toFixed(1)} → ${after.toFixed(1)} MiB after GC`);

      // Crash message → card, with the full log loaded (the worst case). Each crash has its own message.
      const times: number[] = [];
      const reps = ctx.size(9, 3);
      for (let i = 0; i < reps; i++) {
        const dto = sampleCrash({ at: Date.now() });
        dto.crash = { ...dto.crash, message: `division by zero (bench ${i})`, signature: `ZeroDivisionError|average|stats.py#${i}` };
        times.push(await timeCard(harness.page, { type: 'crash/didDetect', crash: dto }, dto.crash.message));
        await harness.settle();
      }
      ctx.note(`crash → card (in DOM, next frame) over ${reps} crashes after the log load: ${times.map((t) => t.toFixed(1)).join(', ')} ms`);
      if (harness.pageErrors.length) ctx.note(`page errors: ${harness.pageErrors.slice(0, 3).join(' | ')}`);
      return { webviewHeapMbAfter1MLines: round(after, 1), crashToCardMs: round(median(times), 2) };
    } finally {
      await harness.close();
    }
  },
};
