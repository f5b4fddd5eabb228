#!/usr/bin/env bash
# Extracting a municipality's registrations: `komhen export registrations`
# of N rows (default 1 million, the most one Excel sheet holds) as CSV and as
# XLSX, from SQLite and from PostgreSQL; rows/s and peak memory.
#
# Each backend gets a fresh database with the demo's set-up (`komhen demo
# --size 1k`), into which an N-row codebook file for Køge is imported; the
# extract of the file's weeks is then written as CSV and as XLSX. The
# command itself fails when the rows it wrote differ from the report's
# count of those weeks; the script also checks that every imported row is
# in the CSV.
#
# Usage: bench/extract_load.sh
# Environment (defaults in brackets):
#   KOMHEN_BENCH_ROWS           rows in the file                  [1000000]
#   KOMHEN_BENCH_BACKENDS       backends to run                   [sqlite postgres]
#   KOMHEN_BENCH_POSTGRES_URL   server for the bench database
#                               [postgres://postgres@127.0.0.1:5432/postgres]
# Raw output goes to stderr; the Markdown table to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

rows=${KOMHEN_BENCH_ROWS:-1000000}
read -r -a backends <<< "${KOMHEN_BENCH_BACKENDS:-sqlite postgres}"
pg="${KOMHEN_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
pg_db=komhen_bench_extract
export PGOPTIONS="-c client_min_messages=warning"
log() { printf '%s\n' "$*" >&2; }

command -v /usr/bin/time >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq time >/dev/null; }

target=${CARGO_TARGET_DIR:-target}
cargo build --release --locked -p komhen >/dev/null 2>&1
cargo build --release --locked -p komhen-ingest --example codebook_generate >/dev/null 2>&1
work=$(mktemp -d)
cleanup() {
  psql "$pg" -qc "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cp "$target/release/komhen" "$work/komhen"
bin="$work/komhen"

units=259borgerservice,259skrankeborgerservice,259telefonborgerservice,259information,259sygedagpenge,259sdp
tasks=23.01.00,23.05.05,23.05.10,23.05.12,23.09.02,23.09.04,29.03.04,29.03.12,29.03.99,32.03.04
file="$work/rows.csv"
log "--- generating $rows rows"
"$target/release/examples/codebook_generate" "$rows" "$file" "$units" "$tasks" >&2
# The generator's weeks (43–45 of 2025).
weeks='fra=2025-10-20&til=2025-11-09'

# Times one export; prints "wall_s peak_mb".
timed() {
  /usr/bin/time -f 'TIME %e %M' -o "$work/time" "$@" >&2
  local wall peak
  read -r _ wall peak < "$work/time"
  echo "$wall $(( peak / 1024 ))"
}

echo "| backend | format | rows | wall (s) | rows/s | peak RSS (MB) | file (MB) |"
echo "|---|---|---|---|---|---|---|"
for backend in "${backends[@]}"; do
  log "--- $backend"
  case $backend in
    sqlite) url="sqlite://$work/komhen.db"; rm -f "$work"/komhen.db* ;;
    postgres)
      psql "$pg" -qc "DROP DATABASE IF EXISTS $pg_db" -c "CREATE DATABASE $pg_db" >/dev/null
      url="${pg%/*}/$pg_db" ;;
  esac
  "$bin" demo --no-serve --size 1k --database-url "$url" >/dev/null 2>&1
  "$bin" import registrations "$file" --municipality 259 --database-url "$url" >/dev/null 2>&1
  name=$([ "$backend" = sqlite ] && echo SQLite || echo PostgreSQL)
  read -r wall peak <<< "$(timed "$bin" export registrations --municipality 259 "$weeks" \
    --output "$work/out.csv" --database-url "$url")"
  written=$(( $(wc -l < "$work/out.csv") - 1 ))
  if [ "$written" -lt "$rows" ]; then log "the CSV holds $written rows, fewer than the $rows imported"; exit 1; fi
  size=$(( $(stat -c %s "$work/out.csv") / 1000000 ))
  rate=$(awk -v r="$written" -v w="$wall" 'BEGIN { printf "%d", r / w }')
  echo "| $name | CSV | $written | $wall | $rate | $peak | $size |"
  if [ "$written" -le 1048575 ]; then
    read -r wall peak <<< "$(timed "$bin" export registrations --municipality 259 "$weeks" \
      --format xlsx --output "$work/out.xlsx" --database-url "$url")"
    size=$(( $(stat -c %s "$work/out.xlsx") / 1000000 ))
    rate=$(awk -v r="$written" -v w="$wall" 'BEGIN { printf "%d", r / w }')
    echo "| $name | XLSX | $written | $wall | $rate | $peak | $size |"
  fi
  rm -f "$work"/out.*
done
