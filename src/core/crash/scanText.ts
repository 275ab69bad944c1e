/** Scans a whole log synchronously (files, `autodev detect`, benchmarks). */
import type { CrashReport } from './crashReport';
import { cleanLine } from './logPrefix';
import { LogRouter } from './logRouter';
import type { PathMapper } from './pathMapper';
import { ReportBuilder } from './reportBuilder';

/** All crashes in `text`, in order; lines are numbered from 1. No stream information: one stream's trace state. */
export function scanText(text: string, opts: { pathMapper?: PathMapper } = {}): CrashReport[] {
  const reports: CrashReport[] = [];
  const router = new LogRouter(new ReportBuilder(opts.pathMapper), (r) => reports.push(r), 3, true);
  let lineNo = 0;
  let start = 0;
  const n = text.length;
  while (start < n) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = n;
    router.feed(cleanLine(text.slice(start, nl)), ++lineNo, 'stdout');
    start = nl + 1;
  }
  router.finish(true);
  return reports;
}
