#!/usr/bin/env python3
"""The readers of bench/mixed_load.sh: simulated analysts and portal visitors.

Two subcommands:

  run    (needs aiohttp) Logs the analysts in, checks every kind of address
         it will use once (status 200, the expected content type, not the
         login page or an error page), writes the --ready file, then runs
         the analysts and visitors as asyncio tasks: a warm-up until the
         --go file appears, then --seconds measured. Each simulated user
         sends one request, reads the whole body, thinks (uniformly 0.5-1.5
         times the mean think time) and sends the next. A request counts if
         it was sent in the measured window. Writes the latencies per kind
         (and per route) as JSON to --out; raw notes go to stderr.
  table  (standard library only) Prints the Markdown table of one backend
         from the client's JSON, wrk's RESULT line and the row check, and
         exits 1 if anything failed (lost or doubled rows, a 5xx, any other
         failed request, a dead server).

Kinds of request:
  figures   an analyst's figures pages: /kommune/K/tal (the default period
            or the last 7 days, which the registrations are going into),
            the report bank and its standard reports, the drill-down list
  pivot     /kommune/K/tal/pivot with several groupings and measures, and
            the JSON API /api/v1/report (the national analyst also for the
            whole country)
  extract   /kommune/K/tal/udtraek.csv (the default period, or everything
            since 2025) and .xlsx, the whole body read
  portal    an anonymous visitor: /, /kommuner, /kommuner/K, /rangliste
            (and a task's ranking), /landstal, /api/v1/public/metrics,
            /api/v1/public/periods

Analysts: the national analyst (analytiker@komhen.example, any
municipality) and Køge's analyst and coordinator (municipality 259), taken
in turn; the same user logged in several times gets a session each.
"""

import argparse
import asyncio
import datetime
import html
import json
import math
import os
import random
import re
import sys
import time

KINDS = ["figures", "pivot", "extract", "portal"]
PASSWORD = "komhen-demo"
NATIONAL = "analytiker@komhen.example"
LOCAL_USERS = ["analytiker@koege.example", "tovholder@koege.example"]
HOME = "259"  # Køge, the local analysts' municipality
HTML, JSON, CSV, XLSX = "text/html", "application/json", "text/csv", "application/vnd.openxmlformats"


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# The addresses. Each template: (kind, route label, weight, who, build),
# build(rng, ctx, user) -> (url, expected content type). `who` is
# "national", "local", "any" (either analyst) or "visitor".

PIVOTS = [
    ("opgave", "kanal", "antal"),
    ("enhed", "retning", "antal"),
    ("kanal", "", "andel"),
    ("uge", "digital", "antal"),
    ("type", "afslutning", "raekkeandel"),
    ("time", "kanal", "antal"),
    ("enhed", "kanal", "median"),
]
API_GROUPINGS = ["opgave,kanal", "kanal", "retning,kanal", "type,digital", "enhed,kanal", "uge,digital"]
NATIONAL_GROUPINGS = ["kommune,digital", "opgave,kanal", "kanal"]


def recent(ctx):
    """fra/til of the last 7 days: the figures the registrations go into."""
    today = datetime.date.today()
    return f"fra={today - datetime.timedelta(days=6)}&til={today}"


def muni(rng, ctx, user):
    return rng.choice(ctx["codes"]) if user["national"] else HOME


TEMPLATES = [
    # figures
    ("figures", "/kommune/K/tal", 3, "any", lambda r, c, u: (f"/kommune/{muni(r, c, u)}/tal", HTML)),
    ("figures", "/kommune/K/tal?last 7 days", 1, "any",
     lambda r, c, u: (f"/kommune/{muni(r, c, u)}/tal?{recent(c)}", HTML)),
    ("figures", "/kommune/K/tal/rapporter", 1, "any", lambda r, c, u: (f"/kommune/{muni(r, c, u)}/tal/rapporter", HTML)),
    ("figures", "/kommune/K/tal/rapporter/R", 3, "any",
     lambda r, c, u: (f"/kommune/{muni(r, c, u)}/tal/rapporter/{r.choice(c['reports'])}", HTML)),
    ("figures", "/kommune/K/tal/registreringer", 1, "any",
     lambda r, c, u: (f"/kommune/{muni(r, c, u)}/tal/registreringer", HTML)),
    # pivot
    ("pivot", "/kommune/K/tal/pivot", 4, "any", lambda r, c, u: pivot_url(r, c, u)),
    ("pivot", "/api/v1/report?kommune=K", 2, "any",
     lambda r, c, u: (f"/api/v1/report?kommune={muni(r, c, u)}&grupper={r.choice(API_GROUPINGS)}", JSON)),
    ("pivot", "/api/v1/report (whole country)", 1, "national",
     lambda r, c, u: (f"/api/v1/report?grupper={r.choice(NATIONAL_GROUPINGS)}", JSON)),
    # extract
    ("extract", "/kommune/K/tal/udtraek.csv", 3, "any",
     lambda r, c, u: (f"/kommune/{muni(r, c, u)}/tal/udtraek.csv", CSV)),
    ("extract", "/kommune/K/tal/udtraek.csv?since 2025", 1, "any",
     lambda r, c, u: (f"/kommune/{muni(r, c, u)}/tal/udtraek.csv?fra=2025-01-01&til={datetime.date.today()}", CSV)),
    ("extract", "/kommune/K/tal/udtraek.xlsx", 1, "any",
     lambda r, c, u: (f"/kommune/{muni(r, c, u)}/tal/udtraek.xlsx", XLSX)),
    # portal
    ("portal", "/", 2, "visitor", lambda r, c, u: ("/", HTML)),
    ("portal", "/kommuner", 2, "visitor", lambda r, c, u: ("/kommuner", HTML)),
    ("portal", "/kommuner/K", 5, "visitor", lambda r, c, u: (f"/kommuner/{r.choice(c['codes'])}", HTML)),
    ("portal", "/rangliste", 1, "visitor", lambda r, c, u: ("/rangliste", HTML)),
    ("portal", "/rangliste?periode=P&opgave=T", 1, "visitor", lambda r, c, u: (r.choice(c["rankings"]), HTML)),
    ("portal", "/landstal", 1, "visitor", lambda r, c, u: ("/landstal", HTML)),
    ("portal", "/api/v1/public/metrics?periode=P", 1, "visitor",
     lambda r, c, u: (f"/api/v1/public/metrics?periode={r.choice(c['periods'])}", JSON)),
    ("portal", "/api/v1/public/metrics?periode=P&kommune=K", 1, "visitor",
     lambda r, c, u: (f"/api/v1/public/metrics?periode={r.choice(c['periods'])}&kommune={r.choice(c['codes'])}", JSON)),
    ("portal", "/api/v1/public/periods", 1, "visitor", lambda r, c, u: ("/api/v1/public/periods", JSON)),
]
# How often an analyst turns to each kind.
ANALYST_KINDS = {"figures": 0.45, "pivot": 0.35, "extract": 0.20}


def pivot_url(rng, ctx, user):
    rows, cols, measure = rng.choice(PIVOTS)
    q = f"raekker={rows}&kolonner={cols}&maal={measure}"
    if rng.random() < 0.25:
        q += "&" + recent(ctx)
    return f"/kommune/{muni(rng, ctx, user)}/tal/pivot?{q}", HTML


def templates_for(user):
    if user is None:
        return [t for t in TEMPLATES if t[3] == "visitor"]
    return [t for t in TEMPLATES if t[3] == "any" or (t[3] == "national" and user["national"])]


# --------------------------------------------------------------------------
# run


class Clock:
    """The measured window, [go, end) on time.monotonic(); unknown until the
    go file appears."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.go = None
        self.end = None

    def start(self):
        self.go = time.monotonic()
        self.end = self.go + self.seconds

    def measures(self, t):
        return self.go is not None and self.go <= t < self.end

    def over(self, t):
        return self.end is not None and t >= self.end


class Samples:
    def __init__(self):
        self.rows = []  # (kind, route, latency ms, status or error, bytes)
        self.warmup = 0


async def fetch(session, url, samples, clock, kind, route):
    import aiohttp

    t0 = time.monotonic()
    status, size = None, 0
    try:
        async with session.get(url, allow_redirects=False) as r:
            status = r.status
            async for chunk in r.content.iter_chunked(1 << 16):
                size += len(chunk)
    except asyncio.TimeoutError:
        status = "timeout"
    except aiohttp.ClientError as e:
        status = type(e).__name__
    ms = (time.monotonic() - t0) * 1000
    if clock.measures(t0):
        samples.rows.append((kind, route, ms, status, size))
    else:
        samples.warmup += 1
    return status


async def user_loop(session, user, ctx, rng, think, clock, samples):
    templates = templates_for(user)
    by_kind = {}
    for t in templates:
        by_kind.setdefault(t[0], []).append(t)
    kinds = [k for k in ANALYST_KINDS if k in by_kind] if user else ["portal"]
    weights = [ANALYST_KINDS[k] for k in kinds] if user else [1]
    await asyncio.sleep(rng.uniform(0, think))  # users do not start together
    while not clock.over(time.monotonic()):
        kind = rng.choices(kinds, weights)[0]
        options = by_kind[kind]
        t = rng.choices(options, [o[2] for o in options])[0]
        url, _ = t[4](rng, ctx, user)
        await fetch(session, ctx["base"] + url, samples, clock, kind, t[1])
        pause = think * rng.uniform(0.5, 1.5)
        if clock.over(time.monotonic() + pause):
            break
        await asyncio.sleep(pause)


async def log_in(aiohttp, base, login, timeout):
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar(), timeout=timeout) as s:
        async with s.post(base + "/log-ind", data={"login": login, "password": PASSWORD},
                          allow_redirects=False) as r:
            await r.read()
            cookie = r.cookies.get("komhen_session")
            if r.status != 303 or cookie is None or not cookie.value:
                raise SystemExit(f"logging in {login} failed: {r.status}, cookie {cookie!r}")
            return cookie.value


def is_error_page(text):
    m = re.search(r"<title>([^<]*)", text)
    title = m.group(1) if m else ""
    return not m or title.startswith(("Log ind", "Siden ", "Der opstod"))


async def check(session, base, url, expect):
    """One request of an address the load will use: it must answer 200
    with the expected content type, and an HTML page must not be an error
    or the login page. Returns a problem or None."""
    async with session.get(base + url, allow_redirects=False) as r:
        body = await r.read()
        ctype = r.headers.get("Content-Type", "")
        if r.status != 200:
            return f"{r.status} {url}"
        if not ctype.startswith(expect):
            return f"content type {ctype!r}, not {expect}: {url}"
        if not body:
            return f"empty body: {url}"
        if expect == HTML and is_error_page(body.decode("utf-8", "replace")):
            return f"error or login page: {url}"
        if expect == JSON:
            json.loads(body)
    return None


async def discover(session, base):
    """Municipality codes, ranking links and periods from the portal; the
    standard reports from the report bank (via an analyst's session)."""
    async with session.get(base + "/kommuner") as r:
        page = await r.text()
    codes = sorted(set(re.findall(r'href="/kommuner/(\d+)"', page)), key=int)
    async with session.get(base + "/rangliste") as r:
        page = await r.text()
    rankings = sorted({html.unescape(h) for h in re.findall(r'href="(/rangliste\?periode=[^"]*opgave=[^"]*)"', page)})
    async with session.get(base + "/api/v1/public/periods") as r:
        periods = [str(p["id"]) for p in (await r.json())["periods"]]
    if not codes or not rankings or not periods:
        raise SystemExit(f"portal discovery failed: {len(codes)} municipalities, "
                         f"{len(rankings)} ranking links, {len(periods)} published periods")
    return {"codes": codes, "rankings": rankings, "periods": periods}


async def run(args):
    import aiohttp

    base = args.base.rstrip("/")
    timeout = aiohttp.ClientTimeout(total=args.timeout)
    clock = Clock(args.seconds)
    samples = Samples()

    def session(cookie=None):
        headers = {"Cookie": f"komhen_session={cookie}"} if cookie else {}
        return aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar(), timeout=timeout, headers=headers,
                                     connector=aiohttp.TCPConnector(limit=2))

    users = []
    for i in range(args.analysts):
        login = NATIONAL if i % 3 == 0 else LOCAL_USERS[(i // 3 + i) % 2]
        users.append({"login": login, "national": login == NATIONAL,
                      "cookie": await log_in(aiohttp, base, login, timeout)})
    log(f"client: {len(users)} analyst sessions: "
        + ", ".join(f"{sum(u['login'] == l for u in users)} {l}" for l in [NATIONAL] + LOCAL_USERS))
    sessions = [session(u["cookie"]) for u in users] + [session() for _ in range(args.visitors)]
    probe = session()
    try:
        ctx = await discover(probe, base)
        ctx["base"] = base
        ctx["reports"] = []
        if users:
            async with sessions[0].get(base + f"/kommune/{HOME}/tal/rapporter") as r:
                page = await r.text()
            ctx["reports"] = sorted(set(re.findall(rf'href="/kommune/{HOME}/tal/rapporter/([a-z0-9-]+)', page)))
            if not ctx["reports"]:
                raise SystemExit("no standard report found on the report bank")
        log(f"client: {len(ctx['codes'])} municipalities, {len(ctx['rankings'])} ranking links, "
            f"periods {ctx['periods']}, reports {ctx['reports']}")

        # Every kind of address once before the load, with several of the
        # values it draws from (municipality, grouping, ...), and every
        # standard report: as a visitor, the national analyst and a local
        # one.
        problems, checked = [], 0
        checkers = [(None, probe)]
        for national in (True, False):
            i = next((i for i, u in enumerate(users) if u["national"] == national), None)
            if i is not None:
                checkers.append((users[i], sessions[i]))
        for user, s in checkers:
            for t in templates_for(user):
                urls = {t[4](random.Random(seed), ctx, user) for seed in range(6)}
                if t[1] == "/kommune/K/tal/rapporter/R":
                    urls |= {(f"/kommune/{HOME}/tal/rapporter/{rep}", HTML) for rep in ctx["reports"]}
                for url, expect in sorted(urls):
                    checked += 1
                    p = await check(s, base, url, expect)
                    if p:
                        problems.append(f"{user['login'] if user else 'visitor'}: {p}")
        if problems:
            log("client: addresses that do not work:")
            for p in problems:
                log("  " + p)
            raise SystemExit(2)
        log(f"client: {checked} addresses checked, all 200")

        with open(args.ready, "w") as f:
            f.write("ready\n")

        async def watch_go():
            while not os.path.exists(args.go):
                await asyncio.sleep(0.01)
            clock.start()
            log("client: measuring")

        tasks = [asyncio.create_task(watch_go())]
        for i, s in enumerate(sessions):
            user = users[i] if i < len(users) else None
            think = args.analyst_think if user else args.visitor_think
            tasks.append(asyncio.create_task(
                user_loop(s, user, ctx, random.Random(args.seed * 100003 + i), think, clock, samples)))
        await asyncio.gather(*tasks)
        wall = time.monotonic() - clock.go
    finally:
        for s in sessions + [probe]:
            await s.close()

    out = {"seconds": args.seconds, "wall_seconds": round(wall, 2), "analysts": args.analysts,
           "visitors": args.visitors, "warmup_requests": samples.warmup, "kinds": {}, "routes": {}}
    for key, pick in (("kinds", lambda r: r[0]), ("routes", lambda r: f"{r[0]} {r[1]}")):
        groups = {}
        for r in samples.rows:
            groups.setdefault(pick(r), []).append(r)
        out[key] = {g: summarize(rows, args.seconds) for g, rows in sorted(groups.items())}
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
    log(f"client: {len(samples.rows)} requests measured, {samples.warmup} in the warm-up; "
        f"last answer {wall - args.seconds:.1f} s after the window")


def percentile(sorted_ms, p):
    """Nearest rank."""
    if not sorted_ms:
        return 0.0
    return sorted_ms[max(0, math.ceil(p / 100 * len(sorted_ms)) - 1)]


def summarize(rows, seconds):
    ms = sorted(r[2] for r in rows)
    statuses = {}
    for r in rows:
        statuses[str(r[3])] = statuses.get(str(r[3]), 0) + 1
    return {
        "requests": len(rows),
        "rps": len(rows) / seconds,
        "p50_ms": percentile(ms, 50),
        "p90_ms": percentile(ms, 90),
        "p99_ms": percentile(ms, 99),
        "max_ms": ms[-1] if ms else 0.0,
        "mb": sum(r[4] for r in rows) / 1e6,
        "statuses": statuses,
        "non2xx": sum(n for s, n in statuses.items() if not (s.isdigit() and 200 <= int(s) < 300)),
    }


# --------------------------------------------------------------------------
# table


def table(args):
    c = json.load(open(args.client))
    w = dict(kv.split("=", 1) for kv in args.wrk.split()[1:])
    rows = list(map(int, args.rows.split()))
    warm = list(map(int, args.warm_rows.split()))
    name = "SQLite" if args.backend == "sqlite" else "PostgreSQL"
    failures = []

    secs = float(w["secs"])
    sock = sum(int(w[k]) for k in ("connect", "read", "write", "timeout"))
    reg_errors = int(w["other"]) + sock
    statuses = w["statuses"]
    print(f"### {name}")
    print()
    print(f"{args.seconds} s measured after a {args.warmup} s warm-up; registrations at {args.rate}/s from "
          f"{args.units} logged-in units ({args.connections} wrk connections, {args.threads} threads), "
          f"{c['analysts']} analysts (~{args.analyst_think} s think time), {c['visitors']} visitors "
          f"(~{args.visitor_think} s); load average at the start {args.load}.")
    print()
    print("| kind | requests | req/s | p50 ms | p99 ms | max ms | non-2xx |")
    print("|---|---|---|---|---|---|---|")
    reg_non = str(reg_errors)
    if reg_errors:
        detail = [statuses] if statuses != "none" else []
        detail += [f"{k}:{w[k]}" for k in ("connect", "read", "write", "timeout") if int(w[k])]
        reg_non += f" ({', '.join(detail)})"
    print(f"| registrations | {w['requests']} | {int(w['ok303']) / secs:.1f} "
          f"| {float(w['p50_ms']):.1f} | {float(w['p99_ms']):.1f} | {float(w['max_ms']):.1f} | {reg_non} |")
    for kind in KINDS:
        k = c["kinds"].get(kind)
        if k is None:
            print(f"| {kind} | 0 | – | – | – | – | – |")
            continue
        non = str(k["non2xx"])
        if k["non2xx"]:
            non += " (" + ", ".join(f"{s}:{n}" for s, n in sorted(k["statuses"].items())
                                    if not (s.isdigit() and 200 <= int(s) < 300)) + ")"
        print(f"| {kind} | {k['requests']} | {k['rps']:.1f} | {k['p50_ms']:.1f} | {k['p99_ms']:.1f} "
              f"| {k['max_ms']:.1f} | {non} |")
    stored, answered, lost, doubled, extra = rows
    print()
    print(f"Registrations: {w['ok303']} answered 303 in {secs:.1f} s (target {args.rate}/s); "
          f"{w['late']} sends more than 100 ms behind schedule (max lag {float(w['max_lag_ms']):.0f} ms). "
          f"Rows stored / 303 answers: {stored} / {answered}, lost {lost}, doubled {doubled}, "
          f"stored but unanswered {extra} (≤ {w['inflight']} in flight at wrk's stop); "
          f"warm-up: {warm[0]} / {warm[1]}, lost {warm[2]}, doubled {warm[3]}, unanswered {warm[4]}.")
    print()
    print("Columns: registrations are POST /registrering by wrk; req/s counts the 303 answers, non-2xx the other "
          "answers, socket errors and timeouts; latency from wrk's send to the answer. The others: the "
          "readers' requests sent in the measured window; latency to the end of the body.")

    if lost or doubled or warm[2] or warm[3]:
        failures.append(f"rows lost {lost + warm[2]}, doubled {doubled + warm[3]}")
    if reg_errors:
        failures.append(f"{reg_errors} registrations not answered 303 ({statuses}, socket errors/timeouts {sock})")
    if re.search(r"(^|,)5\d\d", statuses):
        failures.append("5xx answers to registrations")
    for kind, k in c["kinds"].items():
        fives = sum(n for s, n in k["statuses"].items() if s.startswith("5"))
        if fives:
            failures.append(f"{fives} 5xx answers to {kind}")
        if k["non2xx"] - fives:
            failures.append(f"{k['non2xx'] - fives} other failed {kind} requests")
    expected = (["figures", "pivot", "extract"] if c["analysts"] else []) + (["portal"] if c["visitors"] else [])
    missing = [k for k in expected if not c["kinds"].get(k, {}).get("requests")]
    if missing:
        failures.append("no measured requests of " + ", ".join(missing))
    if args.server_alive != "1":
        failures.append("the server was no longer running at the end")
    print()
    print("Result: " + ("passed" if not failures else "FAILED: " + "; ".join(failures)))
    print()
    return 1 if failures else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--base", required=True)
    r.add_argument("--seconds", type=float, required=True)
    r.add_argument("--analysts", type=int, default=20)
    r.add_argument("--visitors", type=int, default=50)
    r.add_argument("--analyst-think", type=float, default=2.0)
    r.add_argument("--visitor-think", type=float, default=3.0)
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--timeout", type=float, default=60)
    r.add_argument("--ready", required=True)
    r.add_argument("--go", required=True)
    r.add_argument("--out", required=True)
    t = sub.add_parser("table")
    for a in ("client", "wrk", "rows", "warm-rows", "backend", "rate", "seconds", "warmup", "units",
              "connections", "threads", "analyst-think", "visitor-think", "load", "server-alive"):
        t.add_argument("--" + a, required=True)
    args = p.parse_args()
    if args.cmd == "run":
        asyncio.run(run(args))
    else:
        sys.exit(table(args))


if __name__ == "__main__":
    main()
