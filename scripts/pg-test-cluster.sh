#!/usr/bin/env bash
# A throw-away PostgreSQL cluster on a loopback port, for the test suite:
#   scripts/pg-test-cluster.sh run -- COMMAND…
# installs PostgreSQL when it is missing, initdb's a cluster in a temporary folder as an
# unprivileged user, starts it on 127.0.0.1 with password (SCRAM) authentication, runs COMMAND
# with SALUR_TEST_POSTGRES_URL and SALUR_TEST_POSTGRES_PASSWORD_FILE set, then stops the cluster
# and removes the folder whatever COMMAND did. COMMAND's exit status is the script's.
# SALUR_TEST_POSTGRES_OPTIONS adds server settings, e.g. to see where a benchmark's server time goes:
#   SALUR_TEST_POSTGRES_OPTIONS="-c shared_preload_libraries=pg_stat_statements"
set -euo pipefail

[ "${1:-}" = run ] && [ "${2:-}" = -- ] || { echo "usage: $0 run -- COMMAND..." >&2; exit 64; }
shift 2

find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  return 1
}

if ! PGBIN=$(find_bin); then
  echo "installing postgresql (for the PostgreSQL store's tests)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  PGBIN=$(find_bin)
fi

# The server refuses to run as root: run it as postgres (or nobody) when we are root.
AS=()
if [ "$(id -u)" -eq 0 ]; then
  if getent passwd postgres >/dev/null; then AS=(runuser -u postgres --); else AS=(runuser -u nobody --); fi
fi

DIR=$(mktemp -d /tmp/salur-pg.XXXXXX)
chmod 755 "$DIR"
PASSWORD_FILE="$DIR/password"
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$PASSWORD_FILE"
mkdir "$DIR/data" "$DIR/run"
if [ ${#AS[@]} -gt 0 ]; then
  user=${AS[2]}
  chown "$user" "$DIR/data" "$DIR/run" "$PASSWORD_FILE"
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

stop() {
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap stop EXIT

"${AS[@]}" "$PGBIN/initdb" -D "$DIR/data" -U salur --pwfile="$PASSWORD_FILE" --auth-host=scram-sha-256 --auth-local=trust \
  -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
"${AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/run/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DIR/run -c max_connections=200 -c fsync=on ${SALUR_TEST_POSTGRES_OPTIONS:-}" \
  start >/dev/null || { cat "$DIR/run/server.log" >&2; exit 1; }
chmod 644 "$PASSWORD_FILE"

export SALUR_TEST_POSTGRES_URL="postgres://salur@127.0.0.1:$PORT/postgres"
export SALUR_TEST_POSTGRES_PASSWORD_FILE="$PASSWORD_FILE"
echo "test PostgreSQL cluster: $SALUR_TEST_POSTGRES_URL ($PGBIN)"
set +e
"$@"
status=$?
set -e
exit $status
