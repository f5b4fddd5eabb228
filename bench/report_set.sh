# The report set of bench/report_load.sh and bench/scale.sh, and their loop
# over backends. Sourced, not run.
#
# The demo's later counting period (autumn 2026, weeks 43-45), the span of
# both its years (for the week pivot) and the queries, as report links
# (docs/reports.md); bench/report_load.py has each one's DuckDB and Polars
# query under the same name.
from=2026-10-19
to=2026-11-08
span_from=2025-01-01
span_to=2026-12-31
municipality=259
inquiry_type=VEJL
period="fra=$from&til=$to"
declare -A queries=(
  [overview]="kommune=$municipality&$period&grupper=retning,kanal&andel=gruppe"
  [ranking]="$period&grupper=kommune,digital&retning=in&andel=gruppe"
  [pivot]="$period&grupper=opgave,kanal&type=$inquiry_type"
  [pivot-task-channel-all]="$period&grupper=opgave,kanal"
  [pivot-municipality-channel-direction]="$period&grupper=kommune,kanal,retning"
  [pivot-direction-type]="$period&grupper=retning,type"
  [pivot-type-completion]="$period&grupper=type,afslutning"
  [pivot-week-channel]="fra=$span_from&til=$span_to&grupper=uge,kanal"
  [pivot-form-channel]="$period&grupper=blanket,kanal"
  [pivot-municipality-task]="$period&grupper=kommune,opgave"
  [pivot-task-type-completion]="$period&grupper=opgave,type,afslutning"
)
names=(overview ranking pivot pivot-task-channel-all pivot-municipality-channel-direction
  pivot-direction-type pivot-type-completion pivot-week-channel pivot-form-channel
  pivot-municipality-task pivot-task-type-completion)

# run_size SIZE BACKEND...: the caller's `bench NAME SIZE URL` on a fresh
# database of each backend (SQLite in $work, PostgreSQL $pg_db on $pg),
# dropped afterwards.
run_size() {
  local size=$1 backend
  shift
  for backend in "$@"; do
    case $backend in
      sqlite)
        rm -f "$work"/komhen.db*
        bench SQLite "$size" "sqlite://$work/komhen.db"
        rm -f "$work"/komhen.db*
        ;;
      postgres)
        psql "$pg" -qc "DROP DATABASE IF EXISTS $pg_db" -c "CREATE DATABASE $pg_db" >/dev/null
        bench PostgreSQL "$size" "${pg%/*}/$pg_db"
        psql "$pg" -qc "DROP DATABASE $pg_db" >/dev/null
        ;;
    esac
    log "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  done
}
