#!/usr/bin/env python3
"""Benchmark kmslint against the floor (a parallel walk + serde_json parse of the same files).

Usage: python3 bench/bench.py [--sizes 1000 10000] [--runs 5]

Generates corpora with bench/gen_corpus.py (cached in bench/.corpus/), builds kmslint and the
floor in release mode, and prints a markdown table of median wall times, the ratio to the floor,
peak memory (max RSS) and the growth from the smallest to the largest corpus, plus the median
time of one small file end to end. Only the Python standard library is used.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")


def build():
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "--manifest-path", os.path.join(BENCH, "floor", "Cargo.toml")],
        cwd=ROOT,
        check=True,
    )
    return (
        os.path.join(ROOT, "target", "release", "kmslint"),
        os.path.join(BENCH, "floor", "target", "release", "kmslint-floor"),
    )


def corpus(n):
    path = os.path.join(BENCH, ".corpus", str(n))
    if not os.path.isdir(path):
        subprocess.run([sys.executable, os.path.join(BENCH, "gen_corpus.py"), path, str(n)], check=True, stdout=subprocess.DEVNULL)
    return path


GNU_TIME = "/usr/bin/time"


def measure(cmd, runs):
    """Median wall seconds over `runs` runs after a warm-up, and the peak memory (MiB) of one more.

    Peak memory comes from GNU time (`%M`): the max RSS of a child forked from Python would
    include Python's own pages. Without GNU time (`apt-get install time`) it is `None`.
    """
    times = []
    for i in range(runs + 1):
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - start
        if proc.returncode not in (0, 1):
            sys.exit(f"{' '.join(cmd)} exited with {proc.returncode}: {proc.stderr}")
        if i > 0:
            times.append(elapsed)
    peak = None
    if os.access(GNU_TIME, os.X_OK):
        proc = subprocess.run([GNU_TIME, "-f", "%M", *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        peak = int(proc.stderr.strip().splitlines()[-1]) / 1024
    return statistics.median(times), peak


def mib(value):
    return "n/a (install GNU time)" if value is None else f"{value:.1f} MiB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    kmslint, floor = build()
    print(f"machine: {os.cpu_count()} cores; median of {args.runs} runs after a warm-up\n")
    print("| corpus | kmslint (json output) | floor | ratio | kmslint peak memory | floor peak memory |")
    print("|---|---|---|---|---|---|")
    results = {}
    for n in args.sizes:
        path = corpus(n)
        k, k_mem = measure([kmslint, "check", path, "--format", "json"], args.runs)
        f, f_mem = measure([floor, path], args.runs)
        results[n] = k
        print(f"| {n:,} files | {k * 1000:.0f} ms | {f * 1000:.0f} ms | {k / f:.2f}x | {mib(k_mem)} | {mib(f_mem)} |")
    small = os.path.join(ROOT, "examples", "least-privilege.json")
    s, s_mem = measure([kmslint, "check", small], max(args.runs, 30))
    print(f"\none small file end to end (`kmslint check examples/least-privilege.json`): {s * 1000:.1f} ms, {mib(s_mem)}")
    if len(args.sizes) > 1:
        lo, hi = min(args.sizes), max(args.sizes)
        print(f"growth {lo:,} -> {hi:,} files: {results[hi] / results[lo]:.1f}x time for {hi / lo:.0f}x files")


if __name__ == "__main__":
    main()
