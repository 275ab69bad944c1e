/**
 * Spending caps: tokens and dollars per crash signature, and a daily dollar total kept in a JSON file across runs.
 * Warns once at 80 % and refuses further requests at 100 %. Prices for known models; unknown models count tokens
 * and report the cost as unknown.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** USD per million tokens [input, output]. Published list prices; a provider's own `usage.cost` wins when sent. */
const PRICES: [string, number, number][] = [
  ['gpt-4o-mini', 0.15, 0.6],
  ['gpt-4o', 2.5, 10],
  ['gpt-4.1-nano', 0.1, 0.4],
  ['gpt-4.1-mini', 0.4, 1.6],
  ['gpt-4.1', 2, 8],
  ['gpt-5-nano', 0.05, 0.4],
  ['gpt-5-mini', 0.25, 2],
  ['gpt-5', 1.25, 10],
  ['o4-mini', 1.1, 4.4],
  ['o3-mini', 1.1, 4.4],
  ['gemini-2.5-flash-lite', 0.1, 0.4],
  ['gemini-2.5-flash', 0.3, 2.5],
  ['gemini-2.5-pro', 1.25, 10],
  ['gemini-2.0-flash-lite', 0.075, 0.3],
  ['gemini-2.0-flash', 0.1, 0.4],
  ['meta-llama/llama-3.3-70b-instruct', 0.13, 0.4],
  ['meta-llama/llama-3.1-8b-instruct', 0.02, 0.05],
  ['deepseek-chat', 0.27, 1.1],
  ['deepseek-reasoner', 0.55, 2.19],
  ['deepseek/deepseek-chat', 0.3, 0.85],
  ['claude-3-5-haiku', 0.8, 4],
  ['claude-3-5-sonnet', 3, 15],
  ['claude-sonnet-4', 3, 15],
  ['mistral-small', 0.1, 0.3],
  ['builtin-fixer', 0, 0],
];

/** True for endpoints on this machine (Ollama, vLLM, or a LiteLLM proxy that may still forward to a paid API). */
export function isLocalEndpoint(baseUrl?: string): boolean {
  if (!baseUrl) return false;
  try {
    const h = new URL(baseUrl).hostname;
    return h === 'localhost' || h === '127.0.0.1' || h === '::1' || h === '[::1]' || h.endsWith('.localhost');
  } catch {
    return false;
  }
}

/**
 * Estimated USD for a request, or null when the model is not in the price table. Matches the longest known name
 * that the model id starts with, with or without a vendor prefix (`openai/gpt-4o-mini`, `gpt-4o-mini-2024-07-18`).
 */
export function estimateCostUsd(model: string, promptTokens: number, completionTokens: number): number | null {
  const m = model.toLowerCase().replace(/^models\//, '');
  const bare = m.includes('/') ? m.slice(m.indexOf('/') + 1) : m;
  let best: [string, number, number] | undefined;
  for (const p of PRICES) {
    if ((m.startsWith(p[0]) || bare.startsWith(p[0])) && (!best || p[0].length > best[0].length)) best = p;
  }
  if (!best) return null;
  return (promptTokens * best[1] + completionTokens * best[2]) / 1_000_000;
}

export interface BudgetLimits {
  /** Dollars per crash signature (autodev.fix.maxCostUsd, default 0.50). */
  maxCostUsd: number;
  /** Dollars per day over all incidents (autodev.fix.dailyCostUsd). */
  dailyCostUsd: number;
  /** Tokens per crash signature. */
  maxTokens: number;
}

export interface BudgetCheck {
  ok: boolean;
  /** Why not, in words for the user. */
  message?: string;
}

interface DailyFile {
  date: string;
  costUsd: number;
  tokens: number;
}

interface SignatureSpend {
  tokens: number;
  costUsd: number;
  unknownCost: boolean;
}

/** Tracks spending; one per session (the daily file is shared across sessions through the file). */
export class BudgetTracker {
  private readonly perSignature = new Map<string, SignatureSpend>();
  private readonly warned = new Set<string>();

  constructor(
    private readonly opts: {
      limits: BudgetLimits;
      /** JSON file keeping today's total across runs; in memory only when absent. */
      file?: string;
      onWarn?: (message: string) => void;
      now?: () => Date;
    },
  ) {}

  get limits(): BudgetLimits {
    return this.opts.limits;
  }

  private today(): string {
    return (this.opts.now?.() ?? new Date()).toISOString().slice(0, 10);
  }

  private memoryDaily: DailyFile = { date: '', costUsd: 0, tokens: 0 };

  private readDaily(): DailyFile {
    const today = this.today();
    let d: DailyFile = this.memoryDaily;
    if (this.opts.file) {
      try {
        const raw = JSON.parse(readFileSync(this.opts.file, 'utf8')) as Partial<DailyFile>;
        d = { date: String(raw.date ?? ''), costUsd: Number(raw.costUsd) || 0, tokens: Number(raw.tokens) || 0 };
      } catch {
        d = { date: today, costUsd: 0, tokens: 0 };
      }
    }
    return d.date === today ? d : { date: today, costUsd: 0, tokens: 0 };
  }

  private writeDaily(d: DailyFile): void {
    this.memoryDaily = d;
    if (!this.opts.file) return;
    mkdirSync(path.dirname(this.opts.file), { recursive: true });
    const tmp = `${this.opts.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(d, null, 2));
    renameSync(tmp, this.opts.file);
  }

  /** What this signature has used so far. */
  spent(signature: string): { tokens: number; costUsd: number; costKnown: boolean } {
    const s = this.perSignature.get(signature) ?? { tokens: 0, costUsd: 0, unknownCost: false };
    return { tokens: s.tokens, costUsd: s.costUsd, costKnown: !s.unknownCost };
  }

  /** Today's dollar total over all signatures (from the file when there is one). */
  dailySpent(): number {
    return this.readDaily().costUsd;
  }

  /** May another request be sent for this signature? */
  check(signature: string): BudgetCheck {
    const s = this.spent(signature);
    const l = this.opts.limits;
    if (l.maxCostUsd > 0 && s.costUsd >= l.maxCostUsd) {
      return { ok: false, message: `cost cap reached: this crash has used $${s.costUsd.toFixed(4)} of its $${l.maxCostUsd.toFixed(2)} budget (autodev.fix.maxCostUsd)` };
    }
    if (l.maxTokens > 0 && s.tokens >= l.maxTokens) {
      return { ok: false, message: `token cap reached: this crash has used ${s.tokens} of its ${l.maxTokens} tokens` };
    }
    const daily = this.dailySpent();
    if (l.dailyCostUsd > 0 && daily >= l.dailyCostUsd) {
      return { ok: false, message: `daily cost cap reached: $${daily.toFixed(4)} of $${l.dailyCostUsd.toFixed(2)} spent today (autodev.fix.dailyCostUsd)` };
    }
    return { ok: true };
  }

  /** Adds one request's usage; warns once per cap when it passes 80 %. Returns the check after recording. */
  record(signature: string, usage: { promptTokens: number; completionTokens: number; costUsd: number | null }): BudgetCheck {
    const s = this.perSignature.get(signature) ?? { tokens: 0, costUsd: 0, unknownCost: false };
    const tokens = usage.promptTokens + usage.completionTokens;
    s.tokens += tokens;
    if (usage.costUsd === null) s.unknownCost = true;
    else s.costUsd += usage.costUsd;
    this.perSignature.set(signature, s);
    const d = this.readDaily();
    d.tokens += tokens;
    d.costUsd += usage.costUsd ?? 0;
    this.writeDaily(d);

    const l = this.opts.limits;
    const warn = (key: string, used: number, cap: number, what: string) => {
      if (cap > 0 && used >= 0.8 * cap && used < cap && !this.warned.has(key)) {
        this.warned.add(key);
        this.opts.onWarn?.(`${what} at ${Math.round((used / cap) * 100)} % of its cap`);
      }
    };
    warn(`cost:${signature}`, s.costUsd, l.maxCostUsd, `this crash's model spending ($${s.costUsd.toFixed(4)} of $${l.maxCostUsd.toFixed(2)}) is`);
    warn(`tokens:${signature}`, s.tokens, l.maxTokens, `this crash's token use (${s.tokens} of ${l.maxTokens}) is`);
    warn(`daily:${d.date}`, d.costUsd, l.dailyCostUsd, `today's model spending ($${d.costUsd.toFixed(4)} of $${l.dailyCostUsd.toFixed(2)}) is`);
    return this.check(signature);
  }
}
