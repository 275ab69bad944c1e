#!/usr/bin/env bash
# docker-second.sh [start|restart|stop|status] [--live-restore|--no-live-restore]
# A SECOND Docker engine on this machine, reached only over TCP at 127.0.0.1:${AUTODEV_DOCKER2_PORT:-23750}, with
# its own data-root, exec-root, pidfile, containerd and bridge (autodev2, 172.31.250.1/24, no iptables): the
# "remote engine" the integration suite deploys to. It never touches the main engine (/var/run/docker.sock).
#   start    idempotent: starts it when it does not answer (or runs with the other live-restore setting), then loads the autodev-offline/* images from the main
#            engine into it (docker save | docker load) when they are missing there.
#   restart  stops and starts it (containers survive with --live-restore); used by the engine-restart tests.
#   stop     stops it (its containers stop too unless it runs with live-restore).
# Prints the DOCKER_HOST value on stdout when it is up. Needs root (a daemon); says so otherwise.
set -euo pipefail
say() { echo "docker-second: $*" >&2; }

port=${AUTODEV_DOCKER2_PORT:-23750}
base=${AUTODEV_DOCKER2_DIR:-/var/lib/autodev-docker2}
run=/var/run/autodev-docker2
pidfile=$run.pid
bridge=autodev2
host="tcp://127.0.0.1:$port"
log=${AUTODEV_DOCKER2_LOG:-/tmp/autodev-docker2.log}
images=(autodev-offline/python:3.11 autodev-offline/node:20)

cmd=${1:-start}
live=keep
for a in "${@:2}"; do
  case $a in
    --live-restore) live=on ;;
    --no-live-restore) live=off ;;
    *) say "unknown option $a"; exit 2 ;;
  esac
done

answers() { DOCKER_HOST=$host timeout 5 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
pid() { [[ -f $pidfile ]] && cat "$pidfile" 2>/dev/null; }
alive() { local p; p=$(pid) && [[ -n $p ]] && kill -0 "$p" 2>/dev/null; }

stop_engine() {
  local p
  if alive; then
    p=$(pid)
    kill -TERM "$p"
    for _ in $(seq 1 120); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$p" 2>/dev/null; then say "dockerd $p did not stop within 30 s"; exit 1; fi
  fi
}

start_engine() {
  if [[ $(id -u) -ne 0 ]]; then
    say "starting a second dockerd needs root (run: sudo $0 start)"
    exit 1
  fi
  if ! command -v dockerd >/dev/null 2>&1; then
    "$(dirname "$0")/docker-up.sh" || true
    command -v dockerd >/dev/null 2>&1 || { say "dockerd is not installed"; exit 1; }
  fi
  mkdir -p "$base" "$run"
  # Its own bridge, so it never fights the main engine over docker0 or its iptables chains.
  if ! ip link show "$bridge" >/dev/null 2>&1; then
    ip link add "$bridge" type bridge
    ip addr add 172.31.250.1/24 dev "$bridge"
  fi
  ip link set "$bridge" up
  # The live-restore choice is remembered beside the data so a plain `start` keeps what the last test chose.
  local flag="$base/live-restore"
  case $live in on) touch "$flag" ;; off) rm -f "$flag" ;; esac
  local extra=()
  [[ -f $flag ]] && extra+=(--live-restore)
  say "starting dockerd on $host (data $base, log $log${extra:+, live-restore})…"
  nohup dockerd \
    --host "$host" \
    --data-root "$base/data" \
    --exec-root "$run" \
    --pidfile "$pidfile" \
    --bridge "$bridge" \
    --iptables=false --ip-masq=false --ip-forward=false \
    --storage-driver overlay2 \
    "${extra[@]}" \
    >>"$log" 2>&1 </dev/null &
  for _ in $(seq 1 120); do
    answers && return 0
    sleep 0.5
  done
  say "the second dockerd did not answer within 60 s; last lines of $log:"
  tail -n 20 "$log" >&2 || true
  exit 1
}

load_images() {
  for img in "${images[@]}"; do
    DOCKER_HOST=$host docker image inspect "$img" >/dev/null 2>&1 && continue
    if ! DOCKER_HOST= docker image inspect "$img" >/dev/null 2>&1; then
      say "$img is not on the main engine either (scripts/offline-images.sh builds it); skipped"
      continue
    fi
    say "loading $img into the second engine…"
    DOCKER_HOST= docker save "$img" | DOCKER_HOST=$host docker load -q >/dev/null
  done
}

case $cmd in
  start)
    if answers && [[ $live != keep ]]; then
      # Asked for a live-restore setting the running engine does not have: restart it with that setting.
      now=$(DOCKER_HOST=$host docker info --format '{{.LiveRestoreEnabled}}' 2>/dev/null || echo unknown)
      if [[ ($live == on && $now != true) || ($live == off && $now != false) ]]; then stop_engine; fi
    fi
    answers || { alive && stop_engine; start_engine; }
    load_images
    echo "$host"
    ;;
  restart)
    stop_engine
    start_engine
    echo "$host"
    ;;
  stop) stop_engine ;;
  status) answers && echo "$host" || exit 1 ;;
  *) say "usage: $0 [start|restart|stop|status] [--live-restore|--no-live-restore]"; exit 2 ;;
esac
