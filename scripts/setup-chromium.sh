#!/usr/bin/env bash
# setup-chromium.sh — installs Debian's `chromium` for the webview tests (headless, driven by playwright-core).
# Quiet and quick when /usr/bin/chromium is already there. Needs root (or passwordless sudo) to install.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else
  echo "setup-chromium: /usr/bin/chromium is missing and installing it needs root (apt-get install chromium)." >&2
  exit 1
fi
echo "setup-chromium: installing Debian chromium…" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
$sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
if [ ! -x /usr/bin/chromium ]; then
  echo "setup-chromium: apt-get finished but /usr/bin/chromium is still missing." >&2
  exit 1
fi
echo "setup-chromium: $(/usr/bin/chromium --version 2>/dev/null || echo chromium installed)" >&2
