#!/usr/bin/env bash
# What cost adds to a report: the same national and municipal reports with
# and without `omkostning=ja`, on a demo database per backend, timed inside
# the engine by `komhen report QUERY --repeat N` (median of N; the first
# run warms the caches and counts too). Three price situations: the demo's
# national example prices only (the engine keeps the channel column), plus
# an own price of one municipality (it also keeps the municipality), plus
# an own price starting within the dates (and the day).
#
# Usage: bench/cost_report.sh
# Environment (defaults in brackets):
#   KOMHEN_BENCH_BACKENDS      backends to run           [sqlite postgres]
#   KOMHEN_BENCH_SIZE          demo size                 [1M]
#   KOMHEN_BENCH_REPEAT        runs per report           [10]
#   KOMHEN_BENCH_POSTGRES_URL  server for the PostgreSQL demo
#                              [postgres://postgres@127.0.0.1:5432/postgres]
# Prints a Markdown table on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
read -r -a backends <<< "${KOMHEN_BENCH_BACKENDS:-sqlite postgres}"
size=${KOMHEN_BENCH_SIZE:-1M}
repeat=${KOMHEN_BENCH_REPEAT:-10}
pg="${KOMHEN_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export PGOPTIONS="-c client_min_messages=warning" KOMHEN_LOG=warn

cargo build --release -p komhen --locked >/dev/null 2>&1
work=$(mktemp -d)
cp target/release/komhen "$work/komhen"
bin="$work/komhen"
cleanup() { psql "$pg" -qc "DROP DATABASE IF EXISTS komhen_bench_cost" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

# The median of a report's runs, in ms.
median_ms() {
  "$bin" report "$1" --repeat "$repeat" --format csv --database-url "$url" 2>&1 >/dev/null \
    | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p'
}

echo "| backend | prices | report | without cost (ms) | with cost (ms) | ratio |"
echo "|---|---|---|---|---|---|"
for backend in "${backends[@]}"; do
  case "$backend" in
    sqlite) url="sqlite://$work/komhen.db" ;;
    postgres)
      psql "$pg" -qc "DROP DATABASE IF EXISTS komhen_bench_cost" -c "CREATE DATABASE komhen_bench_cost" >/dev/null
      url="${pg%/*}/komhen_bench_cost" ;;
  esac
  "$bin" demo --no-serve --size "$size" --database-url "$url" >/dev/null 2>&1
  dates="fra=2025-01-01&til=2026-12-31"
  for prices in national own own-mid; do
    case "$prices" in
      own) "$bin" prices set --municipality 259 --channel TLFIND --from 2025-01-01 --amount 20 --source bench --database-url "$url" >/dev/null ;;
      own-mid) "$bin" prices set --municipality 259 --channel TLFIND --from 2025-11-01 --amount 25 --source bench --database-url "$url" >/dev/null ;;
    esac
    for report in "grupper=kanal" "grupper=opgave,kanal" "kommune=259&grupper=enhed"; do
      plain=$(median_ms "$dates&$report")
      costed=$(median_ms "$dates&$report&omkostning=ja")
      ratio=$(awk -v a="$costed" -v b="$plain" 'BEGIN{printf "%.2f", a / b}')
      echo "| $backend | $prices | \`$report\` | $plain | $costed | $ratio |"
    done
  done
done
