#!/usr/bin/env bash
# Registering over HTTP: posts registrations to a running `komhen serve` from
# another process (wrk + bench/register_load.lua) and reports sustained
# registrations/s, latency percentiles and CPU, on SQLite and PostgreSQL.
#
# For each backend: a fresh demo database (--size 20k), `komhen serve` on
# 127.0.0.1, KOMHEN_BENCH_UNITS units logged in (one per municipality), a 5 s
# warm-up, then one wrk run per connection count. Every request carries a
# unique idempotency key; afterwards the stored rows are compared with the
# ids in the 303 responses (no row lost, none doubled).
#
# Usage: bench/register_load.sh
# Environment (defaults in brackets):
#   KOMHEN_BENCH_BACKENDS     backends to run                  [sqlite postgres]
#   KOMHEN_BENCH_CONNECTIONS  wrk connection counts            [8 32]
#   KOMHEN_BENCH_PLACEMENTS   shared: server and wrk on both cores;
#                             pinned: server on core 0, wrk on core 1  [shared]
#   KOMHEN_BENCH_DURATION     seconds per measured run         [30]
#   KOMHEN_BENCH_UNITS        logged-in units                  [16]
#   KOMHEN_BENCH_THREADS      wrk threads                      [2]
#   KOMHEN_BENCH_COUNT        1: count statuses and 303 ids in wrk's response()
#                             (needed for the row check); 0: wrk's fast path  [1]
#   KOMHEN_BENCH_PORT         port on 127.0.0.1                [8200]
#   KOMHEN_BENCH_POSTGRES_URL server to create the bench database on
#                             [postgres://postgres@127.0.0.1:5432/postgres]
# Raw wrk output goes to stderr; the Markdown table to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

read -r -a backends <<< "${KOMHEN_BENCH_BACKENDS:-sqlite postgres}"
read -r -a connections <<< "${KOMHEN_BENCH_CONNECTIONS:-8 32}"
read -r -a placements <<< "${KOMHEN_BENCH_PLACEMENTS:-shared}"
duration=${KOMHEN_BENCH_DURATION:-30}
units=${KOMHEN_BENCH_UNITS:-16}
threads=${KOMHEN_BENCH_THREADS:-2}
count=${KOMHEN_BENCH_COUNT:-1}
port=${KOMHEN_BENCH_PORT:-8200}
pg="${KOMHEN_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
pg_db="${pg%/*}/komhen_bench_http"
base="http://127.0.0.1:$port"
export PGOPTIONS="-c client_min_messages=warning"

log() { printf '%s\n' "$*" >&2; }

if ! command -v wrk >/dev/null; then
  log "installing wrk"
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
command -v taskset >/dev/null || { log "taskset (util-linux) is required"; exit 1; }

cargo build --release -p komhen --locked >/dev/null 2>&1
work=$(mktemp -d)
# A private copy: others may rebuild target/release while the bench runs.
cp target/release/komhen "$work/komhen"
bin="$work/komhen"
server_pid=""
pg_created=0

cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ "$pg_created" = 1 ]; then psql "$pg" -qc "DROP DATABASE IF EXISTS komhen_bench_http" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# SQL on the bench database, one value per line.
sql() {
  case "$backend" in
    sqlite) python3 - "$work/komhen.db" "$1" <<'EOF'
import sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
for row in c.execute(sys.argv[2]):
    print("|".join(str(v) for v in row))
EOF
    ;;
    postgres) psql "$pg_db" -At -c "$1" ;;
  esac
}

# utime+stime (clock ticks) of a set of pids.
ticks() { local t=0 p; for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$t"; }
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
hz=$(getconf CLK_TCK)
# PostgreSQL processes working for the bench: its connections and the shared
# WAL writer, checkpointer and background writer.
pg_pids() { pgrep -u postgres -f 'komhen_bench_http|walwriter|checkpointer|background writer' || true; }

# The machine is shared: waits (up to 3 minutes) until the other processes
# use less than 15 % of it over 2 s, so they do not distort a run.
wait_for_quiet() {
  local b0 a0 b1 a1 busy i
  for i in $(seq 90); do
    read -r b0 a0 < <(busy_ticks); sleep 2; read -r b1 a1 < <(busy_ticks)
    busy=$(( 100 * (b1 - b0) / (a1 - a0 + 1) ))
    [ "$busy" -lt 15 ] && return 0
    [ "$i" = 1 ] && log "machine busy ($busy %), waiting"
  done
  log "machine still busy ($busy %); running anyway"
}

start_server() {
  case "$backend" in
    sqlite)
      url="sqlite://$work/komhen.db"
      rm -f "$work"/komhen.db* ;;
    postgres)
      url="$pg_db"
      psql "$pg" -qc "DROP DATABASE IF EXISTS komhen_bench_http" -c "CREATE DATABASE komhen_bench_http" >/dev/null
      pg_created=1 ;;
  esac
  "$bin" demo --no-serve --size 20k --database-url "$url" >"$work/demo.log" 2>&1
  "$bin" serve --database-url "$url" --listen "127.0.0.1:$port" >"$work/serve-$backend.log" 2>&1 &
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

# Logs in one unit per municipality and writes the Lua session table.
log_in_units() {
  local logins login jar page cookie csrf tasks n=0
  logins=$(sql "SELECT login FROM units u WHERE active AND password_hash IS NOT NULL AND id = \
    (SELECT MIN(id) FROM units v WHERE v.municipality_code = u.municipality_code \
     AND v.active AND v.password_hash IS NOT NULL) ORDER BY municipality_code LIMIT $units")
  echo "return {" > "$work/sessions.lua"
  for login in $logins; do
    jar="$work/jar-$login"; page="$work/page-$login.html"
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
  [ "$n" -gt 0 ] || { log "no unit logged in"; exit 1; }
  log "$backend: $n units logged in ($(echo $logins | tr '\n' ' '))"
}

# One wrk run: run_wrk TAG CONNECTIONS SECONDS PLACEMENT. Sets $result.
run_wrk() {
  local tag=$1 conns=$2 secs=$3 placement=$4 cpus="0,1"
  [ "$placement" = pinned ] && cpus=1
  KOMHEN_BENCH_SESSIONS="$work/sessions.lua" KOMHEN_BENCH_RUN="$tag" \
  KOMHEN_BENCH_IDS="$work/ids-$tag" KOMHEN_BENCH_COUNT="$count" \
    /usr/bin/time -f "WRKCPU %U %S" -o "$work/wrkcpu-$tag" \
    timeout $((secs + 60)) taskset -c "$cpus" wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 5s \
    --latency -s "$root/bench/register_load.lua" "$base/" > "$work/wrk-$tag" 2>&1 || true
  cat "$work/wrk-$tag" >&2
  result="$(grep '^RESULT' "$work/wrk-$tag" || true) $(grep -o 'WRKCPU.*' "$work/wrkcpu-$tag" | awk '{printf "wrkcpu=%.2f", $2 + $3}')"
  [[ "$result" == RESULT* ]] || { log "wrk produced no result"; exit 1; }
}

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< " $result"; }

# Compares the rows stored under TAG with the ids of the 303 responses.
check_rows() {
  local tag=$1
  sql "SELECT id FROM registrations WHERE idempotency_key LIKE '%:$tag-%'" > "$work/stored-$tag"
  python3 - "$work/ids-$tag" "$work/stored-$tag" <<'EOF'
import sys
answered = [int(l) for l in open(sys.argv[1]) if l.strip()] if len(sys.argv) > 1 else []
stored = {int(l) for l in open(sys.argv[2]) if l.strip()}
a = set(answered)
lost = len(a - stored)
doubled = len(answered) - len(a)
extra = len(stored - a)
print(len(stored), len(answered), lost, doubled, extra)
EOF
}

run=$(date +%s)
printf '| backend | placement | connections | registrations/s | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | non-303 | rows stored / 303s (lost, doubled, in flight at stop) | server CPU | postgres CPU | wrk CPU | other CPU |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n'
for backend in "${backends[@]}"; do
  start_server
  log_in_units
  pg_pids=()
  for placement in "${placements[@]}"; do
    if [ "$placement" = pinned ]; then taskset -a -p -c 0 "$server_pid" >/dev/null; else taskset -a -p -c 0,1 "$server_pid" >/dev/null; fi
    run_wrk "w${run}${backend:0:1}${placement:0:1}" 8 5 "$placement"   # warm-up
    for conns in "${connections[@]}"; do
      tag="h${run}${backend:0:1}${placement:0:1}c${conns}"
      [ "$backend" = postgres ] && pg_pids=($(pg_pids))
      wait_for_quiet
      log "--- $backend $placement $conns connections"
      s0=$(ticks "$server_pid"); p0=$(ticks "${pg_pids[@]}"); read -r b0 a0 < <(busy_ticks)
      run_wrk "$tag" "$conns" "$duration" "$placement"
      [ "$backend" = postgres ] && pg_pids=($(pg_pids))   # incl. connections opened during the run
      s1=$(ticks "$server_pid"); p1=$(ticks "${pg_pids[@]}"); read -r b1 a1 < <(busy_ticks)
      secs=$(field secs)
      server_cpu=$(awk -v d=$((s1 - s0)) -v hz="$hz" -v s="$secs" 'BEGIN{printf "%.0f %%", 100 * d / hz / s}')
      pg_cpu="–"
      [ "$backend" = postgres ] && pg_cpu=$(awk -v d=$((p1 - p0)) -v hz="$hz" -v s="$secs" 'BEGIN{printf "%.0f %%", 100 * d / hz / s}')
      busy=$(awk -v b=$((b1 - b0)) -v a=$((a1 - a0)) 'BEGIN{printf "%.0f", 200 * b / a}')
      # CPU of everything but the server, postgres and wrk (other users of the machine).
      other=$(awk -v m="$busy" -v s=$((s1 - s0)) -v p=$((p1 - p0)) -v w="$(field wrkcpu)" -v hz="$hz" -v d="$secs" \
        'BEGIN{o = m - 100 * (s + p) / hz / d - 100 * w / d; printf "%.0f %%", o < 0 ? 0 : o}')
      wrk_cpu=$(awk -v w="$(field wrkcpu)" -v d="$secs" 'BEGIN{printf "%.0f %%", 100 * w / d}')
      sleep 1   # let requests in flight at wrk's stop finish
      if [ "$count" = 1 ]; then
        read -r stored answered lost doubled extra < <(check_rows "$tag")
        rows="$stored / $answered ($lost, $doubled, $extra ≤ $(field inflight))"
        ok=$(field ok303)
        non303=$(( $(field requests) - ok ))
        [ "$non303" -gt 0 ] && non303="$non303 ($(field statuses))"
      else
        stored=$(sql "SELECT COUNT(*) FROM registrations WHERE idempotency_key LIKE '%:$tag-%'")
        ok=$(( $(field requests) - $(field non2xx3xx) ))
        rows="$stored / – (not counted)"
        non303="$(field non2xx3xx) non-2xx/3xx"
      fi
      rate=$(awk -v n="$ok" -v s="$secs" 'BEGIN{printf "%.0f", n / s}')
      printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
        "$([ "$backend" = sqlite ] && echo SQLite || echo PostgreSQL)" "$placement" "$conns" "$rate" \
        "$(field p50_ms)" "$(field p90_ms)" "$(field p99_ms)" "$(field max_ms)" "$non303" "$rows" \
        "$server_cpu" "$pg_cpu" "$wrk_cpu" "$other"
    done
  done
  stop_server
  if [ "$backend" = postgres ]; then psql "$pg" -qc "DROP DATABASE komhen_bench_http" >/dev/null; pg_created=0; fi
done
