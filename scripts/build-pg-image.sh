#!/usr/bin/env bash
# Builds the local PostgreSQL image `butlers-e2e/postgres:15-local` without any
# image registry, in two stages:
#   1. rootfs: Debian bookworm from the Debian mirror apt already uses
#      (debootstrap) + postgresql-15, imported as butlers-e2e/postgres-rootfs:15
#      (slow, minutes; skipped when that image exists);
#   2. a small offline `docker build` on top: an entrypoint speaking the official
#      image's contract (POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB, port
#      5432, STOPSIGNAL SIGINT), which is all @testcontainers/postgresql needs
#      (its wait strategy: a pg_isready health check plus the listening port).
# Used by scripts/docker-leg.sh; the testcontainers provider then runs with
# E2E_PG_IMAGE=butlers-e2e/postgres:15-local (Ryuk disabled: it cannot be pulled).
#
# Usage: bash scripts/build-pg-image.sh [--rebuild]   (--rebuild redoes both stages)
# Needs: root, a Docker engine that answers, apt access to a Debian mirror.
set -euo pipefail

IMAGE="${E2E_PG_LOCAL_IMAGE:-butlers-e2e/postgres:15-local}"
ROOTFS_IMAGE="butlers-e2e/postgres-rootfs:15"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Outside the project tree: Playwright scans the tree for tests, and a rootfs
# (with /proc mounted while building) must not be in its way.
WORK="${E2E_DOCKER_WORK:-${TMPDIR:-/var/tmp}/butlers-e2e-docker}"
ROOTFS="$WORK/rootfs"
CONTEXT="$WORK/image-context"
CACHE="$WORK/debootstrap-cache"
SUITE=bookworm
REBUILD=0
[[ "${1:-}" == "--rebuild" ]] && REBUILD=1

if [[ $REBUILD == 0 ]] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "image $IMAGE already present"
  exit 0
fi

build_rootfs() {
  if [[ "$(id -u)" != 0 ]]; then
    echo "build-pg-image: debootstrap needs root; run as root or build $IMAGE elsewhere" >&2
    exit 1
  fi
  if ! command -v debootstrap >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap
  fi
  # The mirror apt already uses on this machine is the one known to be reachable.
  local mirror
  mirror="$(apt-cache policy 2>/dev/null | awk -v s=" $SUITE/main " 'index($0, s) { print $2; exit }' || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"

  trap 'umount "$ROOTFS/proc" 2>/dev/null || true' EXIT
  rm -rf "$ROOTFS"
  mkdir -p "$ROOTFS" "$CACHE"
  echo "debootstrap $SUITE from $mirror"
  debootstrap --variant=minbase --cache-dir="$CACHE" "$SUITE" "$ROOTFS" "$mirror"

  # Packages must not start services inside the chroot, and the image creates its
  # cluster at container start (from POSTGRES_*), not at install time.
  printf '#!/bin/sh\nexit 101\n' >"$ROOTFS/usr/sbin/policy-rc.d"
  chmod 755 "$ROOTFS/usr/sbin/policy-rc.d"
  mkdir -p "$ROOTFS/etc/postgresql-common"
  echo "create_main_cluster = false" >"$ROOTFS/etc/postgresql-common/createcluster.conf"

  mount -t proc proc "$ROOTFS/proc"
  chroot "$ROOTFS" /usr/bin/env DEBIAN_FRONTEND=noninteractive LC_ALL=C \
    sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql-15 postgresql-client-15'
  # pgvector is not in bookworm main; take it when the configured mirror has it.
  chroot "$ROOTFS" /usr/bin/env DEBIAN_FRONTEND=noninteractive LC_ALL=C \
    sh -c 'apt-get install -y -qq --no-install-recommends postgresql-15-pgvector >/dev/null 2>&1 || true'
  chroot "$ROOTFS" apt-get clean
  umount "$ROOTFS/proc"
  rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* \
    "$ROOTFS"/usr/share/locale/* "$ROOTFS/usr/sbin/policy-rc.d"

  echo "importing $ROOTFS_IMAGE"
  tar -C "$ROOTFS" --numeric-owner -c . | docker import - "$ROOTFS_IMAGE" >/dev/null
  rm -rf "$ROOTFS"
}

if [[ $REBUILD == 1 ]] || ! docker image inspect "$ROOTFS_IMAGE" >/dev/null 2>&1; then
  build_rootfs
fi

rm -rf "$CONTEXT"
mkdir -p "$WORK" "$CONTEXT"
cat >"$CONTEXT/docker-entrypoint.sh" <<'ENTRYPOINT'
#!/bin/sh
# A subset of the official postgres image's entrypoint: the first start creates
# the cluster from POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB, then postgres
# runs in the foreground on 0.0.0.0:5432 with any extra `-c` arguments.
set -eu
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then set -- postgres "$@"; fi
if [ "$1" != postgres ]; then exec "$@"; fi
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
shift
user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "docker-entrypoint: POSTGRES_PASSWORD is not set; set it (this image allows no passwordless network access)" >&2
    exit 1
  fi
  pwfile="$(mktemp)"
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" -E UTF8 --no-locale \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    quoted="$(printf '%s' "$db" | sed 's/"/""/g')"
    echo "CREATE DATABASE \"$quoted\"" | postgres --single -D "$PGDATA" postgres >/dev/null
  fi
  echo "docker-entrypoint: cluster initialised (user $user, database $db)"
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
ENTRYPOINT
cat >"$CONTEXT/Dockerfile" <<DOCKERFILE
FROM $ROOTFS_IMAGE
ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    PGDATA=/var/lib/postgresql/data \\
    LANG=C.UTF-8
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN chmod 755 /usr/local/bin/docker-entrypoint.sh
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["postgres"]
DOCKERFILE
echo "building $IMAGE on $ROOTFS_IMAGE"
previous="$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)"
# The classic builder uses the local base image as is; BuildKit may try a registry.
DOCKER_BUILDKIT=0 docker build -q -t "$IMAGE" "$CONTEXT" >/dev/null
current="$(docker image inspect -f '{{.Id}}' "$IMAGE")"
if [[ -n "$previous" && "$previous" != "$current" ]]; then docker rmi "$previous" >/dev/null 2>&1 || true; fi
rm -rf "$CONTEXT"
echo "image $IMAGE built"
