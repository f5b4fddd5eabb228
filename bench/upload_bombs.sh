#!/usr/bin/env bash
# Uploads files built to exhaust memory to a running `komhen serve`, as a
# coordinator through the browser's upload form, and reads the server's
# peak memory (VmHWM in /proc) after each: a workbook with 30 million cells
# in one row, one with a shared text of 1 GB, a CSV file with one line of
# 10 million columns (crates/ingest/tests/bombs). Each must be refused with
# the Danish sentence naming its limit.
#
# Usage: bench/upload_bombs.sh
# Environment (defaults in brackets):
#   KOMHEN_BENCH_PROFILE   cargo profile of the binary       [release]
# The server runs on SQLite with the demo's set-up (`komhen demo --size 1k`).
# Raw output goes to stderr; the Markdown table to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=${KOMHEN_BENCH_PROFILE:-release}
log() { printf '%s\n' "$*" >&2; }
dir=$([ "$profile" = dev ] && echo debug || echo "$profile")
cargo build --profile "$profile" -p komhen --locked >&2
cargo build --profile "$profile" -p komhen-ingest --example bombs --locked >&2
bin=target/$dir/komhen
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"target/$dir/examples/bombs" "$work"
url="sqlite://$work/komhen.db"
"$bin" demo --no-serve --size 1k --database-url "$url" >/dev/null 2>&1
port=$((20000 + RANDOM % 20000))
base="http://127.0.0.1:$port"
KOMHEN_LOG=warn "$bin" serve --database-url "$url" --listen "127.0.0.1:$port" \
  --upload-dir "$work/uploads" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -s -o /dev/null "$base/log-ind" && break; sleep 0.1; done

jar="$work/cookies"
curl -s -o /dev/null -c "$jar" --data-urlencode "login=tovholder@koege.example" \
  --data-urlencode "password=komhen-demo" "$base/log-ind"
curl -s -b "$jar" -o "$work/page" "$base/kommune/259/indlaes"
csrf=$(grep -o 'name="csrf" value="[0-9a-f]*"' "$work/page" | head -1 | sed 's/.*value="//; s/"//')
[ -n "$csrf" ] || { log "could not log in"; exit 1; }

mb() { awk -v k="$(grep "^$1:" "/proc/$server/status" | awk '{print $2}')" 'BEGIN { printf "%.0f", k / 1024 }'; }
log "after start and login: peak $(mb VmHWM) MB"
printf '| file | size (MB) | answer | refusal | server peak (MB) | server after (MB) |\n|---|---|---|---|---|---|\n'
for case in "wide-row.xlsx|flere end 1.000 celler" \
            "long-string.xlsx|større end grænsen på 256 KB" \
            "wide-line.csv|flere end 1.000 kolonner"; do
  file=${case%%|*}; expected=${case#*|}
  status=$(curl -s -b "$jar" -o "$work/answer" -w '%{http_code}' \
    -F "csrf=$csrf" -F kind= -F "file=@$work/$file" "$base/kommune/259/indlaes")
  found=no; grep -q "$expected" "$work/answer" && found=yes
  size=$(awk -v b="$(stat -c %s "$work/$file")" 'BEGIN { printf "%.1f", b / 1048576 }')
  printf '| %s | %s | %s | %s | %s | %s |\n' "$file" "$size" "$status" "$found" "$(mb VmHWM)" "$(mb VmRSS)"
  [ "$found" = yes ] || { log "$file: refusal not found"; exit 1; }
done
