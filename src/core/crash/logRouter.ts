/**
 * Routes clean lines to trace state: per stream, per compose service, and a separate state for traces expanded
 * from JSON log records (a record is a whole trace: it is emitted as soon as its line is read).
 */
import type { CrashReport } from './crashReport';
import { decodeJsonRecord, mayHaveEnvelope, unwrapLine, type LogRecord } from './logEnvelope';
import { MAX_LINE } from './logPrefix';
import type { ReportBuilder } from './reportBuilder';
import { TraceAssembler } from './traceAssembler';
import type { RawTrace } from './traceParser';

export class LogRouter {
  private readonly assemblers = new Map<string, TraceAssembler>();
  private lastKey: string | null = null;
  private last: TraceAssembler | null = null;
  private readonly json: TraceAssembler;
  private record: LogRecord | null = null;

  /**
   * `tolerance` and `holdComplete` as for TraceAssembler: whole logs hold a complete trace across a few unrelated
   * lines, live streams emit it on the first one.
   */
  /** `early`: told once per trace as soon as it is complete, before its final `emit` (see TraceAssembler). */
  constructor(
    private readonly builder: ReportBuilder,
    private readonly emit: (report: CrashReport) => void,
    private readonly tolerance: number,
    private readonly holdComplete: boolean,
    private readonly early?: (report: CrashReport) => void,
  ) {
    this.json = new TraceAssembler((t) => this.emit(this.fromRecord(t)), 0, false, early && ((t) => early(this.fromRecord(t))));
  }

  private fromRecord(t: RawTrace): CrashReport {
    const report = this.builder.build(t);
    if (this.record && Object.keys(this.record).length) report.record = this.record;
    return report;
  }

  /** Feeds one clean line of `stream`. */
  feed(line: string, lineNo: number, stream: string): void {
    // Most lines have no envelope: two char tests, no allocation.
    let body = line;
    let key = stream;
    if (mayHaveEnvelope(line)) {
      const u = unwrapLine(line);
      body = u.body;
      if (u.service) key = `${stream}\0${u.service}`;
    }
    const a = this.assembler(key);
    const decoded = decodeJsonRecord(body);
    if (!decoded) {
      // Only a record may be longer than a trace line: cut what turned out not to be one.
      a.feed(body.length > MAX_LINE ? body.slice(0, MAX_LINE) : body, lineNo);
      return;
    }
    // The record ends whatever trace the plain lines had open; its own trace is complete in itself.
    a.feed('', lineNo);
    this.record = decoded.record;
    for (const l of decoded.lines) this.json.feed(l, lineNo);
    this.json.finish();
    this.record = null;
  }

  /** True when some stream has a trace open. */
  get isActive(): boolean {
    for (const a of this.assemblers.values()) if (a.isActive) return true;
    return false;
  }

  /**
   * Emits the open traces: all of them (`force`, end of stream), or only those that look complete (a quiet
   * period). Returns whether an incomplete trace is still open.
   */
  finish(force: boolean): boolean {
    let pending = false;
    for (const a of this.assemblers.values()) {
      if (!a.isActive) continue;
      if (force || a.isComplete) a.finish();
      else pending = true;
    }
    return pending;
  }

  private assembler(key: string): TraceAssembler {
    if (key === this.lastKey) return this.last!;
    let a = this.assemblers.get(key);
    if (!a) {
      const early = this.early;
      a = new TraceAssembler((t) => this.emit(this.builder.build(t)), this.tolerance, this.holdComplete, early && ((t) => early(this.builder.build(t))));
      this.assemblers.set(key, a);
    }
    this.lastKey = key;
    this.last = a;
    return a;
  }
}
