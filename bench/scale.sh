#!/usr/bin/env bash
# The cost curve: what each step of a database's life costs as it grows,
# 1M -> 10M -> 50M registrations, on both backends; time and memory per
# step.
#
# For each size and backend, a fresh database and then, in order:
#   demo      `komhen demo --no-serve --size N`: wall time, peak RSS, and the
#             database's size on disk afterwards;
#   settle    the steady state a server reaches soon after a bulk load
#             (PostgreSQL `VACUUM ANALYZE`, SQLite's log checkpointed);
#   reports   the report set of bench/report_load.sh (the same eleven
#             queries: overview, ranking and nine national pivots), each by
#             `komhen report QUERY --repeat K`: the sum of the medians, the
#             slowest query's median, and the largest peak RSS of the eleven
#             processes (each opens the database, reads names and runs K
#             times);
#   extract   `komhen export registrations` of one municipality (Køge, 259)
#             over both of the demo's years, as CSV: wall, rows/s, peak RSS;
#             the command itself fails when the rows it wrote differ from
#             the engine's count;
#   portal    a `komhen serve` on the database; each public page and API
#             answer fetched once just after start (cold: the portal's
#             figures are built from the published snapshots then) and then
#             K times (warm, median), and the server's peak RSS after all of
#             it.
# bench/report_load.sh compares the same reports with DuckDB and Polars;
# this script follows komhen alone to sizes those need tens of GB for.
#
# Usage: bench/scale.sh
# Environment (defaults in brackets):
#   KOMHEN_BENCH_SIZES          demo sizes                          [1M 10M 50M]
#   KOMHEN_BENCH_BACKENDS       backends to run                     [sqlite postgres]
#   KOMHEN_BENCH_REPEAT         runs per report and page            [5]
#   KOMHEN_BENCH_POSTGRES_URL   server for the bench database
#                               [postgres://postgres@127.0.0.1:5432/postgres]
#   KOMHEN_BENCH_BIN            a komhen binary to time instead of building
#                               one                                 []
#   KOMHEN_BENCH_DIR            where the SQLite database and the extract go
#                               (50M needs about 30 GB free)        [a temporary directory]
#   CARGO_TARGET_DIR            where cargo builds                  [target]
# Raw output goes to stderr; two Markdown tables to stdout: the steps, and
# each page's cold and warm time.
set -euo pipefail
cd "$(dirname "$0")/.."

read -r -a sizes <<< "${KOMHEN_BENCH_SIZES:-1M 10M 50M}"
read -r -a backends <<< "${KOMHEN_BENCH_BACKENDS:-sqlite postgres}"
repeat=${KOMHEN_BENCH_REPEAT:-5}
pg="${KOMHEN_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
pg_db=komhen_bench_scale
port=18473
base="http://127.0.0.1:$port"
export PGOPTIONS="-c client_min_messages=warning"
log() { printf '%s\n' "$*" >&2; }

# The report set of bench/report_load.sh (bench/report_set.sh).
source bench/report_set.sh
# The public pages and API answers (the portal of the mixed load); P is the
# newest published period's id, filled in after start.
pages=(/ /kommuner /kommuner/259 /rangliste /landstal /api/v1/public/periods
  "/api/v1/public/metrics?periode=P" "/api/v1/public/metrics?periode=P&kommune=259")

command -v /usr/bin/time >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq time >/dev/null; }
[ -n "${KOMHEN_BENCH_BIN:-}" ] || cargo build --release --locked -p komhen >/dev/null 2>&1
work=$(mktemp -d "${KOMHEN_BENCH_DIR:-${TMPDIR:-/tmp}}/komhen-scale.XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  psql "$pg" -qc "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cp "${KOMHEN_BENCH_BIN:-${CARGO_TARGET_DIR:-target}/release/komhen}" "$work/komhen"
bin="$work/komhen"

# Runs a command under /usr/bin/time; sets `wall` (s) and `peak` (MB).
timed() {
  /usr/bin/time -f '%e %M' -o "$work/time" "$@"
  local kb
  read -r wall kb < "$work/time"
  peak=$((kb / 1024))
}
# Milliseconds of one GET, or "-" unless it answered 200.
fetch_ms() {
  local out
  out=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' "$base$1")
  case $out in
    "200 "*) awk -v t="${out#* }" 'BEGIN { printf "%.1f\n", t * 1000 }' ;;
    *) log "GET $1 answered ${out%% *}"; echo - ;;
  esac
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
db_size_mb() {
  case $1 in
    SQLite) du -cm "$work"/komhen.db* | tail -1 | cut -f1 ;;
    PostgreSQL) psql "$pg" -At -c "SELECT pg_database_size('$pg_db') / 1048576" ;;
  esac
}

steps_table="$work/steps.md"
pages_table="$work/pages.md"
echo "| backend | size | step | wall | peak RSS (MB) | notes |" > "$steps_table"
echo "|---|---|---|---|---|---|" >> "$steps_table"
echo "| backend | size | page | cold ms | warm ms (median) |" > "$pages_table"
echo "|---|---|---|---|---|" >> "$pages_table"
step() { printf '| %s | %s | %s | %s | %s | %s |\n' "$@" >> "$steps_table"; }

bench() {
  local name=$1 size=$2 url=$3
  log "--- $name $size: demo"
  timed "$bin" demo --no-serve --size "$size" --database-url "$url" > "$work/demo.out" 2>&1
  local rows
  rows=$(grep -o '[0-9]* rækker' "$work/demo.out" | head -1 || true)
  step "$name" "$size" demo "$wall s" "$peak" "$rows; database $(db_size_mb "$name") MB"
  log "demo: $rows, $wall s, $peak MB"

  log "--- $name $size: settle"
  case $name in
    PostgreSQL) timed psql "$url" -qc "VACUUM ANALYZE" ;;
    SQLite) timed sqlite3 "${url#sqlite://}" "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null ;;
  esac
  step "$name" "$size" settle "$wall s" "-" "$(db_size_mb "$name") MB after"

  log "--- $name $size: reports"
  local total=0 slowest=0 slowest_q="" most=0 q ms
  for q in "${names[@]}"; do
    timed "$bin" report "${queries[$q]}" --format json --repeat "$repeat" --database-url "$url" \
      > /dev/null 2> "$work/report.err"
    ms=$(sed -n 's/.*median \([0-9.]*\) ms.*/\1/p' "$work/report.err")
    log "komhen $q: median $ms ms, process $wall s, $peak MB"
    total=$(awk -v a="$total" -v b="$ms" 'BEGIN { printf "%.1f", a + b }')
    if awk -v a="$ms" -v b="$slowest" 'BEGIN { exit !(a > b) }'; then slowest=$ms; slowest_q=$q; fi
    [ "$peak" -gt "$most" ] && most=$peak
  done
  step "$name" "$size" "reports (11)" "$total ms" "$most" "slowest $slowest_q $slowest ms"

  log "--- $name $size: extract"
  timed "$bin" export registrations --municipality 259 'fra=2025-01-01&til=2026-12-31' \
    --output "$work/extract.csv" --database-url "$url" > "$work/extract.out" 2>&1 \
    || { cat "$work/extract.out" >&2; exit 1; }
  local lines
  lines=$(($(wc -l < "$work/extract.csv") - 1))
  step "$name" "$size" "extract (259)" "$wall s" "$peak" \
    "$lines rows, $(awk -v n="$lines" -v s="$wall" 'BEGIN { printf "%.0f", (s > 0) ? (n / s) : 0 }') rows/s, $(( $(stat -c %s "$work/extract.csv") / 1000000 )) MB"
  rm -f "$work/extract.csv"

  log "--- $name $size: portal"
  "$bin" serve --database-url "$url" --listen "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
  server_pid=$!
  local started
  started=$(date +%s%N)
  for _ in $(seq 600); do
    curl -s -o /dev/null "$base/log-ind" && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.1
  done
  local start_s
  start_s=$(awk -v a="$started" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
  local period_id p cold warm
  period_id=$(curl -s "$base/api/v1/public/periods" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["periods"][0]["id"])' || true)
  [ -n "$period_id" ] || { log "no published period"; exit 1; }
  for p in "${pages[@]}"; do
    p=${p//P/$period_id}
    cold=$(fetch_ms "$p")
    warm=$(for _ in $(seq "$repeat"); do fetch_ms "$p"; done | median)
    printf '| %s | %s | %s | %s | %s |\n' "$name" "$size" "$p" "$cold" "$warm" >> "$pages_table"
    log "GET $p: cold $cold ms, warm $warm ms"
  done
  local hwm
  hwm=$(awk '/VmHWM/ { print int($2 / 1024) }' "/proc/$server_pid/status")
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
  step "$name" "$size" portal "start $start_s s" "$hwm" "$((${#pages[@]} * (repeat + 1))) requests"
}

log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for size in "${sizes[@]}"; do run_size "$size" "${backends[@]}"; done
cat "$steps_table"
echo
cat "$pages_table"
