#!/usr/bin/env bash
# Builds every fuzz target of komhen-ingest and runs each for a short while
# (FUZZ_SECONDS, 20 by default) from a corpus made of the test fixtures, in
# a temporary folder. Exits non-zero when a target does not build or finds
# anything: a panic, a run longer than 10 s on one input, or more than
# 2 GB of memory. A finding's input is kept in fuzz/artifacts/<target>/.
#
# Runs on the stable toolchain: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass the
# unstable flags (-Z sanitizer=address) that libFuzzer builds need.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data="$here/../tests/data"
seconds="${FUZZ_SECONDS:-20}"
targets=(codebook_csv codebook_xlsx landkort matomo asterisk queue_log calls text totals)
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

cd "$here"
cargo fuzz build

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Seeds: the fixtures each reader takes, and every input a target once
# failed on (tests/data/fuzz/, replayed first).
seed() {
    local target="$1"
    shift
    mkdir -p "$work/corpus/$target"
    cp "$@" "$work/corpus/$target/"
}
cat >"$work/codebook.csv" <<'CSV'
Kommune;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato;Tidspunkt;Antal;Varighed
259;259sek;27.24.00;tlfind;VEJL;STRAKS;NEJ;21-10-2025;10:15;1.234;12,5
259;;15.20;WEB;NULL;null;;21.10.2025;;;
259;NULL;29.03.99;DOKUD;;;NULL;2025-10-21;;;
CSV
printf 'Kanal;Fra;Til;Antal\r\nTelefon, indg\xc3\xa5ende;01-10-2025;31-10-2025;1.234\r\n' \
    >"$work/channels.csv"
printf 'Kommune;Fra;Til;Antal\r\n259;01-10-2025;31-10-2025;1.234\r\n' >"$work/municipalities.csv"
cat >"$work/calls.csv" <<'CSV'
opkald;kø;ankomst;besvaret;slut;udfald;medarbejder
1001;hotline;2026-03-02 08:00:00;2026-03-02 08:00:42;2026-03-02T08:05:42;besvaret;Anne
1002;hotline;02-03-2026 08:10;;02-03-2026 08:10:30;opgivet;
1006;hotline;2026-03-02 09:20:00;;;ukendt;
CSV
printf 'CallID,Queue,Arrival,Answered,End,Outcome,Agent\r\na,q,2026-03-02 08:00:00,2026-03-02 08:00:10,2026-03-02 08:01:00,ANSWERED,SIP/1\r\n' \
    >"$work/calls_en.csv"
found() { find "$data/fuzz" -type f -name "$1" -print0 | xargs -0 -r cp -t "$2"; }

seed codebook_csv "$work/codebook.csv" "$data/landkort_csv_upload_skabelon.csv"
seed codebook_xlsx "$data"/fuzz/*.xlsx
seed landkort "$data"/koege_*.csv "$data/landkort_csv_upload_skabelon.csv"
seed matomo "$data"/matomo_*.csv
seed asterisk "$data"/asterisk_*.csv
seed queue_log "$data/queue_log_sample"
seed calls "$work/calls.csv" "$work/calls_en.csv"
seed text "$data"/*.csv
seed totals "$work/channels.csv" "$work/municipalities.csv"
for target in "${targets[@]}"; do
    found "$target-*" "$work/corpus/$target"
done

failed=()
for target in "${targets[@]}"; do
    extra=()
    if [ "$target" = codebook_xlsx ]; then
        extra=(-max_len=200000)
    fi
    log="$work/$target.log"
    start=$SECONDS
    if cargo fuzz run "$target" "$work/corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        "${extra[@]}" >"$log" 2>&1; then
        runs="$(grep -o 'number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || true)"
        cov="$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$' || true)"
        echo "fuzz $target: ok, $((SECONDS - start)) s, ${runs:-?} runs, cov ${cov:-?}"
    else
        echo "fuzz $target: FOUND SOMETHING (its input is in fuzz/artifacts/$target/):"
        grep -v '^ *[0-9]*: \|^ *at ' "$log" | tail -n 40
        failed+=("$target")
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz: findings in ${failed[*]}"
    exit 1
fi
echo "fuzz: ${#targets[@]} targets ran ${seconds} s each, nothing found"
