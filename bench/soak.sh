#!/usr/bin/env bash
# Soak (issue 12): registrations posted to one `komhen serve` at a constant
# rate for a long time (default 500/s for an hour), watching that memory
# stays flat and nothing fails.
#
# A --size 20k demo database with every unit logged in (bench/lib.sh, as in
# bench/register_load.sh), a fresh `komhen serve` on 127.0.0.1, then one wrk
# run with bench/soak.lua, which sends at the given rate (a schedule per wrk
# thread, kept through wrk's delay() hook), each request with its own
# idempotency key. Every 10 s the server's RSS (VmRSS), peak (VmHWM), open
# fds, CPU, the database's size and the achieved rate are sampled into a
# CSV file. Afterwards the stored rows are compared with the ids of the 303
# answers and a Markdown summary is printed. Exits non-zero on any error
# (non-303 answer, socket error, timeout) and on any lost or doubled row.
#
# Usage: bench/soak.sh
# Environment (defaults in brackets):
#   KOMHEN_SOAK_BACKEND         sqlite|postgres                  [sqlite]
#   KOMHEN_SOAK_RATE            registrations/s                  [500]
#   KOMHEN_SOAK_SECONDS         length of the run                [3600]
#   KOMHEN_SOAK_CONNECTIONS     wrk connections (spare ones let a thread
#                               catch up after a stall)          [16]
#   KOMHEN_SOAK_THREADS         wrk threads                      [2]
#   KOMHEN_SOAK_UNITS           units logged in: "all" or a number  [all]
#   KOMHEN_SOAK_PORT            port on 127.0.0.1                [8210]
#   KOMHEN_SOAK_BIN             a komhen binary to run instead of building
#                               one (cargo build --release under nice -n 5)  []
#   KOMHEN_SOAK_OUT             directory for the CSV, the summary and the
#                               server's log                     [target/soak]
#   KOMHEN_SOAK_MAX_DB_MB       stop (and fail) when the database and its log
#                               pass this size: an hour at 500/s stores about
#                               1.8 million rows, well under 1 GB  [4096]
#   KOMHEN_SOAK_MIN_FREE_MB     stop (and fail) when the file system of the
#                               database has less free space     [10240]
#   KOMHEN_BENCH_POSTGRES_URL   server to create the soak databases on
#                               [postgres://postgres@127.0.0.1:5432/postgres]
# Progress and raw wrk output go to stderr; the Markdown summary to stdout
# (and to OUT/soak-BACKEND-STAMP.md beside the CSV).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

backend=${KOMHEN_SOAK_BACKEND:-sqlite}
rate=${KOMHEN_SOAK_RATE:-500}
secs=${KOMHEN_SOAK_SECONDS:-3600}
conns=${KOMHEN_SOAK_CONNECTIONS:-16}
threads=${KOMHEN_SOAK_THREADS:-2}
units=${KOMHEN_SOAK_UNITS:-all}
port=${KOMHEN_SOAK_PORT:-8210}
out_dir=${KOMHEN_SOAK_OUT:-target/soak}
max_db_mb=${KOMHEN_SOAK_MAX_DB_MB:-4096}
min_free_mb=${KOMHEN_SOAK_MIN_FREE_MB:-10240}
pg="${KOMHEN_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
pg_base=komhen_soak_base
pg_run=komhen_soak
base="http://127.0.0.1:$port"
export PGOPTIONS="-c client_min_messages=warning"
case "$backend" in sqlite|postgres) ;; *) echo "KOMHEN_SOAK_BACKEND: sqlite or postgres" >&2; exit 2 ;; esac

source "$root/bench/lib.sh"
ensure_wrk
if [ -z "${KOMHEN_SOAK_BIN:-}" ]; then
  log "building (release)"
  build_release nice -n 5
fi
make_work "${KOMHEN_SOAK_BIN:-target/release/komhen}"
mkdir -p "$out_dir"
stamp=$(date +%Y%m%d-%H%M%S)
csv="$out_dir/soak-$backend-$stamp.csv"
md="$out_dir/soak-$backend-$stamp.md"
tag="s$(date +%s)"

log "$backend: demo database, logging in units"
prepare_base
restore_run
start_server run

# The database's size in kB: SQLite file and write-ahead log; PostgreSQL
# pg_database_size.
db_kb() {
  if [ "$backend" = sqlite ]; then
    echo "$(( $(stat -c %s "$work/run.db") / 1024 )) $(( $(stat -c %s "$work/run.db-wal" 2>/dev/null || echo 0) / 1024 ))"
  else
    echo "$(( $(psql "$(db_url run)" -At -c "SELECT pg_database_size(current_database())") / 1024 )) 0"
  fi
}
# The 303 answers, other answers and late sends so far, over wrk's threads.
progress() { cat "$work"/wrk.progress.* 2>/dev/null | awk '{o += $1; x += $2; l += $4} END {print o + 0, x + 0, l + 0}'; }
ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
hz=$(getconf CLK_TCK)
now() { echo "${EPOCHREALTIME/[,.]/}"; }   # microseconds

log "--- $backend: ${rate}/s for ${secs} s, $conns connections, $threads wrk threads; samples in $csv"
echo "t_s,rss_kb,hwm_kb,fds,db_kb,wal_kb,ok303,rate_per_s,other,late,server_cpu_pct,load1" > "$csv"
KOMHEN_BENCH_SESSIONS="$work/sessions.lua" KOMHEN_BENCH_RUN="$tag" KOMHEN_BENCH_COUNT=0 \
KOMHEN_SOAK_RATE="$rate" KOMHEN_SOAK_THREADS="$threads" KOMHEN_SOAK_OUT="$work/wrk" \
  timeout $((secs + 120)) wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 5s --latency \
  -s "$root/bench/soak.lua" "$base/" > "$work/wrk.out" 2>&1 &
wrk_pid=$!
trap 'kill "$wrk_pid" 2>/dev/null || true; cleanup' EXIT
stopped=""
t0=$(now); k=0; prev_ok=0; prev_t=0; prev_ticks=$(ticks)
# One sample every 10 s of the run, the last when wrk has stopped.
while :; do
  k=$((k + 1)); target=$((t0 + k * 10000000))
  while kill -0 "$wrk_pid" 2>/dev/null && [ "$(now)" -lt "$target" ]; do sleep 0.2; done
  kill -0 "$server_pid" 2>/dev/null || { log "the server died"; break; }
  t_us=$(( $(now) - t0 ))
  read -r rss hwm < <(awk '/^VmRSS/ {r = $2} /^VmHWM/ {h = $2} END {print r, h}' "/proc/$server_pid/status")
  fds=$(ls "/proc/$server_pid/fd" | wc -l)
  read -r dbk walk < <(db_kb)
  read -r ok other late < <(progress)
  tk=$(ticks)
  awk -v t="$t_us" -v pt="$prev_t" -v ok="$ok" -v pok="$prev_ok" -v tk="$tk" -v ptk="$prev_ticks" -v hz="$hz" \
    -v rss="$rss" -v hwm="$hwm" -v fds="$fds" -v db="$dbk" -v wal="$walk" -v other="$other" -v late="$late" \
    -v la="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
      d = (t - pt) / 1e6
      printf "%.1f,%d,%d,%d,%d,%d,%d,%.1f,%d,%d,%.0f,%s\n", t / 1e6, rss, hwm, fds, db, wal, ok, (ok - pok) / d, other, late, 100 * (tk - ptk) / hz / d, la
    }' >> "$csv"
  prev_t=$t_us; prev_ok=$ok; prev_ticks=$tk
  [ $((k % 30)) = 0 ] && log "$(tail -1 "$csv")"
  # The machine is shared: never fill its disk.
  free_mb=$(( $(df -Pk "$work" | awk 'NR == 2 {print $4}') / 1024 ))
  if [ -z "$stopped" ] && { [ $(( (dbk + walk) / 1024 )) -gt "$max_db_mb" ] || [ "$free_mb" -lt "$min_free_mb" ]; }; then
    stopped="stopped after $((t_us / 1000000)) s: database and log $(( (dbk + walk) / 1024 )) MB (limit $max_db_mb), $free_mb MB free (limit $min_free_mb)"
    log "$stopped"
    kill -INT "$wrk_pid"   # timeout passes it on; wrk prints its summary
  fi
  kill -0 "$wrk_pid" 2>/dev/null || break
done
wait "$wrk_pid" || true
cat "$work/wrk.out" >&2
result=$(grep '^RESULT' "$work/wrk.out" || true)
[[ "$result" == RESULT* ]] || { log "wrk produced no result"; exit 1; }
sleep 1   # let the requests in flight at wrk's stop finish
cat "$work"/wrk.ids.* > "$work/ids-$tag"
read -r stored answered lost doubled extra < <(check_rows "$tag")
server_alive=1; kill -0 "$server_pid" 2>/dev/null || server_alive=0
cp "$work/serve-$backend.log" "$out_dir/soak-$backend-$stamp.serve.log"

status=0
python3 - "$csv" "$result" "$stored $answered $lost $doubled $extra" "$server_alive" \
  "$backend" "$rate" "$secs" "$conns" "$threads" "$logged_in" "$stopped" > "$md" <<'EOF' || status=$?
import csv, sys
path, result, rows, alive, backend, rate, secs, conns, threads, units, stopped = sys.argv[1:]
r = dict(kv.split("=", 1) for kv in result.split()[1:])
stored, answered, lost, doubled, extra = map(int, rows.split())
s = [{k: float(v) for k, v in row.items()} for row in csv.DictReader(open(path))]
mb = lambda kb: kb / 1024
def at(t):  # RSS of the sample nearest t, if one is within 10 s
    near = min(s, key=lambda x: abs(x["t_s"] - t), default=None)
    return f"{mb(near['rss_kb']):.1f}" if near and abs(near["t_s"] - t) <= 10 else "–"
dur = s[-1]["t_s"] if s else 0
# Slope over the last 50 minutes (for shorter runs, the last five sixths).
start = dur - min(3000, dur * 5 / 6)
w = [x for x in s if x["t_s"] >= start]
slope = "–"
if len(w) >= 3:
    n = len(w); mt = sum(x["t_s"] for x in w) / n; mr = sum(mb(x["rss_kb"]) for x in w) / n
    sxx = sum((x["t_s"] - mt) ** 2 for x in w)
    slope = f"{3600 * sum((x['t_s'] - mt) * (mb(x['rss_kb']) - mr) for x in w) / sxx:+.2f}"
sock = sum(int(r[k]) for k in ("connect", "read", "write"))
non303 = int(r["other"])
errors = non303 + sock + int(r["timeout"])
name = "SQLite" if backend == "sqlite" else "PostgreSQL"
print(f"{name}, target {rate}/s for {secs} s, {conns} connections, {threads} wrk threads, {units} units logged in.")
print()
print("| backend | achieved rate (/s) | errors (non-303, socket, timeouts) | p50 (ms) | p99 (ms) | max (ms) "
      "| sends > 100 ms behind schedule (max lag ms) "
      "| RSS 1 / 10 / 30 / 60 min (MB) | RSS max (MB), VmHWM | RSS slope, last 50 min (MB/h) "
      "| fds first / last | database first / last (MB) "
      "| rows stored / 303s (lost, doubled, stored but unanswered ≤ in flight at stop) |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
rmax = max((mb(x["rss_kb"]) for x in s), default=0)
hwm = mb(s[-1]["hwm_kb"]) if s else 0
db = lambda x: mb(x["db_kb"] + x["wal_kb"])
print(f"| {name} | {int(r['ok303']) / float(r['secs']):.1f} | {errors} ({non303}, {sock}, {r['timeout']}) "
      f"| {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['late']} ({r['max_lag_ms']}) "
      f"| {at(60)} / {at(600)} / {at(1800)} / {at(3600)} | {rmax:.1f}, {hwm:.1f} | {slope} "
      f"| {int(s[0]['fds']) if s else '–'} / {int(s[-1]['fds']) if s else '–'} "
      f"| {db(s[0]):.0f} / {db(s[-1]):.0f} "
      f"| {stored} / {answered} ({lost}, {doubled}, {extra} ≤ {r['inflight']}) |" if s else "| no samples |")
if r["statuses"] != "none":
    print(f"\nNon-303 answers: {r['statuses']}")
if alive != "1":
    print("\nThe server was no longer running at the end.")
if stopped:
    print(f"\nRun {stopped}.")
step = 300 if dur >= 1800 else 60 if dur >= 300 else 10
print()
print(f"Every {step} s:" if step < 60 else f"Every {step / 60:g} min:")
print()
print("| minute | RSS (MB) | VmHWM (MB) | fds | database (MB) | rate in the last 10 s (/s) | server CPU | load average |")
print("|---|---|---|---|---|---|---|---|")
marks = sorted({60} | set(range(step, int(dur) + 10, step)))
for t in marks:
    x = min(s, key=lambda x: abs(x["t_s"] - t))
    if abs(x["t_s"] - t) > 10:
        continue
    print(f"| {x['t_s'] / 60:.1f} | {mb(x['rss_kb']):.1f} | {mb(x['hwm_kb']):.1f} | {int(x['fds'])} | {db(x):.0f} "
          f"| {x['rate_per_s']:.0f} | {x['server_cpu_pct']:.0f} % | {x['load1']:.2f} |")
ok = errors == 0 and lost == 0 and doubled == 0 and alive == "1" and not stopped
print()
print("Result: " + ("passed" if ok else "FAILED") + f" (samples: {path})")
sys.exit(0 if ok else 1)
EOF
cat "$md"
stop_server
exit "$status"
