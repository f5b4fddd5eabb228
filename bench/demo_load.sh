#!/usr/bin/env bash
# Times `komhen demo --no-serve` (reference data, set-up of 98 municipalities,
# generated registrations) at several sizes on SQLite and PostgreSQL, with
# peak memory. Usage: bench/demo_load.sh [sizes...]   (default: 250k 1M 5M)
# PostgreSQL: KOMHEN_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-250k 1M 5M}")
[ $# -eq 0 ] && sizes=(250k 1M 5M)
export PGOPTIONS="-c client_min_messages=warning"
pg="${KOMHEN_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
cargo build --release -p komhen --locked >/dev/null 2>&1
bin=target/release/komhen
work=$(mktemp -d)
printf '| backend | --size | rows stored | wall (s) | peak RSS (MB) |\n|---|---|---|---|---|\n'
for size in "${sizes[@]}"; do
  rm -f "$work"/komhen.db*
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" demo --no-serve --size "$size" \
    --database-url "sqlite://$work/komhen.db" > "$work/out" 2>/dev/null
  read -r wall rss < "$work/time"
  rows=$(grep -o '[0-9]* rækker' "$work/out" | cut -d' ' -f1)
  printf '| SQLite | %s | %s | %s | %s |\n' "$size" "$rows" "$wall" "$((rss / 1024))"

  psql "$pg" -qc "DROP DATABASE IF EXISTS komhen_bench" -c "CREATE DATABASE komhen_bench" >/dev/null
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" demo --no-serve --size "$size" \
    --database-url "${pg%/*}/komhen_bench" > "$work/out" 2>/dev/null
  read -r wall rss < "$work/time"
  rows=$(grep -o '[0-9]* rækker' "$work/out" | cut -d' ' -f1)
  printf '| PostgreSQL | %s | %s | %s | %s |\n' "$size" "$rows" "$wall" "$((rss / 1024))"
  psql "$pg" -qc "DROP DATABASE komhen_bench" >/dev/null
done
rm -rf "$work"
