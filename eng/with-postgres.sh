#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster: initdb into a temporary folder (as the
# postgres user when run as root), a free TCP port number, the Unix socket in that folder, trust
# authentication, listening on no TCP address. Exports FRAMELORD_TEST_POSTGRES (an Npgsql
# connection string) for the command, then stops the cluster and deletes the folder, whatever
# the command's outcome. Exits with the command's exit code.
#
#   eng/with-postgres.sh dotnet test
#
# PGBIN overrides where initdb/pg_ctl live (default: the newest /usr/lib/postgresql/*/bin).
# FRAMELORD_PG_DURABLE=1 keeps fsync on (benchmarks); by default the cluster trades durability
# for speed, which is what a throwaway test cluster is for.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 command [args...]" >&2
  exit 2
fi

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "with-postgres: PostgreSQL server binaries not found (install postgresql, or set PGBIN)" >&2
  exit 3
fi

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

dir=$(mktemp -d -t framelord-pg.XXXXXX)
chmod 755 "$dir"
[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
pgdata="$dir/data"

cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

# A free port: ask the kernel for one, then let PostgreSQL take it.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
  || node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

as_pg "$PGBIN/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 3; }

durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
[ "${FRAMELORD_PG_DURABLE:-0}" = "1" ] && durability=""
# shellcheck disable=SC2086
as_pg "$PGBIN/pg_ctl" -D "$pgdata" -l "$dir/server.log" -w -t 60 \
  -o "-p $port -k $dir -c listen_addresses='' -c max_connections=400 -c shared_buffers=256MB $durability" start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 3; }

export FRAMELORD_TEST_POSTGRES="Host=$dir;Port=$port;Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=50"
echo "with-postgres: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on socket $dir port $port" >&2

set +e
"$@"
rc=$?
set -e
exit $rc
