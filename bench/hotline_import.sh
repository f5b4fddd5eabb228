#!/usr/bin/env bash
# Importing a joint hotline's Asterisk queue_log: `komhen hotline import` of
# a generated log of N calls (default 250 000: a year of a line several
# times the reference line's volume, about 700 000 lines) into SQLite and
# into PostgreSQL, on a fresh migrated database with one line.
#
# The import runs as the administrator runs it: the whole file read and
# checked first (every call gathered from its events, every problem
# collected), then every call stored in one transaction. Wall time and peak
# memory come from /usr/bin/time; the stored calls are counted afterwards
# (all of them, exactly once), and a second import of the same file must
# add nothing.
#
# Usage: bench/hotline_import.sh
# Environment (defaults in brackets):
#   KOMHEN_BENCH_CALLS          calls in the file                 [250000]
#   KOMHEN_BENCH_BACKENDS       backends to run                   [sqlite postgres]
#   KOMHEN_BENCH_POSTGRES_URL   server for the bench database
#                               [postgres://postgres@127.0.0.1:5432/postgres]
#   CARGO_TARGET_DIR            where cargo builds                [target]
# Raw output goes to stderr; the Markdown table to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

calls=${KOMHEN_BENCH_CALLS:-250000}
read -r -a backends <<< "${KOMHEN_BENCH_BACKENDS:-sqlite postgres}"
pg="${KOMHEN_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
pg_db=komhen_bench_hotline
export PGOPTIONS="-c client_min_messages=warning"
log() { printf '%s\n' "$*" >&2; }

command -v /usr/bin/time >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq time >/dev/null; }

cargo build --release --locked -p komhen >/dev/null 2>&1
release="${CARGO_TARGET_DIR:-target}/release"
work=$(mktemp -d)
cleanup() {
  psql "$pg" -qc "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cp "$release/komhen" "$work/komhen"
bin="$work/komhen"

file="$work/queue_log"
log "--- generating $calls calls"
python3 bench/hotline_queue_log.py "$calls" > "$file"
lines=$(wc -l < "$file")
size_mb=$(( $(stat -c %s "$file") / 1000000 ))

# Runs the import on a fresh database; prints "wall_s peak_mb stored".
run() {
  local url=$1 count_cmd=$2
  "$bin" migrate --database-url "$url" >/dev/null 2>&1
  "$bin" hotline create --name "Bench" --database-url "$url" >/dev/null
  "$bin" hotline queues 1 hotline --database-url "$url" >/dev/null
  "$bin" hotline hours 1 --hverdage 08:00-20:00 --database-url "$url" >/dev/null
  /usr/bin/time -f 'TIME %e %M' -o "$work/time" \
    "$bin" hotline import 1 "$file" --database-url "$url" >&2
  local wall peak stored
  read -r _ wall peak < "$work/time"
  stored=$(eval "$count_cmd")
  if "$bin" hotline import 1 "$file" --database-url "$url" >/dev/null 2>&1; then
    log "the same file was imported twice"; exit 1
  fi
  echo "$wall $(( peak / 1024 )) $stored"
}

printf '%s calls, %s queue_log lines (%s MB).\n\n' "$calls" "$lines" "$size_mb"
echo "| backend | calls stored | wall (s) | calls/s | peak RSS (MB) |"
echo "|---|---|---|---|---|"
for backend in "${backends[@]}"; do
  log "--- $backend"
  case $backend in
    sqlite)
      db="$work/komhen.db"
      result=$(run "sqlite://$db" "sqlite3 '$db' 'SELECT COUNT(*) FROM hotline_calls'")
      ;;
    postgres)
      psql "$pg" -qc "DROP DATABASE IF EXISTS $pg_db" -c "CREATE DATABASE $pg_db" >/dev/null
      url="${pg%/*}/$pg_db"
      result=$(run "$url" "psql '$url' -Atc 'SELECT COUNT(*) FROM hotline_calls'")
      ;;
  esac
  read -r wall peak stored <<< "$result"
  rate=$(awk -v r="$stored" -v w="$wall" 'BEGIN { printf "%d", r / w }')
  name=$([ "$backend" = sqlite ] && echo SQLite || echo PostgreSQL)
  echo "| $name | $stored | $wall | $rate | $peak |"
  if [ "$stored" != "$calls" ]; then log "stored $stored of $calls calls"; exit 1; fi
done
