"""The three report queries of bench/report_load.sh in DuckDB and Polars.

Reads the registrations exported by the script (CSV: the columns the
queries need, test rows and uncommitted batches already left out), writes
them as Parquet, loads the Parquet into an in-memory DuckDB table and an
in-memory Polars DataFrame, and times each query there (median of
--repeat runs, loading not included). Then checks komhen's answers (its
`komhen report --format json` files) against DuckDB's: the total and every
group's inquiries must be equal, or the script fails.

Prints one line per query on stdout: `NAME DUCKDB_MS POLARS_MS`.
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

COLUMNS = {
    "municipality_code": pa.int32(),
    "day": pa.date32(),
    "unit_id": pa.int64(),
    "task_id": pa.int64(),
    "channel_code": pa.string(),
    "direction": pa.string(),
    "digital": pa.bool_(),
    "inquiry_type_code": pa.string(),
    "quantity": pa.int64(),
}


def median_ms(run, repeat):
    times = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--csv", required=True)
    p.add_argument("--parquet", required=True)
    p.add_argument("--repeat", type=int, default=10)
    p.add_argument("--from", dest="from_", required=True)
    p.add_argument("--to", required=True)
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

    d_from = datetime.date.fromisoformat(a.from_)
    d_to = datetime.date.fromisoformat(a.to)
    dates = f"day BETWEEN DATE '{a.from_}' AND DATE '{a.to}'"
    in_dates = pl.col("day").is_between(d_from, d_to)
    t = a.inquiry_type.replace("'", "")

    # Each query: DuckDB SQL and a Polars expression giving the same groups,
    # with the share the report shows (of the group or of the total).
    queries = {
        "overview": (
            f"""SELECT direction, channel_code, SUM(quantity) AS inquiries,
                       SUM(quantity) / SUM(SUM(quantity)) OVER (PARTITION BY direction) AS share
                FROM r WHERE municipality_code = {a.municipality} AND {dates}
                GROUP BY direction, channel_code""",
            lambda: df.filter((pl.col("municipality_code") == a.municipality) & in_dates)
            .group_by("direction", "channel_code")
            .agg(pl.col("quantity").sum().alias("inquiries"))
            .with_columns((pl.col("inquiries") / pl.col("inquiries").sum().over("direction"))
                          .alias("share")),
        ),
        "ranking": (
            f"""SELECT municipality_code, digital, SUM(quantity) AS inquiries,
                       SUM(quantity) / SUM(SUM(quantity)) OVER (PARTITION BY municipality_code)
                           AS share
                FROM r WHERE direction = 'in' AND {dates}
                GROUP BY municipality_code, digital""",
            lambda: df.filter((pl.col("direction") == "in") & in_dates)
            .group_by("municipality_code", "digital")
            .agg(pl.col("quantity").sum().alias("inquiries"))
            .with_columns((pl.col("inquiries")
                           / pl.col("inquiries").sum().over("municipality_code"))
                          .alias("share")),
        ),
        "pivot": (
            f"""SELECT task_id, channel_code, SUM(quantity) AS inquiries,
                       SUM(quantity) / SUM(SUM(quantity)) OVER () AS share
                FROM r WHERE inquiry_type_code = '{t}' AND {dates}
                GROUP BY task_id, channel_code""",
            lambda: df.filter((pl.col("inquiry_type_code") == t) & in_dates)
            .group_by("task_id", "channel_code")
            .agg(pl.col("quantity").sum().alias("inquiries"))
            .with_columns((pl.col("inquiries") / pl.col("inquiries").sum()).alias("share")),
        ),
    }

    komhen = dict(a.komhen)
    failed = False
    for name, (sql, polars_query) in queries.items():
        duck_ms, duck = median_ms(lambda: con.execute(sql).fetchall(), a.repeat)
        polars_ms, frame = median_ms(polars_query, a.repeat)
        duck_groups = sorted(row[2] for row in duck)
        polars_groups = sorted(frame["inquiries"].to_list())
        if duck_groups != polars_groups:
            print(f"MISMATCH {name}: DuckDB and Polars differ", file=sys.stderr)
            failed = True
        if name in komhen:
            with open(komhen[name]) as f:
                answer = json.load(f)
            k_total = answer["total"]["inquiries"]
            k_groups = sorted(row["inquiries"] for row in answer["rows"])
            d_total = sum(duck_groups)
            if k_total != d_total or k_groups != duck_groups:
                print(f"MISMATCH {name}: komhen total {k_total} in {len(k_groups)} groups, "
                      f"DuckDB {d_total} in {len(duck_groups)} groups", file=sys.stderr)
                failed = True
            else:
                print(f"{name}: komhen = DuckDB, total {k_total} in {len(k_groups)} groups",
                      file=sys.stderr)
        print(f"{name} {duck_ms:.1f} {polars_ms:.1f}", flush=True)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
