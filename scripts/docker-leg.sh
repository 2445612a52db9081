#!/usr/bin/env bash
# Makes the testcontainers leg runnable on a machine with no Docker engine and
# no image registry (but apt access to Debian), or says in one line why not.
#
#   bash scripts/docker-leg.sh          ensure an engine + the local image, print ONE line:
#                                       "docker leg: ready (...)" or "docker leg: skipped: <reason>"
#   bash scripts/docker-leg.sh --stop   stop the dockerd this script started (nothing else)
#
# Steps when no engine answers: install docker.io with apt-get when dockerd is
# missing; start dockerd as root in the background (pid/log in .tmp/docker/),
# trying default flags, then --iptables=false, then the vfs storage driver;
# then build or reuse butlers-e2e/postgres:15-local (scripts/build-pg-image.sh).
# Always exits 0; details go to .tmp/docker/*.log.
#
# CI usage:
#   bash scripts/docker-leg.sh
#   E2E_PG=testcontainers E2E_PG_IMAGE=butlers-e2e/postgres:15-local TESTCONTAINERS_RYUK_DISABLED=true \
#     npx playwright test --project=unit staging/postgres/testcontainers
#   bash scripts/docker-leg.sh --stop
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$ROOT/.tmp/docker"
PIDFILE="$WORK/dockerd.pid"
LOG="$WORK/dockerd.log"
IMAGE="${E2E_PG_LOCAL_IMAGE:-butlers-e2e/postgres:15-local}"
mkdir -p "$WORK"

say() { echo "docker leg: $*"; exit 0; }
our_dockerd_pid() {
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null)" || return 1
  [[ -n "$pid" && "$(cat "/proc/$pid/comm" 2>/dev/null)" == dockerd ]] && echo "$pid"
}
engine_answers() { command -v docker >/dev/null && timeout 5 docker info >/dev/null 2>&1; }

if [[ "${1:-}" == "--stop" ]]; then
  pid="$(our_dockerd_pid)" || say "nothing to stop (no dockerd started by this script)"
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 100); do [[ -d "/proc/$pid" ]] || break; sleep 0.2; done
  if [[ -d "/proc/$pid" ]]; then
    kill -KILL "$pid" 2>/dev/null
    rm -f "$PIDFILE"
    say "dockerd (pid $pid) ignored SIGTERM for 20 s and was killed"
  fi
  rm -f "$PIDFILE"
  say "stopped dockerd (pid $pid)"
fi

start_dockerd() {
  local flags
  for flags in "" "--iptables=false" "--storage-driver=vfs" "--iptables=false --storage-driver=vfs"; do
    echo "=== $(date -u +%FT%TZ) dockerd ${flags:-(default flags)}" >>"$LOG"
    # shellcheck disable=SC2086 # flags are intentionally split
    setsid dockerd --pidfile "$PIDFILE" $flags >>"$LOG" 2>&1 </dev/null &
    local pid=$!
    for _ in $(seq 1 60); do
      if engine_answers; then
        echo "${flags:-default}" >"$WORK/dockerd.flags"
        return 0
      fi
      [[ -d "/proc/$pid" ]] || break
      sleep 0.5
    done
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do [[ -d "/proc/$pid" ]] || break; sleep 0.2; done
  done
  return 1
}

origin="existing engine"
pid="$(our_dockerd_pid)" && origin="dockerd pid $pid started by this script"
if ! engine_answers; then
  [[ -n "${DOCKER_HOST:-}" ]] && say "skipped: DOCKER_HOST=$DOCKER_HOST does not answer (unset it to let this script start a local dockerd)"
  [[ "$(id -u)" == 0 ]] || say "skipped: no Docker engine answers and starting dockerd needs root"
  if pid="$(pidof dockerd 2>/dev/null)" && [[ -n "$pid" ]]; then
    say "skipped: a dockerd (pid $pid) is running but not answering on /var/run/docker.sock; see its log"
  fi
  if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
    if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker.io; } >"$WORK/apt.log" 2>&1; then
      say "skipped: dockerd is missing and apt-get install docker.io failed (see .tmp/docker/apt.log)"
    fi
  fi
  start_dockerd || say "skipped: dockerd would not start with any flag set (see .tmp/docker/dockerd.log: $(grep -i 'level=fatal\|failed to start' "$LOG" | tail -n1 | cut -c1-160))"
  origin="dockerd pid $(our_dockerd_pid) started by this script, flags $(cat "$WORK/dockerd.flags")"
fi

if ! bash "$ROOT/scripts/build-pg-image.sh" >"$WORK/build.log" 2>&1; then
  say "skipped: building $IMAGE failed (see .tmp/docker/build.log: $(grep -v '^\s*$' "$WORK/build.log" | tail -n1 | cut -c1-160))"
fi
say "ready (image $IMAGE; $origin; use E2E_PG=testcontainers E2E_PG_IMAGE=$IMAGE TESTCONTAINERS_RYUK_DISABLED=true; stop with: bash scripts/docker-leg.sh --stop)"
