#!/usr/bin/env bash
# The report engine on big databases, next to DuckDB and Polars on the same
# registrations in memory.
#
# For each size and backend: a fresh demo database (`komhen demo --no-serve
# --size N`, release build), then a set of reports, each timed by `komhen
# report QUERY --repeat K` (the median of K runs, the engine's whole work:
# names, store query, folding, shares):
#   overview  one municipality, one period, channels by direction (what
#             /kommune/{kode}/tal shows first);
#   ranking   every municipality's digital share of incoming inquiries in a
#             period (the portal's ranking);
#   pivot     task x channel for the whole country, inquiry type VEJL only;
#   pivot-*   pivots of the whole country in the period, all inquiry types,
#             over the dimensions an analyst combines: task, channel,
#             direction, inquiry type, completion, form, week and
#             municipality, each in at least one (the week pivot over both
#             years of the demo, so it has more than the period's 3 weeks).
# Then the same registrations (the columns the queries need, test rows and
# uncommitted uploads left out, one row per registration with its quantity)
# are exported, written as Parquet and loaded into an in-memory DuckDB table
# and an in-memory Polars DataFrame, and the same queries are timed there
# (bench/report_load.py has their SQL). komhen's answers must equal DuckDB's
# (the dimensions, the total, and every group by its keys with its
# inquiries and share), and Polars' DuckDB's, or the script stops with an
# error. The table has komhen's time over DuckDB's: below 1 komhen is
# faster.
#
# Usage: bench/report_load.sh
# Environment (defaults in brackets):
#   KOMHEN_BENCH_SIZES          demo sizes, both backends          [1M 10M]
#   KOMHEN_BENCH_SQLITE_SIZES   further sizes on SQLite only        []
#   KOMHEN_BENCH_BACKENDS       backends to run                     [sqlite postgres]
#   KOMHEN_BENCH_REPEAT         runs per query and engine           [10]
#   KOMHEN_BENCH_POSTGRES_URL   server for the bench database
#                               [postgres://postgres@127.0.0.1:5432/postgres]
#   KOMHEN_BENCH_VENV           Python venv with duckdb, polars, pyarrow (made if
#                               missing)                            [~/.cache/komhen-bench-venv]
#   KOMHEN_BENCH_BIN            a komhen binary to time instead of building
#                               one (e.g. to compare two builds)    []
#   CARGO_TARGET_DIR            where cargo builds                  [target]
# Raw output goes to stderr; the Markdown table to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

read -r -a sizes <<< "${KOMHEN_BENCH_SIZES:-1M 10M}"
read -r -a sqlite_sizes <<< "${KOMHEN_BENCH_SQLITE_SIZES:-}"
read -r -a backends <<< "${KOMHEN_BENCH_BACKENDS:-sqlite postgres}"
repeat=${KOMHEN_BENCH_REPEAT:-10}
pg="${KOMHEN_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
pg_db=komhen_bench_report
venv="${KOMHEN_BENCH_VENV:-$HOME/.cache/komhen-bench-venv}"
export PGOPTIONS="-c client_min_messages=warning"
log() { printf '%s\n' "$*" >&2; }
# komhen's time over DuckDB's, to two decimals.
ratio() { awk -v k="$1" -v d="$2" 'BEGIN { if (d > 0) printf "%.2f", k / d; else printf "-" }'; }

# The report set (bench/report_set.sh): the demo's later counting period,
# the span of both its years, and the queries as report links.
source bench/report_set.sh

command -v /usr/bin/time >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq time >/dev/null; }
if ! "$venv/bin/python" -c 'import duckdb, polars, pyarrow' 2>/dev/null; then
  log "--- making $venv (duckdb, polars, pyarrow from PyPI)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q duckdb polars pyarrow >&2
fi
"$venv/bin/python" -c 'import duckdb, polars, pyarrow; print("duckdb", duckdb.__version__, "polars", polars.__version__, "pyarrow", pyarrow.__version__)' >&2

[ -n "${KOMHEN_BENCH_BIN:-}" ] || cargo build --release --locked -p komhen >/dev/null 2>&1
work=$(mktemp -d)
cleanup() {
  psql "$pg" -qc "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cp "${KOMHEN_BENCH_BIN:-${CARGO_TARGET_DIR:-target}/release/komhen}" "$work/komhen"
bin="$work/komhen"

# One registration per line, as the engine counts it: not a test row, not in
# an upload that is staged or deleted; the channel's direction and digital
# flag joined on (the engine maps them from the channel list too); the
# stored ISO week (bench/report_load.py checks it is the day's); a missing
# completion as '' (the engine's COALESCE), the form as it is (NULL: the
# question does not apply; SQLite writes 1/0, PostgreSQL t/f).
export_sql="SELECT r.municipality_code, r.day, r.iso_year, r.iso_week, COALESCE(r.unit_id, 0),
  r.task_id, r.channel_code, c.direction, CASE WHEN c.digital THEN 1 ELSE 0 END,
  COALESCE(r.inquiry_type_code, ''), COALESCE(r.completion_code, ''), r.has_form, r.quantity
  FROM registrations r JOIN channels c ON c.code = r.channel_code
  WHERE NOT r.is_test AND (r.import_batch_id IS NULL OR r.import_batch_id IN
    (SELECT id FROM import_batches WHERE status = 'committed'))"

# Runs everything for one database; prints the table's rows.
bench() {
  local name=$1 size=$2 url=$3
  log "--- $name $size: demo"
  /usr/bin/time -f '%e %M' -o "$work/time" "$bin" demo --no-serve --size "$size" \
    --database-url "$url" > "$work/demo.out" 2>&1
  local wall rss
  read -r wall rss < "$work/time"
  log "demo: $(grep -o '[0-9]* rækker' "$work/demo.out" | head -1), ${wall} s, $((rss / 1024)) MB"
  # The steady state a server reaches soon after a bulk load, so the timed
  # runs do not share the disk with it: PostgreSQL's autovacuum done, the
  # SQLite write-ahead log checkpointed (else the report's own background
  # checkpoint copies the demo's log while the queries run).
  case $name in
    PostgreSQL) psql "$url" -qc "VACUUM ANALYZE" >/dev/null ;;
    SQLite) sqlite3 "${url#sqlite://}" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null ;;
  esac
  local -A komhen_ms
  local checks=()
  for q in "${names[@]}"; do
    "$bin" report "${queries[$q]}" --format json --repeat "$repeat" --database-url "$url" \
      > "$work/$q.json" 2> "$work/$q.err"
    log "komhen $q: $(cat "$work/$q.err")"
    komhen_ms[$q]=$(sed -n 's/.*median \([0-9.]*\) ms.*/\1/p' "$work/$q.err")
    checks+=(--komhen "$q" "$work/$q.json")
  done
  log "--- $name $size: export"
  local rows
  case $name in
    SQLite) sqlite3 -csv "${url#sqlite://}" "$export_sql" > "$work/rows.csv" ;;
    PostgreSQL) psql "$url" -qc "\\copy ($(tr '\n' ' ' <<< "$export_sql")) TO '$work/rows.csv' WITH (FORMAT csv)" ;;
  esac
  rows=$(wc -l < "$work/rows.csv")
  log "exported $rows registrations ($(( $(stat -c %s "$work/rows.csv") / 1000000 )) MB CSV)"
  "$venv/bin/python" bench/report_load.py --csv "$work/rows.csv" --parquet "$work/rows.parquet" \
    --repeat "$repeat" --from "$from" --to "$to" --span-from "$span_from" --span-to "$span_to" \
    --municipality "$municipality" --inquiry-type "$inquiry_type" "${checks[@]}" \
    > "$work/engines.out"
  rm -f "$work/rows.csv" "$work/rows.parquet"
  while read -r q duck polars; do
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$rows" "$q" "${komhen_ms[$q]}" \
      "$duck" "$polars" "$(ratio "${komhen_ms[$q]}" "$duck")"
  done < "$work/engines.out"
}

log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| backend | rows | query | komhen ms | DuckDB ms | Polars ms | komhen / DuckDB |"
echo "|---|---|---|---|---|---|---|"
for size in "${sizes[@]}"; do run_size "$size" "${backends[@]}"; done
for size in "${sqlite_sizes[@]}"; do run_size "$size" sqlite; done
