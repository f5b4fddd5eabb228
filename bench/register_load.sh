#!/usr/bin/env bash
# Registering over HTTP: posts registrations to a running `komhen serve` from
# another process (wrk + bench/register_load.lua) and reports sustained
# registrations/s, latency percentiles and CPU, on SQLite and PostgreSQL.
#
# Per backend a demo database (--size 20k) is made once and the units are
# logged in (their sessions live in the database). Every measured run then
# starts from a copy of that database (SQLite: file copy; PostgreSQL:
# CREATE DATABASE ... TEMPLATE), a fresh `komhen serve` on 127.0.0.1, a 5 s
# warm-up and one wrk run. Every request carries a unique idempotency key;
# afterwards the stored rows are compared with the ids in the 303 responses
# (none lost, none doubled).
#
# Usage: bench/register_load.sh
# Environment (defaults in brackets):
#   KOMHEN_BENCH_BACKENDS     backends to run                  [sqlite postgres]
#   KOMHEN_BENCH_CONNECTIONS  wrk connection counts            [8 32]
#   KOMHEN_BENCH_PLACEMENTS   shared: server and wrk on both cores;
#                             pinned: server on core 0, wrk on core 1  [shared]
#   KOMHEN_BENCH_DURATION     seconds per measured run         [30]
#   KOMHEN_BENCH_UNITS        units logged in; "all" or a number (then one
#                             unit per municipality)           [all]
#   KOMHEN_BENCH_THREADS      wrk threads (at most one per connection)  [2]
#   KOMHEN_BENCH_REPEAT       measured runs per setting        [1]
#   KOMHEN_BENCH_COUNT        1: count statuses and 303 ids in wrk's response()
#                             (needed for the row check); 0: wrk's fast path  [1]
#   KOMHEN_BENCH_PORT         port on 127.0.0.1                [8200]
#   KOMHEN_BENCH_POSTGRES_URL server to create the bench databases on
#                             [postgres://postgres@127.0.0.1:5432/postgres]
# Raw wrk output goes to stderr; the Markdown table to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

read -r -a backends <<< "${KOMHEN_BENCH_BACKENDS:-sqlite postgres}"
read -r -a connections <<< "${KOMHEN_BENCH_CONNECTIONS:-8 32}"
read -r -a placements <<< "${KOMHEN_BENCH_PLACEMENTS:-shared}"
duration=${KOMHEN_BENCH_DURATION:-30}
units=${KOMHEN_BENCH_UNITS:-all}
repeat=${KOMHEN_BENCH_REPEAT:-1}
threads=${KOMHEN_BENCH_THREADS:-2}
count=${KOMHEN_BENCH_COUNT:-1}
port=${KOMHEN_BENCH_PORT:-8200}
pg="${KOMHEN_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
pg_base=komhen_bench_http_base   # demo + sessions, the template of every run
pg_run=komhen_bench_http         # the database of one run
base="http://127.0.0.1:$port"
export PGOPTIONS="-c client_min_messages=warning"

# log, ensure_wrk, build_release, make_work, db_url, sql, start_server,
# stop_server, prepare_base, restore_run, check_rows
source "$root/bench/lib.sh"

ensure_wrk
command -v taskset >/dev/null || { log "taskset (util-linux) is required"; exit 1; }

build_release
make_work target/release/komhen

# "pid utime+stime" (clock ticks) for each pid given.
ticks() { local p; for p in "$@"; do awk '{print $1, $14 + $15}' "/proc/$p/stat" 2>/dev/null || true; done; }
# CPU ticks used between two snapshots of ticks: processes that exited in
# between count as 0 (their last ticks are unknown), new ones from 0.
ticks_used() { awk 'NR == FNR {t0[$1] = $2; next} {d += $2 - ($1 in t0 ? t0[$1] : 0)} END {print d + 0}' "$1" "$2"; }
# Busy, total and interrupt (irq + softirq) ticks of the whole machine.
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9, $7+$8}' /proc/stat; }
hz=$(getconf CLK_TCK)
# PostgreSQL processes working for the bench: its connections and the shared
# WAL writer, checkpointer and background writer.
pg_pids() { pgrep -u postgres -f "$pg_run|walwriter|checkpointer|background writer" || true; }

# The machine is shared: waits (up to 3 minutes) until other processes use
# less than 15 % of it over 2 s, so that they do not distort a run.
wait_for_quiet() {
  local b0 a0 b1 a1 busy i
  for i in $(seq 90); do
    read -r b0 a0 _ < <(busy_ticks); sleep 2; read -r b1 a1 _ < <(busy_ticks)
    busy=$(( 100 * (b1 - b0) / (a1 - a0 + 1) ))
    [ "$busy" -lt 15 ] && return 0
    [ "$i" = 1 ] && log "machine busy ($busy %), waiting"
  done
  log "machine still busy ($busy %); running anyway"
}

# One wrk run: run_wrk TAG CONNECTIONS SECONDS CPUS. Sets $result.
run_wrk() {
  local tag=$1 conns=$2 secs=$3 cpus=$4
  KOMHEN_BENCH_SESSIONS="$work/sessions.lua" KOMHEN_BENCH_RUN="$tag" \
  KOMHEN_BENCH_IDS="$work/ids-$tag" KOMHEN_BENCH_COUNT="$count" \
    /usr/bin/time -f "WRKCPU %U %S" -o "$work/wrkcpu-$tag" \
    timeout $((secs + 60)) taskset -c "$cpus" wrk -t"$(( threads < conns ? threads : conns ))" -c"$conns" -d"${secs}s" --timeout 5s \
    --latency -s "$root/bench/register_load.lua" "$base/" > "$work/wrk-$tag" 2>&1 || true
  cat "$work/wrk-$tag" >&2
  result="$(grep '^RESULT' "$work/wrk-$tag" || true) $(grep -o 'WRKCPU.*' "$work/wrkcpu-$tag" | awk '{printf "wrkcpu=%.2f", $2 + $3}')"
  [[ "$result" == RESULT* ]] || { log "wrk produced no result"; exit 1; }
}

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< " $result"; }
pct() { awk -v t="$1" -v hz="$hz" -v s="$2" 'BEGIN{printf "%.0f", 100 * t / hz / s}'; }

run=$(date +%s)
rows_out=()
for backend in "${backends[@]}"; do
  prepare_base
  for placement in "${placements[@]}"; do
    server_cpus=0,1; wrk_cpus=0,1
    [ "$placement" = pinned ] && { server_cpus=0; wrk_cpus=1; }
    for conns in "${connections[@]}"; do
    for rep in $(seq "$repeat"); do
      restore_run
      wait_for_quiet
      start_server run "$server_cpus"
      log "--- $backend $placement $conns connections: warm-up"
      run_wrk "w${run}${backend:0:1}${placement:0:1}c${conns}r${rep}" 8 5 "$wrk_cpus"
      wait_for_quiet
      log "--- $backend $placement $conns connections"
      tag="h${run}${backend:0:1}${placement:0:1}c${conns}r${rep}"
      pids=(); [ "$backend" = postgres ] && pids=($(pg_pids))
      ticks "$server_pid" > "$work/s0"; ticks "${pids[@]}" > "$work/p0"; read -r b0 a0 i0 < <(busy_ticks)
      run_wrk "$tag" "$conns" "$duration" "$wrk_cpus"
      [ "$backend" = postgres ] && pids=($(pg_pids))   # incl. connections opened during the run
      ticks "$server_pid" > "$work/s1"; ticks "${pids[@]}" > "$work/p1"; read -r b1 a1 i1 < <(busy_ticks)
      secs=$(field secs)
      server_cpu=$(pct "$(ticks_used "$work/s0" "$work/s1")" "$secs")
      pg_cpu=$(pct "$(ticks_used "$work/p0" "$work/p1")" "$secs")
      # Interrupts, mostly softirq: the loopback TCP traffic between wrk,
      # the server and PostgreSQL, charged to no process.
      irq_cpu=$(awk -v i=$((i1 - i0)) -v a=$((a1 - a0)) 'BEGIN{printf "%.0f", 200 * i / a}')
      wrk_cpu=$(awk -v w="$(field wrkcpu)" -v d="$secs" 'BEGIN{printf "%.0f", 100 * w / d}')
      # What the rest of the machine used meanwhile (other users; kernel
      # work not charged to a process).
      other=$(awk -v b=$((b1 - b0)) -v a=$((a1 - a0)) -v x=$((server_cpu + pg_cpu + wrk_cpu + irq_cpu)) \
        'BEGIN{o = 200 * b / a - x; printf "%.0f", o < 0 ? 0 : o}')
      [ "$backend" = postgres ] && pg_cpu="$pg_cpu %" || pg_cpu="–"
      sleep 1   # let the requests in flight at wrk's stop finish
      if [ "$count" = 1 ]; then
        read -r stored answered lost doubled extra < <(check_rows "$tag")
        rows="$stored / $answered ($lost, $doubled, $extra ≤ $(field inflight))"
        ok=$(field ok303)
        non303=$(( $(field requests) - ok ))
        [ "$non303" -gt 0 ] && non303="$non303 ($(field statuses))"
      else
        stored=$(sql run "SELECT COUNT(*) FROM registrations WHERE idempotency_key LIKE '%:$tag-%'")
        ok=$(( $(field requests) - $(field non2xx3xx) ))
        rows="$stored / – (not counted)"
        non303="$(field non2xx3xx) non-2xx/3xx"
      fi
      stop_server
      rate=$(awk -v n="$ok" -v s="$secs" 'BEGIN{printf "%.0f", n / s}')
      rows_out+=("$(printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s %% | %s | %s %% | %s %% | %s %% |' \
        "$([ "$backend" = sqlite ] && echo SQLite || echo PostgreSQL)" "$placement" "$conns" "$rate" \
        "$(field p50_ms)" "$(field p90_ms)" "$(field p99_ms)" "$(field max_ms)" "$non303" "$rows" \
        "$server_cpu" "$pg_cpu" "$wrk_cpu" "$irq_cpu" "$other")")
      log "${rows_out[-1]}"
    done
    done
  done
  [ "$backend" = postgres ] && { drop_pg; pg_used=0; }
done

echo "$logged_in units logged in; ${duration} s per run after a 5 s warm-up (8 connections); $threads wrk threads."
echo
printf '| backend | placement | connections | registrations/s | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | non-303 | rows stored / 303s (lost, doubled, stored but unanswered ≤ in flight at stop) | server CPU | postgres CPU | wrk CPU | irq (loopback TCP) | rest of machine |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n'
printf '%s\n' "${rows_out[@]}"
