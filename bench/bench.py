#!/usr/bin/env python3
"""Benchmark kmslint against the floor (a parallel walk + serde_json parse of the same files).

Usage: python3 bench/bench.py [--sizes 1000 10000] [--runs 5] [--no-instructions] [--only explain] [--no-build]

Generates corpora with bench/gen_corpus.py (cached in bench/.corpus/), builds kmslint and the
floor in release mode, and prints a markdown table of median wall times (JSON and human output), the wall-time ratio
to the floor, the instruction-count ratio (callgrind, one thread: repeatable where wall time is
not), peak memory (max RSS) and the growth from the smallest to the largest corpus; then the
median time of one small file end to end, and of a 1 MB policy and a 15 MB template; then
`kmslint explain` against `kmslint check` on the same corpora, and explain's growth on one key
policy with more and more statements and principals. `--only explain` runs the last part alone.
Only the Python standard library is used; valgrind and GNU time are optional.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")


def build(skip):
    """Build kmslint and the floor in release mode, unless `skip` (use the binaries as built)."""
    if not skip:
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


def instructions(cmd):
    """Instructions executed by `cmd` on one thread, counted by callgrind; `None` without valgrind.

    Unlike wall time, the count repeats from run to run on a shared machine.
    """
    try:
        proc = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "RAYON_NUM_THREADS": "1"},
        )
    except FileNotFoundError:
        return None
    for line in proc.stderr.splitlines():
        if "Collected :" in line:
            return int(line.split(":")[-1].strip())
    sys.exit(f"callgrind gave no count for {' '.join(cmd)}: {proc.stderr}")


def large_inputs():
    """One policy of 1 MB (the shape that once made KMS003 take minutes) and a CloudFormation
    template of 15 MB with a finding in each of its keys, as tests/hostile.rs builds them."""
    folder = os.path.join(BENCH, ".corpus", "large")
    os.makedirs(folder, exist_ok=True)
    policy = os.path.join(folder, "one-megabyte.json")
    if not os.path.exists(policy):
        statements = []
        while sum(len(s) + 2 for s in statements) < 1_000_000:
            i = len(statements)
            if i % 2 == 0:
                statements.append(
                    f'{{"Sid": "Org{i}", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", '
                    f'"Resource": "*", "Condition": {{"StringEquals": {{"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}}}}'
                )
            else:
                statements.append(
                    f'{{"Sid": "Admin{i}", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:role/R{i}"}}, '
                    f'"Action": ["kms:Create*", "kms:Describe*"], "Resource": "*"}}'
                )
        with open(policy, "w") as f:
            f.write('{"Version": "2012-10-17", "Statement": [\n' + ",\n".join(statements) + "\n]}\n")
    template = os.path.join(folder, "fifteen-megabytes.template.json")
    if not os.path.exists(template):
        keys = []
        size = 0
        while size < 15_000_000:
            k = len(keys)
            key = (
                f'"Key{k}":{{"Type":"AWS::KMS::Key","Properties":{{"KeyPolicy":{{"Version":"2012-10-17","Statement":['
                f'{{"Sid":"Root","Effect":"Allow","Principal":{{"AWS":{{"Fn::Sub":"arn:aws:iam::${{AWS::AccountId}}:root"}}}},'
                f'"Action":"kms:*","Resource":"*"}},{{"Sid":"Group","Effect":"Allow","Principal":{{"AWS":'
                f'"arn:aws:iam::111122223333:group/G{k}"}},"Action":"kms:Decrypt","Resource":"*"}}]}}}}}}'
            )
            size += len(key) + 2
            keys.append(key)
        with open(template, "w") as f:
            f.write('{"AWSTemplateFormatVersion":"2010-09-09","Resources":{\n' + ",\n".join(keys) + "\n}}\n")
    return policy, template


def wide_policy(statements):
    """One key policy of `statements` Allow statements, each naming its own role: as many
    principals as statements, so explain's work is statements x principals."""
    folder = os.path.join(BENCH, ".corpus", "wide")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"statements-{statements}.json")
    if not os.path.exists(path):
        actions = ['"kms:Decrypt"', '["kms:Encrypt", "kms:GenerateDataKey*"]', '"kms:Describe*"', '["kms:Create*", "kms:Put*"]']
        body = [
            '{"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, '
            '"Action": "kms:*", "Resource": "*"}'
        ]
        for i in range(statements - 1):
            body.append(
                f'{{"Sid": "Role{i}", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:role/R{i}"}}, '
                f'"Action": {actions[i % len(actions)]}, "Resource": "*"}}'
            )
        with open(path, "w") as f:
            f.write('{"Version": "2012-10-17", "Statement": [\n' + ",\n".join(body) + "\n]}\n")
    return path


def count(cmd, no_instructions):
    if no_instructions:
        return None
    return instructions(cmd)


def giga(value):
    return "not counted" if value is None else f"{value / 1e9:.2f} G"


def ratio(a, b):
    return "n/a" if a is None or b is None else f"{a / b:.2f}x"


def explain_part(kmslint, sizes, runs, no_instructions):
    """`kmslint explain` against `kmslint check` on each corpus, with `--format json` and with
    the default (human) format of each, then explain on one policy of N statements naming N
    principals, N doubling."""
    print(
        "\n| corpus | format | check | explain | wall ratio | instructions: check / explain (one thread) "
        "| instruction ratio | check peak memory | explain peak memory |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    walls, counts = {}, {}
    for n in sizes:
        path = corpus(n)
        for fmt in ("json", "human"):
            check = [kmslint, "check", "--isolated", "--format", fmt, path]
            explain = [kmslint, "explain", "--isolated", "--format", fmt, path]
            c, c_mem = measure(check, runs)
            e, e_mem = measure(explain, runs)
            ci, ei = count(check, no_instructions), count(explain, no_instructions)
            if fmt == "json":
                walls[n], counts[n] = e, ei
            print(
                f"| {n:,} files | {fmt} | {c * 1000:.0f} ms | {e * 1000:.0f} ms | {e / c:.2f}x | {giga(ci)} / {giga(ei)} "
                f"| {ratio(ei, ci)} | {mib(c_mem)} | {mib(e_mem)} |"
            )
    if len(sizes) > 1:
        lo, hi = min(sizes), max(sizes)
        print(
            f"explain growth {lo:,} -> {hi:,} files: {walls[hi] / walls[lo]:.1f}x time, "
            f"{ratio(counts[hi], counts[lo])} instructions for {hi / lo:.0f}x files"
        )
    print("\n| one policy: statements = principals | statements x principals | explain (json) | instructions | instructions per statement x principal |")
    print("|---|---|---|---|---|")
    for n in (500, 1000, 2000):
        path = wide_policy(n)
        explain = [kmslint, "explain", "--isolated", "--format", "json", path]
        e, _ = measure(explain, max(1, runs // 2))
        ei = count(explain, no_instructions)
        per = "n/a" if ei is None else f"{ei / (n * n):.0f}"
        print(f"| {n:,} | {n * n / 1e6:.2f} M | {e * 1000:.0f} ms | {giga(ei)} | {per} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-instructions", action="store_true", help="skip the callgrind counts (slow)")
    ap.add_argument("--only", choices=["explain"], help="run only this part")
    ap.add_argument("--no-build", action="store_true", help="use the release binaries as they are")
    args = ap.parse_args()
    kmslint, floor = build(args.no_build)
    print(f"machine: {os.cpu_count()} cores; median of {args.runs} runs after a warm-up")
    if args.only == "explain":
        explain_part(kmslint, args.sizes, args.runs, args.no_instructions)
        return
    print()
    print("| corpus | kmslint (json output) | kmslint (human output) | floor | wall ratio (json) | instructions: kmslint / floor | ratio | kmslint peak memory | floor peak memory |")
    print("|---|---|---|---|---|---|---|---|---|")
    results = {}
    for n in args.sizes:
        path = corpus(n)
        check = [kmslint, "check", "--isolated", path, "--format"]
        k, k_mem = measure([*check, "json"], args.runs)
        h, _ = measure([*check, "human"], args.runs)
        f, f_mem = measure([floor, path], args.runs)
        results[n] = k
        if args.no_instructions:
            counts = "not counted | n/a"
        else:
            ki, fi = instructions([*check, "json"]), instructions([floor, path])
            counts = (
                "n/a (install valgrind) | n/a"
                if ki is None or fi is None
                else f"{ki / 1e9:.2f} G / {fi / 1e9:.2f} G | {ki / fi:.2f}x"
            )
        print(
            f"| {n:,} files | {k * 1000:.0f} ms | {h * 1000:.0f} ms | {f * 1000:.0f} ms | {k / f:.2f}x | {counts} "
            f"| {mib(k_mem)} | {mib(f_mem)} |"
        )
    small = os.path.join(ROOT, "examples", "least-privilege.json")
    s, s_mem = measure([kmslint, "check", small], max(args.runs, 30))
    print(f"\none small file end to end (`kmslint check examples/least-privilege.json`): {s * 1000:.1f} ms, {mib(s_mem)}")
    if len(args.sizes) > 1:
        lo, hi = min(args.sizes), max(args.sizes)
        print(f"growth {lo:,} -> {hi:,} files: {results[hi] / results[lo]:.1f}x time for {hi / lo:.0f}x files")
    print("\n| one large file | size | json output | human output | peak memory |")
    print("|---|---|---|---|---|")
    for path in large_inputs():
        check = [kmslint, "check", "--isolated", path, "--format"]
        j, mem = measure([*check, "json"], max(1, args.runs // 2))
        h, _ = measure([*check, "human"], max(1, args.runs // 2))
        size = os.path.getsize(path) / 1e6
        print(f"| `{os.path.basename(path)}` | {size:.1f} MB | {j * 1000:.0f} ms | {h * 1000:.0f} ms | {mib(mem)} |")
    explain_part(kmslint, args.sizes, args.runs, args.no_instructions)


if __name__ == "__main__":
    main()
