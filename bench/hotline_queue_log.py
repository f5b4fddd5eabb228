#!/usr/bin/env python3
"""Writes an Asterisk queue_log of N calls to stdout, for bench/hotline_import.sh.

The calls are spread over the weekdays of one year from 2026-01-05, 08-20
Danish time (as UTC+1, close enough for a load test), one queue `hotline`:
about 80 % answered (ENTERQUEUE, CONNECT, COMPLETECALLER/COMPLETEAGENT,
some TRANSFER), the rest ABANDON, EXITWITHTIMEOUT, EXITEMPTY or
EXITWITHKEY, with agent events between them. Deterministic (fixed seed).
Usage: hotline_queue_log.py N > queue_log
"""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
rng = random.Random(2026)
start = 1767600000  # 2026-01-05 08:00 UTC+1 (07:00 UTC)
days = [d for d in range(364) if d % 7 < 5]
per_day = max(1, n // len(days) + 1)
out = sys.stdout
written = 0
serial = 0
for d in days:
    if written >= n:
        break
    base = start + d * 86400
    out.write(f"{base - 60}|NONE|hotline|Agent/1001|AGENTLOGIN|PJSIP/1001\n")
    times = sorted(rng.randrange(0, 12 * 3600) for _ in range(min(per_day, n - written)))
    for t in times:
        serial += 1
        at = base + t
        cid = f"{at}.{serial}"
        out.write(f"{at}|{cid}|hotline|NONE|ENTERQUEUE||2{serial % 10**7:07d}|1\n")
        r = rng.random()
        wait = rng.randrange(0, 90)
        if r < 0.80:
            talk = 60 + rng.randrange(0, 400)
            agent = f"Agent/{1001 + serial % 4}"
            out.write(f"{at + wait}|{cid}|hotline|{agent}|CONNECT|{wait}|{cid}1|3\n")
            end = at + wait + talk
            if r < 0.06:
                out.write(f"{end}|{cid}|hotline|{agent}|TRANSFER|2000|from-internal|{wait}|{talk}\n")
            elif r < 0.45:
                out.write(f"{end}|{cid}|hotline|{agent}|COMPLETECALLER|{wait}|{talk}|1\n")
            else:
                out.write(f"{end}|{cid}|hotline|{agent}|COMPLETEAGENT|{wait}|{talk}|1\n")
        elif r < 0.92:
            out.write(f"{at + wait}|{cid}|hotline|NONE|ABANDON|1|1|{wait}\n")
        elif r < 0.95:
            out.write(f"{at + 300}|{cid}|hotline|NONE|EXITWITHTIMEOUT|1|1|300\n")
        elif r < 0.98:
            out.write(f"{at + 2}|{cid}|hotline|NONE|EXITEMPTY|1|1|2\n")
        else:
            out.write(f"{at + wait}|{cid}|hotline|NONE|EXITWITHKEY|1|1|1|{wait}\n")
        written += 1
    out.write(f"{base + 12 * 3600}|NONE|hotline|Agent/1001|AGENTLOGOFF|PJSIP/1001|43200\n")
