#!/usr/bin/env python3
"""The table of bench/run: medians of the wrk runs, ratios to the static
baseline (a), issue 8's targets, RSS of each httpd child, and with
--baseline the regression check against bench/baseline.json.

Reads WORK/<scenario>.runs, one line per wrk run written by bench/wrk/report.lua:
  BENCH requests=N ok=N bad=N socket_errors=N seconds=S p50_ms=X p99_ms=Y
Writes the figures as JSON (--out) so bench/baseline.json can be refreshed
from a run with `cp bench/results/last.json bench/baseline.json`.
Exit status: 1 when a run had bad statuses or socket errors, or when
--baseline finds a ratio more than 20 % below the recorded one.
"""
import argparse
import json
import os
import statistics
import sys

SCENARIOS = [
    # name, label, unit of the rate, target on the ratio to (a)
    ("a_static", "(a) static 50-byte file", "req/s", None),
    ("b_me", "(b) GET /accounts/me, API key", "req/s", 0.35),
    ("b2_me_keys", "(b') /accounts/me, 1 of 100,000 keys", "req/s", 0.60),
    ("c_digest", "(c) digest handshake (401 + 200)", "handshakes/s", 0.12),
    ("d_create", "(d) POST /accounts (admin)", "req/s", 0.08),
    ("e_page_first", "(e) GET /accounts?page=first", "req/s", None),
    ("e_page_middle", "(e) GET /accounts?page=middle", "req/s", None),
    ("e_page_last", "(e) GET /accounts?page=last", "req/s", None),
    ("f_token", "(f) POST with-account-creation-token", "req/s", 0.08),
]
PAGE_P50_LIMIT_MS = 5.0
LAST_OVER_FIRST_LIMIT = 3.0
REGRESSION_TOLERANCE = 0.20


def read_runs(path):
    runs = []
    with open(path) as f:
        for line in f:
            fields = dict(kv.split("=", 1) for kv in line.split()[1:])
            runs.append({k: float(v) for k, v in fields.items()})
    return runs


def summarise(runs):
    """Median of each figure over the runs; errors are summed, never hidden."""
    rate = [r["ok"] / r["seconds"] for r in runs]
    return {
        "runs": len(runs),
        "rate": statistics.median(rate),
        "rates": [round(x, 1) for x in rate],
        "p50_ms": statistics.median(r["p50_ms"] for r in runs),
        "p99_ms": statistics.median(r["p99_ms"] for r in runs),
        "bad": int(sum(r["bad"] for r in runs)),
        "socket_errors": int(sum(r["socket_errors"] for r in runs)),
        "requests": int(sum(r["requests"] for r in runs)),
    }


def parse_rss(text):
    return {pid: int(kib) for pid, kib in (item.split(":") for item in text.split())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--commit", default="unknown")
    ap.add_argument("--pages", default="")
    ap.add_argument("--accounts", default="0")
    ap.add_argument("--elapsed", default="0")
    ap.add_argument("--rss-before", default="")
    ap.add_argument("--rss-after", default="")
    ap.add_argument("--baseline")
    args = ap.parse_args()

    results = {}
    for name, *_ in SCENARIOS:
        path = os.path.join(args.work, name + ".runs")
        if os.path.exists(path):
            results[name] = summarise(read_runs(path))
    base = results["a_static"]["rate"]
    for r in results.values():
        r["ratio"] = r["rate"] / base

    failures = []
    print()
    print(f"bench/run, commit {args.commit}: {args.accounts} accounts in the listing Space,"
          f" pages {args.pages}; {args.elapsed} s in all")
    header = f"{'scenario':40} {'rate':>10} {'unit':>12} {'p50 ms':>8} {'p99 ms':>8} {'x (a)':>7} {'target':>9} {'bad':>5}"
    print(header)
    print("-" * len(header))
    for name, label, unit, target in SCENARIOS:
        r = results.get(name)
        if not r:
            continue
        verdict = ""
        if target is not None:
            verdict = f">={target:.2f} " + ("ok" if r["ratio"] >= target else "MISSED")
        elif name.startswith("e_page"):
            ok = r["p50_ms"] <= PAGE_P50_LIMIT_MS
            verdict = f"p50<={PAGE_P50_LIMIT_MS:g} " + ("ok" if ok else "MISSED")
        bad = r["bad"] + r["socket_errors"]
        print(f"{label:40} {r['rate']:10.0f} {unit:>12} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f}"
              f" {r['ratio']:7.3f} {verdict:>9} {bad:5d}")
        if bad:
            failures.append(f"{name}: {r['bad']} bad statuses, {r['socket_errors']} socket errors")
    first, last = results.get("e_page_first"), results.get("e_page_last")
    if first and last:
        factor = last["p50_ms"] / first["p50_ms"]
        results["e_last_over_first_p50"] = factor
        print(f"(e) last page p50 / first page p50 = {factor:.2f}"
              f" (target <= {LAST_OVER_FIRST_LIMIT:g}: {'ok' if factor <= LAST_OVER_FIRST_LIMIT else 'MISSED'})")

    before, after = parse_rss(args.rss_before), parse_rss(args.rss_after)
    rss = []
    print("httpd children, RSS KiB before -> after the measured runs:")
    for pid in sorted(set(before) | set(after), key=int):
        b, a = before.get(pid), after.get(pid)
        change = f"{(a - b) / b * 100:+.1f} %" if a and b else "(child replaced)"
        print(f"  pid {pid}: {b if b else '-'} -> {a if a else '-'}  {change}")
        rss.append({"pid": int(pid), "before_kib": b, "after_kib": a})

    with open(args.out, "w") as f:
        json.dump({"commit": args.commit, "scenarios": results, "rss": rss,
                   "pages": args.pages, "accounts": int(args.accounts)}, f, indent=2, sort_keys=True)
        f.write("\n")
    print(f"figures written to {args.out}")

    if args.baseline:
        with open(args.baseline) as f:
            recorded = json.load(f)["scenarios"]
        print(f"regression check against {args.baseline} (commit recorded there vs this run):")
        for name, *_ in SCENARIOS:
            if name == "a_static" or name not in recorded or name not in results:
                continue
            was, now = recorded[name]["ratio"], results[name]["ratio"]
            dropped = now < was * (1 - REGRESSION_TOLERANCE)
            print(f"  {name:15} ratio {was:.3f} -> {now:.3f}  {'REGRESSED' if dropped else 'ok'}")
            if dropped:
                failures.append(f"{name}: ratio {now:.3f} is more than 20 % below {was:.3f}")

    if failures:
        print("FAILED:", *failures, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
