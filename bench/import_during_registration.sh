#!/usr/bin/env bash
# Registering while a codebook file is imported (issue 17, item 2: does a
# save keep its p99 while a big import runs?).
#
# A --size 20k demo database with every unit logged in (bench/lib.sh), a
# fresh `komhen serve` on 127.0.0.1 with each request's latency traced
# (KOMHEN_LOG tower_http=debug, docs/operations.md), registrations posted at
# a constant rate by wrk and bench/soak.lua, and, a few seconds in,
# `komhen import registrations` of a generated codebook file for Køge (259)
# into the same database, as a coordinator's import from the command line
# runs beside the service. Afterwards the server's latencies of
# `POST /registrering` are split by arrival into before, during and after the import,
# the rows stored are compared with the ids of the 303 answers (nothing lost
# or doubled) and the import's rows with the file's. Exits non-zero on any
# error answer, lost or doubled row, or failed import.
#
# Usage: bench/import_during_registration.sh
# Environment (defaults in brackets):
#   KOMHEN_BENCH_BACKENDS       backends to run                  [sqlite postgres]
#   KOMHEN_BENCH_RATE           registrations/s                  [500]
#   KOMHEN_BENCH_ROWS           rows in the imported file        [1000000]
#   KOMHEN_BENCH_SECONDS        length of the registration run   [90]
#   KOMHEN_BENCH_IMPORT_AFTER   seconds before the import starts [10]
#   KOMHEN_BENCH_PORT           port on 127.0.0.1                [8212]
#   KOMHEN_BENCH_BIN            a komhen binary to run instead of building one []
#   KOMHEN_BENCH_POSTGRES_URL   server to create the databases on
#                               [postgres://postgres@127.0.0.1:5432/postgres]
# Progress goes to stderr; a Markdown table to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

read -r -a backends <<< "${KOMHEN_BENCH_BACKENDS:-sqlite postgres}"
rate=${KOMHEN_BENCH_RATE:-500}
rows=${KOMHEN_BENCH_ROWS:-1000000}
secs=${KOMHEN_BENCH_SECONDS:-90}
after=${KOMHEN_BENCH_IMPORT_AFTER:-10}
port=${KOMHEN_BENCH_PORT:-8212}
units=all
pg="${KOMHEN_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
pg_base=komhen_during_base
pg_run=komhen_during
base="http://127.0.0.1:$port"
export PGOPTIONS="-c client_min_messages=warning"
export KOMHEN_LOG="info,sqlx=warn,tower_http=debug"

source "$root/bench/lib.sh"
ensure_wrk
command -v /usr/bin/time >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq time >/dev/null; }
if [ -z "${KOMHEN_BENCH_BIN:-}" ]; then
  log "building (release)"
  build_release nice -n 5
fi
cargo build --release --locked -p komhen-ingest --example codebook_generate >/dev/null 2>&1
make_work "${KOMHEN_BENCH_BIN:-target/release/komhen}"

# Rows for six of Køge's demo units and ten national tasks, in the demo's
# unpublished autumn 2026 period, so the batch commits as an upload does.
file="$work/rows.csv"
"${CARGO_TARGET_DIR:-target}/release/examples/codebook_generate" "$rows" "$file" \
  259borgerservice,259skrankeborgerservice,259telefonborgerservice,259information,259sygedagpenge,259sdp \
  23.01.00,23.05.05,23.05.10,23.05.12,23.09.02,23.09.04,29.03.04,29.03.12,29.03.99,32.03.04 \
  2026-10-19 >&2

now() { echo "${EPOCHREALTIME/[,.]/}"; }   # microseconds
failed=0
echo "| backend | window | registrations | p50 (ms) | p99 (ms) | max (ms) |"
echo "|---|---|---|---|---|---|"
summary=()
for backend in "${backends[@]}"; do
  log "--- $backend: demo database, logging in units"
  prepare_base
  restore_run
  : > "$work/serve-$backend.log"
  start_server run
  tag="d$(date +%s)"
  KOMHEN_BENCH_SESSIONS="$work/sessions.lua" KOMHEN_BENCH_RUN="$tag" KOMHEN_BENCH_COUNT=0 \
  KOMHEN_SOAK_RATE="$rate" KOMHEN_SOAK_THREADS=2 KOMHEN_SOAK_OUT="$work/wrk" \
    timeout $((secs + 120)) wrk -t2 -c16 -d"${secs}s" --timeout 5s --latency \
    -s "$root/bench/soak.lua" "$base/" > "$work/wrk.out" 2>&1 &
  wrk_pid=$!
  committed="SELECT COUNT(*) FROM registrations WHERE import_batch_id IN \
    (SELECT id FROM import_batches WHERE status = 'committed')"
  imported_before=$(sql run "$committed")
  sleep "$after"
  log "$backend: importing $rows rows while registering at $rate/s"
  import_from=$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)
  t0=$(now)
  import_rc=0
  /usr/bin/time -f 'TIME %e %M' -o "$work/import.time" \
    "$bin" import registrations "$file" --municipality 259 --database-url "$(db_url run)" \
    > "$work/import.log" 2>&1 || import_rc=$?
  import_to=$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)
  import_s=$(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.1f", (b - a) / 1e6}')
  read -r _ _ import_peak < <(grep "^TIME" "$work/import.time")
  [ "$import_rc" = 0 ] || { log "the import failed:"; cat "$work/import.log" >&2; failed=1; }
  wait "$wrk_pid" || true
  sleep 1
  result=$(grep '^RESULT' "$work/wrk.out" || true)
  [[ "$result" == RESULT* ]] || { log "wrk produced no result"; cat "$work/wrk.out" >&2; exit 1; }
  cat "$work"/wrk.ids.* > "$work/ids-$tag"
  read -r stored answered lost doubled extra < <(check_rows "$tag")
  imported=$(( $(sql run "$committed") - imported_before ))
  stop_server
  name=$([ "$backend" = sqlite ] && echo SQLite || echo PostgreSQL)
  python3 - "$work/serve-$backend.log" "$import_from" "$import_to" "$name" <<'EOF'
import datetime, re, sys
log, start, end, name = sys.argv[1:]
ansi = re.compile(r"\x1b\[[0-9;]*m")
windows = {"before the import": [], "during the import": [], "after the import": []}
for line in open(log, errors="replace"):
    line = ansi.sub("", line)
    if "finished processing request" not in line or 'route="/registrering"' not in line \
            or "method=POST" not in line:
        continue
    m = re.search(r"latency=(\d+) \S*s\b", line)
    if not m:
        continue
    # The line is written when the answer goes: a request counts in the
    # window in which it arrived.
    done = datetime.datetime.fromisoformat(line.split()[0].replace("Z", "+00:00"))
    at = (done - datetime.timedelta(microseconds=int(m.group(1)))).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    key = ("before the import" if at < start else
           "during the import" if at <= end else "after the import")
    windows[key].append(int(m.group(1)) / 1000)
def pct(a, p):
    a = sorted(a)
    return a[min(len(a) - 1, int(p / 100 * len(a)))]
for window, lat in windows.items():
    if lat:
        print(f"| {name} | {window} | {len(lat)} | {pct(lat, 50):.2f} | {pct(lat, 99):.2f} "
              f"| {max(lat):.2f} |")
EOF
  other=$(sed -n 's/.*other=\([0-9]*\).*/\1/p' <<< "$result")
  timeouts=$(sed -n 's/.*timeout=\([0-9]*\).*/\1/p' <<< "$result")
  summary+=("- $name: the import of $rows rows took $import_s s ($(awk -v r="$rows" -v s="$import_s" 'BEGIN {printf "%d", r / s}') rows/s, peak $(( import_peak / 1024 )) MB, exit $import_rc), $imported rows committed; registrations: $stored stored, $answered answered 303, $other other answers, ${timeouts:-?} not answered within wrk's 5 s, lost $lost, doubled $doubled, stored but unanswered $extra.")
  if [ "$imported" != "$rows" ] || [ "$lost" != 0 ] || [ "$doubled" != 0 ] || [ "${other:-1}" != 0 ]; then
    failed=1
  fi
done
echo
printf '%s\n' "${summary[@]}"
exit "$failed"
