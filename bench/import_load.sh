#!/usr/bin/env bash
# Importing a big codebook file: `komhen import registrations` of an N-row
# CSV (default 10 million, about 0.7 GB) into SQLite and into PostgreSQL,
# next to the raw parse rate of the same file (the ingest reader alone).
#
# Each backend gets a fresh database with the demo's set-up (`komhen demo
# --size 1k`: Køge's real units and the season's tasks), so the file's
# units and tasks resolve like a coordinator's would. The import runs as a
# coordinator runs it: the whole file checked first (a preview pass), then
# every row stored (a second pass, chunks of 10 000 rows; COPY on
# PostgreSQL). Wall time and peak memory come from /usr/bin/time; stored
# rows are counted afterwards (all of them, exactly once).
#
# For comparison on the same machine, PostgreSQL's own COPY of the same file
# into a plain table (one text column per CSV column, no checks, no
# indexes) through `psql \copy`: the rate PostgreSQL reaches with no
# validation at all.
#
# Usage: bench/import_load.sh
# Environment (defaults in brackets):
#   KOMHEN_BENCH_ROWS           rows in the file                  [10000000]
#   KOMHEN_BENCH_BACKENDS       backends to run                   [sqlite postgres]
#   KOMHEN_BENCH_POSTGRES_URL   server for the bench database
#                               [postgres://postgres@127.0.0.1:5432/postgres]
#   CARGO_TARGET_DIR            where cargo builds                [target]
# Raw output goes to stderr; the Markdown table to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

rows=${KOMHEN_BENCH_ROWS:-10000000}
read -r -a backends <<< "${KOMHEN_BENCH_BACKENDS:-sqlite postgres}"
pg="${KOMHEN_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
pg_db=komhen_bench_import
export PGOPTIONS="-c client_min_messages=warning"
log() { printf '%s\n' "$*" >&2; }

command -v /usr/bin/time >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq time >/dev/null; }

cargo build --release --locked -p komhen >/dev/null 2>&1
cargo build --release --locked -p komhen-ingest --example codebook_generate --example codebook_parse >/dev/null 2>&1
release="${CARGO_TARGET_DIR:-target}/release"
work=$(mktemp -d)
cleanup() {
  psql "$pg" -qc "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cp "$release/komhen" "$work/komhen"
bin="$work/komhen"

# Units and tasks of the demo's Køge, so every row resolves.
units=259borgerservice,259skrankeborgerservice,259telefonborgerservice,259information,259sygedagpenge,259sdp
tasks=23.01.00,23.05.05,23.05.10,23.05.12,23.09.02,23.09.04,29.03.04,29.03.12,29.03.99,32.03.04
file="$work/rows.csv"
log "--- generating $rows rows"
# The rows fall in the demo's unpublished period (autumn 2026), so the batch
# commits as a coordinator's upload does; rows in a published period would be
# held as a correction instead, and never commit.
"$release/examples/codebook_generate" "$rows" "$file" "$units" "$tasks" 2026-10-19 >&2
size_mb=$(( $(stat -c %s "$file") / 1000000 ))

log "--- raw parse"
parse=$("$release/examples/codebook_parse" "$file")
log "$parse"
parse_rate=$(sed -n 's/.*rows_per_second=\([0-9.]*\).*/\1/p' <<< "$parse")

# Runs the import on a fresh database; prints "wall_s peak_mb stored".
run() {
  local url=$1 count_cmd=$2
  "$bin" demo --no-serve --size 1k --database-url "$url" >/dev/null 2>&1
  /usr/bin/time -f 'TIME %e %M' -o "$work/time" \
    "$bin" import registrations "$file" --municipality 259 --database-url "$url" >&2
  local wall peak stored
  read -r _ wall peak < "$work/time"
  stored=$(eval "$count_cmd")
  echo "$wall $(( peak / 1024 )) $stored"
}

printf '%s rows (%s MB CSV); raw parse %s rows/s on one core.\n\n' "$rows" "$size_mb" "${parse_rate%.*}"
echo "| backend | rows stored | wall (s) | rows/s | peak RSS (MB) |"
echo "|---|---|---|---|---|"
for backend in "${backends[@]}"; do
  log "--- $backend"
  case $backend in
    sqlite)
      db="$work/komhen.db"
      result=$(run "sqlite://$db" "sqlite3 '$db' 'SELECT COUNT(*) FROM registrations WHERE import_batch_id IN (SELECT id FROM import_batches WHERE kind = \"codebook\" AND status = \"committed\")'")
      ;;
    postgres)
      psql "$pg" -qc "DROP DATABASE IF EXISTS $pg_db" -c "CREATE DATABASE $pg_db" >/dev/null
      url="${pg%/*}/$pg_db"
      result=$(run "$url" "psql '$url' -Atc \"SELECT COUNT(*) FROM registrations WHERE import_batch_id IN (SELECT id FROM import_batches WHERE kind = 'codebook' AND status = 'committed')\"")
      ;;
  esac
  read -r wall peak stored <<< "$result"
  rate=$(awk -v r="$stored" -v w="$wall" 'BEGIN { printf "%d", r / w }')
  name=$([ "$backend" = sqlite ] && echo SQLite || echo PostgreSQL)
  echo "| $name | $stored | $wall | $rate | $peak |"
  if [ "$stored" != "$rows" ]; then log "stored $stored of $rows rows"; exit 1; fi
  if [ "$backend" = postgres ]; then
    # The same file into a plain table with PostgreSQL's COPY (psql \copy).
    log "--- postgres COPY into a plain table"
    columns=$(head -1 "$file" | tr -d '\r\357\273\277' | tr ';' '\n' | awk '{ printf "%sc%d text", (NR > 1 ? ", " : ""), NR }')
    psql "$url" -qc "DROP TABLE IF EXISTS copy_baseline" -c "CREATE TABLE copy_baseline ($columns)" >/dev/null
    /usr/bin/time -f 'TIME %e %M' -o "$work/time" \
      psql "$url" -qc "\\copy copy_baseline FROM '$file' WITH (FORMAT csv, DELIMITER ';', HEADER true)" >&2
    read -r _ wall _ < "$work/time"
    stored=$(psql "$url" -Atc "SELECT COUNT(*) FROM copy_baseline")
    rate=$(awk -v r="$stored" -v w="$wall" 'BEGIN { printf "%d", r / w }')
    echo "| PostgreSQL COPY, plain table (psql \\copy, no checks) | $stored | $wall | $rate | – |"
    psql "$url" -qc "DROP TABLE copy_baseline" >/dev/null
  fi
done
