/**
 * A terminal attached to the app for programs that want input: it runs the bundled CLI's `autodev run
 * --interactive` on the deployed folder, so what the user types goes to the app's stdin in its container.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_RUNTIME_SETTINGS, type RuntimeSettings } from '../core/runtime/containerRuntime';

export function openAppTerminal(extensionPath: string, dir: string, runtime: RuntimeSettings, dockerHost: string | undefined): vscode.Terminal {
  const args = [path.join(extensionPath, 'dist', 'cli.js'), 'run', dir, '--interactive'];
  if (runtime.entry) args.push('--entry', runtime.entry);
  if (runtime.port) args.push('--port', String(runtime.port));
  const terminal = vscode.window.createTerminal({
    name: `AutoDev: ${path.basename(dir)}`,
    // The extension host's own Node runs the CLI (ELECTRON_RUN_AS_NODE makes Electron behave as node).
    shellPath: process.execPath,
    shellArgs: args,
    cwd: dir,
    env: {
      ELECTRON_RUN_AS_NODE: '1',
      // Only images the user chose: the CLI falls back to the offline images for the defaults, as a deploy does.
      ...(runtime.pythonImage !== DEFAULT_RUNTIME_SETTINGS.pythonImage ? { AUTODEV_PYTHON_IMAGE: runtime.pythonImage } : {}),
      ...(runtime.nodeImage !== DEFAULT_RUNTIME_SETTINGS.nodeImage ? { AUTODEV_NODE_IMAGE: runtime.nodeImage } : {}),
      ...(dockerHost ? { DOCKER_HOST: dockerHost } : {}),
    },
  });
  terminal.show();
  return terminal;
}
