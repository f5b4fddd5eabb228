"""The report queries of bench/report_load.sh in DuckDB and Polars.

Reads the registrations exported by the script (CSV: the columns the
queries need, test rows and uncommitted batches already left out), writes
them as Parquet, loads the Parquet into an in-memory DuckDB table and an
in-memory Polars DataFrame, and times each query there (median of
--repeat runs, loading not included). Then checks komhen's answers (its
`komhen report --format json` files) against DuckDB's: the report must
group by the query's dimensions, and its total, every group (by its keys'
codes) with its inquiries, and every share must equal DuckDB's; Polars'
groups must equal DuckDB's too. Any difference fails the script.

Each query names the komhen dimensions its groups are keyed by; a DuckDB
row (and a Polars row) holds those keys first, in that order (the week as
two columns, ISO year and ISO week), then the inquiries and the share. The
keys are turned into the codes komhen's JSON answer has (`ingen` for a
registration without an inquiry type, completion or form, `JA`/`NEJ` for
the form, `ja`/`nej` for digital, `2026-W43` for a week), outside the
timed runs.

Prints one line per query on stdout, in the order asked for:
`NAME DUCKDB_MS POLARS_MS`.
"""

import argparse
import datetime
import json
import statistics
import sys
import time

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

# The export's columns (bench/report_load.sh, export_sql), in its order.
# completion_code is '' where a registration has none (as the engine's
# COALESCE); has_form is NULL where the form question does not apply.
COLUMNS = {
    "municipality_code": pa.int32(),
    "day": pa.date32(),
    "iso_year": pa.int32(),
    "iso_week": pa.int32(),
    "unit_id": pa.int64(),
    "task_id": pa.int64(),
    "channel_code": pa.string(),
    "direction": pa.string(),
    "digital": pa.bool_(),
    "inquiry_type_code": pa.string(),
    "completion_code": pa.string(),
    "has_form": pa.bool_(),
    "quantity": pa.int64(),
}

# A komhen dimension: the DuckDB/Polars columns it is keyed by, and the code
# komhen's JSON answer names a key with, from those columns' values.
DIMENSIONS = {
    "kommune": (["municipality_code"], lambda m: str(m)),
    "opgave": (["task_id"], lambda t: str(t)),
    "kanal": (["channel_code"], lambda c: c),
    "retning": (["direction"], lambda d: d),
    "digital": (["digital"], lambda d: "ja" if d else "nej"),
    "type": (["inquiry_type_code"], lambda t: t or "ingen"),
    "afslutning": (["completion_code"], lambda c: c or "ingen"),
    "blanket": (["has_form"], lambda f: "ingen" if f is None else ("JA" if f else "NEJ")),
    "uge": (["iso_year", "iso_week"], lambda y, w: f"{y}-W{w:02}"),
}

# Shares are the same divisions of the same whole numbers; a difference
# beyond rounding is a different answer.
SHARE_TOLERANCE = 1e-9


def median_ms(run, repeat):
    times = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def keyed(dims, rows, engine, name):
    """{codes: (inquiries, share)} of an engine's result rows (keys first,
    then inquiries and share); a key twice is an error."""
    out = {}
    for row in rows:
        codes = []
        i = 0
        for d in dims:
            columns, code = DIMENSIONS[d]
            codes.append(code(*row[i:i + len(columns)]))
            i += len(columns)
        codes = tuple(codes)
        if codes in out:
            raise SystemExit(f"{name}: {engine} has the group {codes} twice")
        out[codes] = (row[i], row[i + 1])
    return out


def differences(a_name, a, b_name, b):
    """What differs between two keyed answers (at most a few, with counts)."""
    out = []
    for k in sorted(a.keys() | b.keys()):
        x, y = a.get(k), b.get(k)
        if x is None or y is None or x[0] != y[0] or abs(x[1] - y[1]) > SHARE_TOLERANCE:
            out.append(f"{'/'.join(k)}: {a_name} {x}, {b_name} {y}")
    if len(out) > 5:
        out = out[:5] + [f"... {len(out) - 5} more"]
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--csv", required=True)
    p.add_argument("--parquet", required=True)
    p.add_argument("--repeat", type=int, default=10)
    p.add_argument("--from", dest="from_", required=True)
    p.add_argument("--to", required=True)
    p.add_argument("--span-from", required=True, help="the week pivot's first day")
    p.add_argument("--span-to", required=True, help="the week pivot's last day")
    p.add_argument("--municipality", type=int, required=True)
    p.add_argument("--inquiry-type", required=True)
    p.add_argument("--komhen", nargs=2, action="append", metavar=("NAME", "JSON"),
                   default=[], help="a query's name and komhen's JSON answer")
    a = p.parse_args()

    table = pacsv.read_csv(
        a.csv,
        read_options=pacsv.ReadOptions(column_names=list(COLUMNS)),
        convert_options=pacsv.ConvertOptions(
            column_types=COLUMNS, true_values=["1", "t", "true"],
            false_values=["0", "f", "false"], strings_can_be_null=False),
    )
    pq.write_table(table, a.parquet)
    del table

    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.execute(f"CREATE TABLE r AS SELECT * FROM read_parquet('{a.parquet}')")
    df = pl.read_parquet(a.parquet)
    rows = con.execute("SELECT COUNT(*) FROM r").fetchone()[0]
    print(f"parquet rows={rows} polars rows={df.height}", file=sys.stderr)
    # The stored ISO week (what the engine groups by) must be the day's: a
    # check of the store, not timed.
    wrong_weeks = con.execute(
        "SELECT COUNT(*) FROM r WHERE iso_year <> isoyear(day) OR iso_week <> week(day)"
    ).fetchone()[0]
    if wrong_weeks:
        raise SystemExit(f"{wrong_weeks} registrations have an ISO week other than their day's")

    def between(first, last):
        return (f"day BETWEEN DATE '{first}' AND DATE '{last}'",
                pl.col("day").is_between(datetime.date.fromisoformat(first),
                                         datetime.date.fromisoformat(last)))

    dates, in_dates = between(a.from_, a.to)
    span, in_span = between(a.span_from, a.span_to)
    t = a.inquiry_type.replace("'", "")

    def query(dims, where_sql, where_pl, share_of=None):
        """DuckDB SQL and a Polars expression grouping by the dimensions'
        columns (the report's share: of the total, or within `share_of`)."""
        cols = [c for d in dims for c in DIMENSIONS[d][0]]
        over = f"PARTITION BY {', '.join(share_of)}" if share_of else ""
        sql = (f"SELECT {', '.join(cols)}, SUM(quantity) AS inquiries, "
               f"SUM(quantity) / SUM(SUM(quantity)) OVER ({over}) AS share "
               f"FROM r WHERE {where_sql} GROUP BY {', '.join(cols)}")

        def polars_query():
            total = pl.col("inquiries").sum()
            return (df.filter(where_pl)
                    .group_by(*cols)
                    .agg(pl.col("quantity").sum().alias("inquiries"))
                    .with_columns((pl.col("inquiries")
                                   / (total.over(*share_of) if share_of else total))
                                  .alias("share")))
        return dims, sql, polars_query

    # The queries of bench/report_load.sh, by name.
    queries = {
        # kommune=M, period, grupper=retning,kanal, andel=gruppe
        "overview": query(["retning", "kanal"],
                          f"municipality_code = {a.municipality} AND {dates}",
                          (pl.col("municipality_code") == a.municipality) & in_dates,
                          share_of=["direction"]),
        # period, grupper=kommune,digital, retning=in, andel=gruppe
        "ranking": query(["kommune", "digital"], f"direction = 'in' AND {dates}",
                         (pl.col("direction") == "in") & in_dates,
                         share_of=["municipality_code"]),
        # period, grupper=opgave,kanal, type=T
        "pivot": query(["opgave", "kanal"], f"inquiry_type_code = '{t}' AND {dates}",
                       (pl.col("inquiry_type_code") == t) & in_dates),
        "pivot-task-channel-all": query(["opgave", "kanal"], dates, in_dates),
        "pivot-municipality-channel-direction": query(["kommune", "kanal", "retning"],
                                                      dates, in_dates),
        "pivot-direction-type": query(["retning", "type"], dates, in_dates),
        "pivot-type-completion": query(["type", "afslutning"], dates, in_dates),
        "pivot-week-channel": query(["uge", "kanal"], span, in_span),
        "pivot-form-channel": query(["blanket", "kanal"], dates, in_dates),
        "pivot-municipality-task": query(["kommune", "opgave"], dates, in_dates),
        "pivot-task-type-completion": query(["opgave", "type", "afslutning"],
                                            dates, in_dates),
    }

    unknown = [name for name, _ in a.komhen if name not in queries]
    if unknown:
        raise SystemExit(f"no DuckDB query for {', '.join(unknown)}")
    failed = False
    for name, path in a.komhen:
        dims, sql, polars_query = queries[name]
        print(f"{name}: {' '.join(sql.split())}", file=sys.stderr)
        duck_ms, duck = median_ms(lambda: con.execute(sql).fetchall(), a.repeat)
        polars_ms, frame = median_ms(polars_query, a.repeat)
        duck_groups = keyed(dims, duck, "DuckDB", name)
        polars_groups = keyed(dims, frame.rows(), "Polars", name)
        for line in differences("DuckDB", duck_groups, "Polars", polars_groups):
            print(f"MISMATCH {name}: {line}", file=sys.stderr)
            failed = True
        with open(path) as f:
            answer = json.load(f)
        k_dims = [d["code"] for d in answer["dimensions"]]
        if k_dims != dims:
            print(f"MISMATCH {name}: komhen groups by {k_dims}, DuckDB by {dims}",
                  file=sys.stderr)
            failed = True
        k_groups = {}
        for row in answer["rows"]:
            codes = tuple(k["code"] for k in row["keys"])
            if codes in k_groups:
                print(f"MISMATCH {name}: komhen has the group {codes} twice", file=sys.stderr)
                failed = True
            k_groups[codes] = (row["inquiries"], row["share"])
        k_total = answer["total"]["inquiries"]
        d_total = sum(i for i, _ in duck_groups.values())
        problems = differences("komhen", k_groups, "DuckDB", duck_groups)
        if k_total != d_total or problems:
            print(f"MISMATCH {name}: komhen total {k_total} in {len(k_groups)} groups, "
                  f"DuckDB {d_total} in {len(duck_groups)} groups", file=sys.stderr)
            for line in problems:
                print(f"MISMATCH {name}: {line}", file=sys.stderr)
            failed = True
        else:
            print(f"{name}: komhen = DuckDB = Polars, total {k_total} in {len(k_groups)} "
                  f"groups", file=sys.stderr)
        print(f"{name} {duck_ms:.1f} {polars_ms:.1f}", flush=True)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
