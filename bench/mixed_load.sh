#!/usr/bin/env bash
# Mixed load: registrations at a constant rate (default 500/s) from every
# unit while simulated analysts page through figures, pivots and extracts
# and anonymous visitors use the portal, all against one `komhen serve`.
# Reports p50/p99/max latency, count and failures of each kind of request,
# and checks that no registration was lost or doubled.
#
# Per backend a demo database (--size 1M by default, so that figures,
# pivots and extracts read real volumes) with every unit logged in
# (bench/lib.sh, as in bench/register_load.sh), a copy of it for the run
# and a fresh `komhen serve` on 127.0.0.1. Then, at the same time:
#   registrations  wrk + bench/soak.lua (as bench/soak.sh): POST
#                  /registrering at the rate, spread over the logged-in
#                  units, each with its own idempotency key;
#   readers        bench/mixed_load.py, one asyncio client (aiohttp, in a
#                  venv made on first use): the analysts, each logged in
#                  with its own session (the national analyst and Køge's
#                  analyst and coordinator in turn), and the visitors.
#                  Each sends a request, reads the whole answer, thinks
#                  (uniformly 0.5-1.5 times the mean think time, seeded)
#                  and sends the next. Kinds: figures (/kommune/K/tal, the
#                  report bank and its reports, the drill-down list),
#                  pivot (/kommune/K/tal/pivot, /api/v1/report), extract
#                  (/kommune/K/tal/udtraek.csv and .xlsx) and portal (/,
#                  /kommuner, /kommuner/K, /rangliste, /landstal,
#                  /api/v1/public/metrics and periods). Before the load the
#                  client checks every kind of address once (200, expected
#                  content type, no error or login page) and stops if one
#                  fails.
# After the client is ready both run a warm-up (not counted), then both
# measure for the same window. Afterwards the stored rows are compared with
# the ids of the 303 answers (warm-up and measured run): none lost, none
# doubled.
#
# Usage: bench/mixed_load.sh
# Environment (defaults in brackets):
#   KOMHEN_BENCH_BACKENDS       backends to run                  [sqlite postgres]
#   KOMHEN_MIXED_SIZE           the demo's --size                [1M]
#   KOMHEN_MIXED_SECONDS        measured seconds                 [60]
#   KOMHEN_MIXED_WARMUP         warm-up seconds                  [5]
#   KOMHEN_MIXED_RATE           registrations/s                  [500]
#   KOMHEN_MIXED_CONNECTIONS    wrk connections                  [16]
#   KOMHEN_MIXED_THREADS        wrk threads                      [2]
#   KOMHEN_MIXED_UNITS          units logged in: "all" or a number  [all]
#   KOMHEN_MIXED_ANALYSTS       simulated analysts               [20]
#   KOMHEN_MIXED_VISITORS       simulated portal visitors        [50]
#   KOMHEN_MIXED_ANALYST_THINK  an analyst's mean think time, s  [2]
#   KOMHEN_MIXED_VISITOR_THINK  a visitor's mean think time, s   [3]
#   KOMHEN_MIXED_TIMEOUT        the readers' timeout per request, s  [60]
#   KOMHEN_MIXED_SEED           seed of the readers' choices     [1]
#   KOMHEN_MIXED_PORT           port on 127.0.0.1                [8220]
#   KOMHEN_MIXED_VENV           Python venv with aiohttp (made if missing)
#                               [target/mixed-load-venv]
#   KOMHEN_BENCH_BIN            a komhen binary to run instead of building
#                               one (cargo build --release under nice -n 5)  []
#   KOMHEN_BENCH_POSTGRES_URL   server to create the bench databases on
#                               [postgres://postgres@127.0.0.1:5432/postgres]
# Raw output (wrk, the client, the per-address breakdown) goes to stderr;
# one Markdown table per backend to stdout. Exits non-zero on any lost or
# doubled row, any 5xx, any other failed request (registration not answered
# 303, a reader's non-2xx, socket error or timeout) and a dead server.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

read -r -a backends <<< "${KOMHEN_BENCH_BACKENDS:-sqlite postgres}"
secs=${KOMHEN_MIXED_SECONDS:-60}
warmup=${KOMHEN_MIXED_WARMUP:-5}
rate=${KOMHEN_MIXED_RATE:-500}
conns=${KOMHEN_MIXED_CONNECTIONS:-16}
threads=${KOMHEN_MIXED_THREADS:-2}
units=${KOMHEN_MIXED_UNITS:-all}
demo_size=${KOMHEN_MIXED_SIZE:-1M}
analysts=${KOMHEN_MIXED_ANALYSTS:-20}
visitors=${KOMHEN_MIXED_VISITORS:-50}
analyst_think=${KOMHEN_MIXED_ANALYST_THINK:-2}
visitor_think=${KOMHEN_MIXED_VISITOR_THINK:-3}
client_timeout=${KOMHEN_MIXED_TIMEOUT:-60}
seed=${KOMHEN_MIXED_SEED:-1}
port=${KOMHEN_MIXED_PORT:-8220}
venv=${KOMHEN_MIXED_VENV:-target/mixed-load-venv}
pg="${KOMHEN_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
pg_base=komhen_bench_mixed_base   # demo + sessions, the template of every run
pg_run=komhen_bench_mixed         # the database of one run
base="http://127.0.0.1:$port"
export PGOPTIONS="-c client_min_messages=warning"

# log, ensure_wrk, build_release, make_work, db_url, sql, start_server,
# stop_server, prepare_base, restore_run, check_rows
source "$root/bench/lib.sh"

ensure_wrk
command -v taskset >/dev/null || { log "taskset (util-linux) is required"; exit 1; }
if ! "$venv/bin/python" -c 'import aiohttp' 2>/dev/null; then
  log "--- making $venv (aiohttp from PyPI)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q aiohttp >&2
fi
"$venv/bin/python" -c 'import aiohttp, sys; print("python", sys.version.split()[0], "aiohttp", aiohttp.__version__)' >&2

if [ -z "${KOMHEN_BENCH_BIN:-}" ]; then
  log "building (release)"
  build_release nice -n 5
fi
make_work "${KOMHEN_BENCH_BIN:-target/release/komhen}"
client_pid=""
# shellcheck disable=SC2317  # called from the EXIT trap
stop_client() {
  if [ -n "$client_pid" ]; then kill "$client_pid" 2>/dev/null || true; wait "$client_pid" 2>/dev/null || true; client_pid=""; fi
}
trap 'stop_client; cleanup' EXIT

# One wrk run of bench/soak.lua: run_wrk TAG SECONDS. Sets $result; the
# ids of the 303 answers end up in $work/ids-TAG.
run_wrk() {
  local tag=$1 s=$2
  KOMHEN_BENCH_SESSIONS="$work/sessions.lua" KOMHEN_BENCH_RUN="$tag" KOMHEN_BENCH_COUNT=0 \
  KOMHEN_SOAK_RATE="$rate" KOMHEN_SOAK_THREADS="$threads" KOMHEN_SOAK_OUT="$work/wrk-$tag" \
    timeout $((s + 120)) wrk -t"$threads" -c"$conns" -d"${s}s" --timeout 5s --latency \
    -s "$root/bench/soak.lua" "$base/" > "$work/wrk-$tag.out" 2>&1 || true
  cat "$work/wrk-$tag.out" >&2
  result=$(grep '^RESULT' "$work/wrk-$tag.out" || true)
  [[ "$result" == RESULT* ]] || { log "wrk produced no result"; exit 1; }
  cat "$work/wrk-$tag".ids.* > "$work/ids-$tag" 2>/dev/null || : > "$work/ids-$tag"
}

run=$(date +%s)
status=0
tables=()
for backend in "${backends[@]}"; do
  case "$backend" in sqlite|postgres) ;; *) log "KOMHEN_BENCH_BACKENDS: sqlite or postgres, not $backend"; exit 2 ;; esac
  log "--- $backend: demo database, logging in units"
  prepare_base
  restore_run
  start_server run
  load=$(cut -d' ' -f1 /proc/loadavg)
  rm -f "$work/ready" "$work/go"
  client_json="$work/client-$backend.json"
  log "--- $backend: logging in $analysts analysts, checking the addresses"
  "$venv/bin/python" "$root/bench/mixed_load.py" run --base "$base" --seconds "$secs" \
    --analysts "$analysts" --visitors "$visitors" --analyst-think "$analyst_think" \
    --visitor-think "$visitor_think" --timeout "$client_timeout" --seed "$seed" \
    --ready "$work/ready" --go "$work/go" --out "$client_json" &
  client_pid=$!
  for _ in $(seq 3000); do
    [ -e "$work/ready" ] && break
    kill -0 "$client_pid" 2>/dev/null || break
    sleep 0.2
  done
  if [ ! -e "$work/ready" ]; then
    client_status=0; wait "$client_pid" || client_status=$?; client_pid=""
    log "the client did not get ready (exit $client_status)"; exit 1
  fi
  log "--- $backend: warm-up, ${warmup} s"
  tag_w="w${run}${backend:0:1}"
  run_wrk "$tag_w" "$warmup"
  touch "$work/go"
  log "--- $backend: ${secs} s at ${rate}/s with $analysts analysts and $visitors visitors"
  tag="m${run}${backend:0:1}"
  run_wrk "$tag" "$secs"
  client_status=0; wait "$client_pid" || client_status=$?; client_pid=""
  [ "$client_status" = 0 ] || { log "the client failed (exit $client_status)"; exit 1; }
  sleep 1   # let the registrations in flight at wrk's stop finish
  rows=$(check_rows "$tag")
  warm_rows=$(check_rows "$tag_w")
  server_alive=1; kill -0 "$server_pid" 2>/dev/null || server_alive=0
  [ "$server_alive" = 1 ] && stop_server
  server_pid=""
  log "--- $backend: readers per address"
  python3 - "$client_json" >&2 <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"{d['wall_seconds']} s until the last answer; {d['warmup_requests']} warm-up requests not counted")
print("| address | requests | p50 ms | p90 ms | p99 ms | max ms | MB | statuses |")
print("|---|---|---|---|---|---|---|---|")
for route, r in d["routes"].items():
    print(f"| {route} | {r['requests']} | {r['p50_ms']:.1f} | {r['p90_ms']:.1f} | {r['p99_ms']:.1f} "
          f"| {r['max_ms']:.1f} | {r['mb']:.1f} | {r['statuses']} |")
EOF
  table_status=0
  table=$(python3 "$root/bench/mixed_load.py" table --client "$client_json" --wrk "$result" \
    --rows "$rows" --warm-rows "$warm_rows" --backend "$backend" --rate "$rate" \
    --seconds "$secs" --warmup "$warmup" --units "$logged_in" --connections "$conns" \
    --threads "$threads" --analyst-think "$analyst_think" --visitor-think "$visitor_think" \
    --load "$load" --server-alive "$server_alive") || table_status=$?
  log "$table"
  tables+=("$table")
  if [ "$table_status" != 0 ]; then
    status=1
    log "--- $backend FAILED; the server's log ends:"
    tail -n 40 "$work/serve-$backend.log" >&2
  fi
  if [ "$backend" = postgres ]; then drop_pg; pg_used=0; fi
done

printf '%s\n' "${tables[@]}"
exit "$status"
