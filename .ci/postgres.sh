#!/usr/bin/env bash
# Throwaway PostgreSQL cluster on 127.0.0.1 for the PostgreSQL store's tests (see shared PACKAGES.md).
#   .ci/postgres.sh start DIR   installs Debian's postgresql if missing, initdb's DIR, starts it on a free high port of
#                               127.0.0.1 and prints the Npgsql connection string on stdout (last line)
#   .ci/postgres.sh stop DIR    stops the cluster in DIR (no-op when it is not running)
# initdb refuses root, so the cluster belongs to the 'postgres' user; DIR is created and chowned here.
set -euo pipefail

action="${1:?usage: postgres.sh start|stop DIR}"
dir="${2:?usage: postgres.sh start|stop DIR}"

bin_dir() {
  local version
  version="$(ls /usr/lib/postgresql/ 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$version" ] && echo "/usr/lib/postgresql/$version/bin"
}

as_postgres() { runuser -u postgres -- "$@"; }

case "$action" in
  start)
    if [ -z "$(bin_dir)" ]; then
      echo "installing PostgreSQL from Debian" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update >&2
      apt-get install -y --no-install-recommends postgresql >&2
    fi
    bin="$(bin_dir)"
    mkdir -p "$dir"
    chown postgres:postgres "$dir"
    chmod 700 "$dir"
    as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >&2
    # A free high port on loopback: nothing answers a connect there (a race with another process taking it in between
    # only makes the start fail loudly).
    port=""
    for _ in $(seq 1 50); do
      candidate=$((20000 + RANDOM % 40000))
      if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
    done
    [ -n "$port" ] || { echo "no free port found on 127.0.0.1" >&2; exit 1; }
    # Loopback only; the socket directory is the cluster's own. fsync stays on: the store's durability claims are tested.
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >&2
    echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    ;;
  stop)
    bin="$(bin_dir || true)"
    if [ -n "$bin" ] && [ -f "$dir/data/postmaster.pid" ]; then
      as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
    fi
    ;;
  *)
    echo "usage: postgres.sh start|stop DIR" >&2
    exit 2
    ;;
esac
