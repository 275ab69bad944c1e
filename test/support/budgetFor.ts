/** A fresh in-memory budget with the limits of a test's FixLimits (the agent's caller always owns one). */
import { BudgetTracker } from '../../src/core/agent/budget';
import type { FixLimits } from '../../src/core/agent/llmProvider';

export function budgetFor(limits: FixLimits): BudgetTracker {
  return new BudgetTracker({ limits: { maxCostUsd: limits.maxCostUsd, dailyCostUsd: limits.dailyCostUsd, maxTokens: limits.maxTokens } });
}
