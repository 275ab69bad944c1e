#!/usr/bin/env bash
# setup.sh [unit,integration,webview,e2e] — readies what the given suites need. Safe to run again.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
needs=${1:-integration,webview,e2e}
case ",$needs," in *,integration,*|*,e2e,*) "$here/offline-images.sh" ;; esac
# The integration suite also deploys to a second engine over TCP (remote-engine and engine-restart tests).
case ",$needs," in *,integration,*) "$here/docker-second.sh" start >/dev/null || echo "setup: no second engine (the remote-engine tests will say why)" >&2 ;; esac
case ",$needs," in *,webview,*|*,e2e,*) [ -x "$here/setup-chromium.sh" ] && "$here/setup-chromium.sh" ;; esac
case ",$needs," in *,e2e,*) [ -x "$here/setup-vscode-server.sh" ] && "$here/setup-vscode-server.sh" ;; esac
exit 0
