/** Scans a whole log synchronously (files, `autodev detect`, benchmarks). */
import type { CrashReport } from './crashReport';
import { cleanLine } from './logPrefix';
import type { PathMapper } from './pathMapper';
import { ReportBuilder } from './reportBuilder';
import { TraceAssembler } from './traceAssembler';

/** All crashes in `text`, in order; lines are numbered from 1. No stream information: one trace state. */
export function scanText(text: string, opts: { pathMapper?: PathMapper } = {}): CrashReport[] {
  const builder = new ReportBuilder(opts.pathMapper);
  const reports: CrashReport[] = [];
  const assembler = new TraceAssembler((t) => reports.push(builder.build(t)), 3, true);
  let lineNo = 0;
  let start = 0;
  const n = text.length;
  while (start < n) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = n;
    assembler.feed(cleanLine(text.slice(start, nl)), ++lineNo);
    start = nl + 1;
  }
  assembler.finish();
  return reports;
}
