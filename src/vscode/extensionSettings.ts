/** Reads `autodev.*` settings into the core's config shapes. Restricted settings are already ignored by VS Code when untrusted. */
import * as vscode from 'vscode';
import type { EngineChoice } from '../core/runtime/engineSelection';
import { DEFAULT_RUNTIME_SETTINGS, type RuntimeSettings } from '../core/runtime/containerRuntime';
import type { VerifySettings } from '../core/heal/healController';
import type { GitSettings } from '../core/git/gitPort';
import type { FixLimits } from '../core/agent/llmProvider';

export type ModelProviderSetting = 'builtin' | 'openai' | 'vscode-lm';

export interface ModelSettings {
  provider: ModelProviderSetting;
  preset: string;
  baseUrl?: string;
  model?: string;
  stream: boolean;
}

export interface AutodevSettings {
  runtime: RuntimeSettings;
  dockerHost?: string;
  /** The engine choice as the core takes it (Docker host/context, or a Kubernetes context). */
  engine: Omit<EngineChoice, 'env'>;
  model: ModelSettings;
  mode: 'review' | 'autonomous';
  fix: FixLimits & { maxAttempts: number };
  verify: VerifySettings;
  git: GitSettings;
  confirmBeforeSend: boolean;
}

const nonEmpty = (s: string | undefined): string | undefined => (s && s.trim() ? s.trim() : undefined);
const oneOf = <T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T =>
  (allowed as readonly string[]).includes(value ?? '') ? (value as T) : fallback;
const validPort = (n: number | undefined): boolean => typeof n === 'number' && Number.isInteger(n) && n > 0 && n < 65536;
const positive = (n: number | undefined, fallback: number): number => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : fallback);

/** Settings for the workspace folder `scope` (resource-scoped settings may differ per folder). */
export function readSettings(scope?: vscode.Uri): AutodevSettings {
  const c = vscode.workspace.getConfiguration('autodev', scope);
  const ports = (c.get<unknown[]>('runtime.ports') ?? []).filter((p): p is number => Number.isInteger(p) && (p as number) > 0 && (p as number) < 65536);
  return {
    runtime: {
      ...DEFAULT_RUNTIME_SETTINGS,
      pythonImage: nonEmpty(c.get<string>('runtime.pythonImage')) ?? DEFAULT_RUNTIME_SETTINGS.pythonImage,
      nodeImage: nonEmpty(c.get<string>('runtime.nodeImage')) ?? DEFAULT_RUNTIME_SETTINGS.nodeImage,
      memoryMb: positive(c.get<number>('runtime.memoryMb'), DEFAULT_RUNTIME_SETTINGS.memoryMb),
      cpus: positive(c.get<number>('runtime.cpus'), DEFAULT_RUNTIME_SETTINGS.cpus),
      pidsLimit: positive(c.get<number>('runtime.pidsLimit'), DEFAULT_RUNTIME_SETTINGS.pidsLimit),
      ports,
      env: {},
      ...(nonEmpty(c.get<string>('runtime.entry')) ? { entry: nonEmpty(c.get<string>('runtime.entry')) } : {}),
      ...(validPort(c.get<number>('runtime.port')) ? { port: c.get<number>('runtime.port') } : {}),
    },
    dockerHost: nonEmpty(c.get<string>('runtime.dockerHost')),
    engine: {
      dockerHost: nonEmpty(c.get<string>('runtime.dockerHost')),
      dockerContext: nonEmpty(c.get<string>('runtime.dockerContext')),
      kubeContext: nonEmpty(c.get<string>('runtime.kubernetes.context')),
      kubeNamespace: nonEmpty(c.get<string>('runtime.kubernetes.namespace')),
      registry: nonEmpty(c.get<string>('runtime.kubernetes.registry')),
    },
    model: {
      provider: oneOf(c.get<string>('model.provider'), ['builtin', 'openai', 'vscode-lm'] as const, 'builtin'),
      preset: oneOf(c.get<string>('model.preset'), ['openrouter', 'gemini', 'openai', 'ollama', 'custom'] as const, 'openrouter'),
      baseUrl: nonEmpty(c.get<string>('model.baseUrl')),
      model: nonEmpty(c.get<string>('model.model')),
      stream: c.get<boolean>('model.stream') ?? true,
    },
    mode: oneOf(c.get<string>('fix.mode'), ['review', 'autonomous'] as const, 'review'),
    fix: {
      maxAttempts: positive(c.get<number>('fix.maxAttempts'), 3),
      maxTurns: positive(c.get<number>('fix.maxTurns'), 8),
      maxCostUsd: c.get<number>('fix.maxCostUsd') ?? 0.5,
      dailyCostUsd: c.get<number>('fix.dailyCostUsd') ?? 5,
      maxTokens: 200_000,
      timeoutMs: 120_000,
    },
    verify: {
      windowSeconds: positive(c.get<number>('verify.windowSeconds'), 10),
      healthUrl: nonEmpty(c.get<string>('verify.healthUrl')),
      command: nonEmpty(c.get<string>('verify.command')),
      replayUnsafeMethods: c.get<boolean>('verify.replayUnsafeMethods') ?? true,
      isolateScratchNetwork: c.get<boolean>('verify.isolateScratchNetwork') ?? true,
    },
    git: {
      commit: c.get<boolean>('git.autoCommit') ?? true,
      autoPush: c.get<boolean>('git.autoPush') ?? false,
      branch: oneOf(c.get<string>('git.branch'), ['current', 'fix-branch'] as const, 'current'),
      // Application-scoped (a repository cannot opt itself in) and honoured only in a trusted workspace.
      runHooks: vscode.workspace.isTrusted && (c.get<boolean>('git.runHooks') ?? false),
    },
    confirmBeforeSend: c.get<boolean>('privacy.confirmBeforeSend') ?? false,
  };
}
