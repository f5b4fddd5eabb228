# Shell helpers shared by bench/register_load.sh, bench/soak.sh and
# bench/import_during_registration.sh: a release binary in a private work
# directory, a demo database per backend with every unit logged in (their
# sessions written as a Lua table for wrk), a `komhen
# serve` on 127.0.0.1, and the check of stored rows against the ids of the
# 303 answers. Sourced, not run; the caller runs from the repository root
# with `set -euo pipefail` and sets these first:
#   root      the repository root (absolute)
#   port      the port on 127.0.0.1; base=http://127.0.0.1:$port
#   pg        the PostgreSQL server URL (a database on it; others are made)
#   pg_base   database holding the demo and the sessions (the template)
#   pg_run    database of one run
#   units     units to log in: "all" or a number (one per municipality)
#   demo_size the demo's --size (optional; 20k when unset)
# and, per backend, `backend` (sqlite|postgres). The helpers set `work`,
# `bin`, `server_pid`, `pg_used` and `logged_in`.

log() { printf '%s\n' "$*" >&2; }

# Installs wrk from Debian if it is missing.
ensure_wrk() {
  if ! command -v wrk >/dev/null; then
    log "installing wrk"
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
  fi
}

# Builds the release binary; the arguments, if any, are a command prefix
# (e.g. `nice -n 5`).
build_release() {
  "$@" cargo build --release -p komhen --locked >/dev/null 2>&1
}

# A fresh work directory with a private copy of BINARY (others may rebuild
# target/release while a bench runs), cleaned up on exit.
make_work() {
  work=$(mktemp -d)
  cp "$1" "$work/komhen"
  bin="$work/komhen"
  server_pid=""
  pg_used=0
  trap cleanup EXIT
}

drop_pg() { psql "$pg" -qc "DROP DATABASE IF EXISTS $pg_run" -c "DROP DATABASE IF EXISTS $pg_base" >/dev/null; }
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ "$pg_used" = 1 ]; then drop_pg 2>/dev/null || true; fi
  rm -rf "$work"
}

# The database URL of the base (demo + sessions) or of the current run.
db_url() {
  case "$backend:$1" in
    sqlite:base) echo "sqlite://$work/base.db" ;;
    sqlite:run) echo "sqlite://$work/run.db" ;;
    postgres:base) echo "${pg%/*}/$pg_base" ;;
    postgres:run) echo "${pg%/*}/$pg_run" ;;
  esac
}

# SQL on a bench database (base or run), one row per line.
sql() {
  local url; url=$(db_url "$1")
  case "$backend" in
    sqlite) python3 - "${url#sqlite://}" "$2" <<'EOF'
import sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
for row in c.execute(sys.argv[2]):
    print("|".join(str(v) for v in row))
EOF
    ;;
    postgres) psql "$url" -At -c "$2" ;;
  esac
}

# start_server base|run [cpus]
start_server() {
  local url; url=$(db_url "$1")
  taskset -c "${2:-0,1}" "$bin" serve --database-url "$url" --listen "127.0.0.1:$port" \
    >>"$work/serve-$backend.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null "$base/log-ind" && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  log "server did not start:"; cat "$work/serve-$backend.log" >&2; exit 1
}

stop_server() {
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
}

# The demo database with the units logged in; writes the Lua session table.
prepare_base() {
  case "$backend" in
    sqlite) rm -f "$work"/base.db* ;;
    postgres) pg_used=1; drop_pg; psql "$pg" -qc "CREATE DATABASE $pg_base" >/dev/null ;;
  esac
  "$bin" demo --no-serve --size "${demo_size:-20k}" --database-url "$(db_url base)" >"$work/demo.log" 2>&1
  start_server base
  local query logins login jar page cookie csrf tasks n=0
  # A unit that answers a joint hotline registers calls, with an outcome
  # the registration scripts do not send: it is left out.
  local not_hotline="AND id NOT IN (SELECT unit_id FROM hotline_units)"
  if [ "$units" = all ]; then
    query="SELECT login FROM units WHERE active AND password_hash IS NOT NULL $not_hotline ORDER BY id"
  else
    query="SELECT login FROM units u WHERE active AND password_hash IS NOT NULL AND id = \
      (SELECT MIN(id) FROM units v WHERE v.municipality_code = u.municipality_code \
       AND v.active AND v.password_hash IS NOT NULL $not_hotline) ORDER BY municipality_code LIMIT $units"
  fi
  logins=$(sql base "$query")
  echo "return {" > "$work/sessions.lua"
  for login in $logins; do
    jar="$work/jar"; page="$work/page.html"; rm -f "$jar"
    curl -s -o /dev/null -c "$jar" --data "login=$login&password=demo" "$base/log-ind"
    curl -s -b "$jar" -o "$page" "$base/registrering"
    cookie=$(awk '$6 == "komhen_session" {print $7}' "$jar")
    csrf=$(grep -o 'name="csrf" value="[0-9a-f]*"' "$page" | head -1 | sed 's/.*value="//; s/"//')
    tasks=$(grep -o 'name="task" value="[0-9]*"' "$page" | head -4 | grep -o '[0-9][0-9]*' | paste -sd, -)
    if [ -z "$cookie" ] || [ -z "$csrf" ] || [ -z "$tasks" ]; then log "could not log in $login; skipped"; continue; fi
    printf '  {login="%s", cookie="%s", csrf="%s", tasks={%s}},\n' "$login" "$cookie" "$csrf" "$tasks" >> "$work/sessions.lua"
    n=$((n + 1))
  done
  echo "}" >> "$work/sessions.lua"
  stop_server
  [ "$n" -gt 0 ] || { log "no unit logged in"; exit 1; }
  logged_in=$n
  log "$backend: $n units logged in"
}

# A fresh copy of the base for one run.
restore_run() {
  case "$backend" in
    sqlite) rm -f "$work"/run.db*; for f in "$work"/base.db*; do cp "$f" "$work/run.db${f#"$work"/base.db}"; done ;;
    postgres) psql "$pg" -qc "DROP DATABASE IF EXISTS $pg_run" -c "CREATE DATABASE $pg_run TEMPLATE $pg_base" >/dev/null ;;
  esac
}

# Compares the rows stored under TAG with the ids of the 303 responses
# (read from $work/ids-TAG): prints stored, answered, lost, doubled, extra
# (stored but unanswered).
check_rows() {
  local tag=$1
  sql run "SELECT id FROM registrations WHERE idempotency_key LIKE '%:$tag-%'" > "$work/stored-$tag"
  python3 - "$work/ids-$tag" "$work/stored-$tag" <<'EOF'
import sys
answered = [int(l) for l in open(sys.argv[1]) if l.strip()]
stored = {int(l) for l in open(sys.argv[2]) if l.strip()}
a = set(answered)
print(len(stored), len(answered), len(a - stored), len(answered) - len(a), len(stored - a))
EOF
}
