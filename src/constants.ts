/** The extension's ids in one place: commands, views and context keys, as contributed in package.json. */

export const Commands = {
  deployWorkspace: 'autodev.deployWorkspace',
  deployRepository: 'autodev.deployRepository',
  stop: 'autodev.stop',
  restart: 'autodev.restart',
  fixNow: 'autodev.fixNow',
  openMissionControl: 'autodev.openMissionControl',
  acceptPatch: 'autodev.acceptPatch',
  rejectPatch: 'autodev.rejectPatch',
  setApiKey: 'autodev.setApiKey',
  selectModel: 'autodev.selectModel',
  pauseAutoHeal: 'autodev.pauseAutoHeal',
  resumeAutoHeal: 'autodev.resumeAutoHeal',
  showLogs: 'autodev.showLogs',
  showFixDiff: 'autodev.fixes.showDiff',
  revertFix: 'autodev.fixes.revert',
  pushFix: 'autodev.fixes.push',
  raiseMemoryLimit: 'autodev.raiseMemoryLimit',
  cleanUp: 'autodev.cleanUp',
  openAppTerminal: 'autodev.openAppTerminal',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];

export const Views = {
  fixes: 'autodev.views.fixes',
  /** The Mission Control webview panel (its viewType). */
  missionControl: 'autodev.missionControl',
} as const;

/** VS Code's built-in commands we call. */
export const BuiltinCommands = {
  setContext: 'setContext',
  focusFixes: `${Views.fixes}.focus`,
  openFolder: 'vscode.openFolder',
} as const;

export const ContextKeys = {
  state: 'autodev.state',
  autoHealPaused: 'autodev.autoHealPaused',
  reviewPending: 'autodev.reviewPending',
} as const;

/** The status bar item's id. */
export const StatusBarId = 'autodev.state';
