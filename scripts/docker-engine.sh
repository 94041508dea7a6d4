#!/usr/bin/env bash
# Runs one command against a Docker engine, so `npm run test:compose` works whether or not
# Docker is running. An engine that already answers (the user's) is used and left alone.
# Otherwise a private dockerd is started for the command and removed after it, however the
# command ends (exit, failure, Ctrl-C, SIGTERM, the time limit), so the order of test suites
# never matters. Private means: its own data root, exec root, pid file, config and socket under
# one temp directory, and --iptables=false --ip-forward=false --bridge=none, so the host's
# firewall and sysctls stay as they were (dockerd's defaults set the iptables FORWARD policy
# to DROP, which silently cuts the fault suite's network namespaces on the same machine).
#
#   bash scripts/docker-engine.sh run [--timeout SECONDS] -- COMMAND [ARGS...]
#   bash scripts/docker-engine.sh clean     # what a SIGKILLed run left behind (also done by run)
#
# The command sees DOCKER_HOST and DISTILLED_DOCKER_ENGINE=existing|private. Needs root and
# Debian's docker.io (installed with apt-get when missing and root) for a private engine.
set -euo pipefail

RUN_PREFIX=/tmp/distilled-docker.
STOP_WAIT_SECONDS=30

log() { echo "[docker-engine] $*" >&2; }

# An engine answers at DOCKER_HOST, or at the docker CLI's default.
engine_answers() {
  command -v docker >/dev/null 2>&1 && timeout 30 docker version --format '{{.Server.Version}}' >/dev/null 2>&1
}

ensure_docker_installed() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${missing[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    log "needs ${missing[*]} (Debian: sudo apt-get install ${missing[*]}), or a running Docker engine"
    exit 1
  fi
}

# The process with pid $1 is alive and its command line mentions $2 (so it is ours).
is_ours() {
  [ -n "$1" ] && tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" | grep -qF -- "$2"
}

stop_pid() { # pid, what it must mention
  local pid=$1 mark=$2 waited=0
  is_ours "$pid" "$mark" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  while is_ours "$pid" "$mark" && [ $waited -lt $STOP_WAIT_SECONDS ]; do
    sleep 1
    waited=$((waited + 1))
  done
  if is_ours "$pid" "$mark"; then
    log "pid $pid did not stop within ${STOP_WAIT_SECONDS}s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

# Stops the engine whose files are under $1 and removes everything it made there.
remove_engine() {
  local dir=$1 pid bridges="" mounts
  [ -d "$dir" ] || return 0
  if [ -S "$dir/docker.sock" ] && DOCKER_HOST="unix://$dir/docker.sock" timeout 5 docker version >/dev/null 2>&1; then
    # Compose networks are bridges named br-<id>; dockerd does not delete them when it stops.
    bridges=$(DOCKER_HOST="unix://$dir/docker.sock" timeout 10 docker network ls -q --no-trunc --filter driver=bridge 2>/dev/null | cut -c1-12 | sed 's/^/br-/' || true)
  fi
  pid=$(cat "$dir/dockerd.pid" 2>/dev/null || true)
  stop_pid "$pid" "$dir"
  # dockerd stops the containerd it started; these only outlive a dockerd that was SIGKILLed.
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    case "$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" || true)" in
      *containerd*"$dir"*) stop_pid "$pid" "$dir" ;;
    esac
  done
  for bridge in $bridges; do
    ip link show "$bridge" >/dev/null 2>&1 && ip link delete "$bridge" 2>/dev/null || true
  done
  # Deepest mount first: overlay layers, netns and shm mounts left by a killed engine.
  mounts=$(awk -v d="$dir/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
  for mount in $mounts; do umount -l "$mount" 2>/dev/null || true; done
  rm -rf "$dir"
}

# Run directories whose runner is gone (a SIGKILLed run) are removed with their engine.
clean_stale() {
  local dir owner
  for dir in "$RUN_PREFIX"*; do
    [ -d "$dir" ] || continue
    owner=$(cat "$dir/owner.pid" 2>/dev/null || true)
    if [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null && [ "$owner" != $$ ]; then continue; fi
    log "removing the engine a stopped run left in $dir"
    remove_engine "$dir"
  done
}

host_network_state() {
  local forward="" ipfwd
  command -v iptables >/dev/null 2>&1 && forward=$(iptables -S FORWARD 2>/dev/null | head -1 || true)
  ipfwd=$(cat /proc/sys/net/ipv4/ip_forward 2>/dev/null || true)
  echo "iptables '$forward', ip_forward=$ipfwd"
}

run_dir=""
child=""
network_before=""

on_exit() {
  local rc=$?
  trap - EXIT INT TERM HUP
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null || true
    local waited=0
    while kill -0 "$child" 2>/dev/null && [ $waited -lt $STOP_WAIT_SECONDS ]; do
      sleep 1
      waited=$((waited + 1))
    done
    kill -KILL "$child" 2>/dev/null || true
  fi
  if [ -n "$run_dir" ]; then
    log "stopping the private engine (pid $(cat "$run_dir/dockerd.pid" 2>/dev/null || echo '?')) and removing $run_dir"
    remove_engine "$run_dir"
    local network_after
    network_after=$(host_network_state)
    if [ "$network_after" != "$network_before" ]; then
      log "ERROR: the host's network settings changed: before $network_before, after $network_after"
      [ "$rc" = 0 ] && rc=1
    fi
  fi
  exit "$rc"
}

start_private_engine() {
  [ "$(id -u)" = 0 ] || {
    log "no Docker engine answers, and only root can start one: start Docker (or set DOCKER_HOST) and run again"
    exit 1
  }
  ensure_docker_installed
  clean_stale
  network_before=$(host_network_state)
  run_dir=$(mktemp -d "${RUN_PREFIX}XXXXXX")
  echo $$ >"$run_dir/owner.pid"
  echo '{}' >"$run_dir/daemon.json"
  dockerd \
    --config-file "$run_dir/daemon.json" \
    --data-root "$run_dir/data" \
    --exec-root "$run_dir/exec" \
    --pidfile "$run_dir/dockerd.pid" \
    --host "unix://$run_dir/docker.sock" \
    --iptables=false --ip-forward=false --bridge=none \
    --shutdown-timeout 10 \
    >"$run_dir/dockerd.log" 2>&1 &
  local dockerd_pid=$! waited=0
  export DOCKER_HOST="unix://$run_dir/docker.sock"
  until engine_answers; do
    if ! kill -0 "$dockerd_pid" 2>/dev/null || [ $waited -ge 60 ]; then
      log "the private dockerd did not start; its last lines:"
      tail -20 "$run_dir/dockerd.log" >&2
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  log "private engine: dockerd $(docker version --format '{{.Server.Version}}') (pid $dockerd_pid), DOCKER_HOST=$DOCKER_HOST"
  export DISTILLED_DOCKER_ENGINE=private
}

cmd_run() {
  local limit=1200
  while [ $# -gt 0 ]; do
    case "$1" in
      --timeout) limit=$2; shift 2 ;;
      --) shift; break ;;
      *) break ;;
    esac
  done
  [ $# -gt 0 ] || { log "run needs a command"; exit 2; }
  trap on_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM HUP
  if engine_answers; then
    log "using the running Docker engine ($(docker version --format '{{.Server.Version}}')); it stays running"
    export DISTILLED_DOCKER_ENGINE=existing
  else
    start_private_engine
  fi
  # The command in the background, so a signal reaches the trap at once (not after it ends).
  timeout --kill-after=30 "$limit" "$@" &
  child=$!
  local rc=0
  wait "$child" || rc=$?
  child=""
  [ "$rc" = 124 ] && log "the command ran past its limit of ${limit}s and was stopped"
  exit "$rc"
}

case "${1:-}" in
  run) shift; cmd_run "$@" ;;
  clean) clean_stale ;;
  *)
    echo "usage: $0 run [--timeout SECONDS] -- COMMAND [ARGS...] | $0 clean" >&2
    exit 2
    ;;
esac
