#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Property soak: the property tests (GoogleTest cases named Property*) with many more seeds
than CI runs, in parallel batches of consecutive seeds.

    bench/property_soak.py [--build build/release] [--runs 3000] [--batch 100] [--jobs N]
                           [--first-seed S] [--filter 'Property*']

Each batch runs the unit test binary with ENVSETUP_PROPERTY_FIRST_SEED and
ENVSETUP_PROPERTY_RUNS set; a failing batch's output (which names the seed) is printed with
the command that replays it (ENVSETUP_PROPERTY_SEED=<n>). Exits 1 when any batch failed.
The first seed is random unless given, and printed, so a whole soak can be replayed too.
"""
import argparse
import concurrent.futures
import os
import random
import re
import subprocess
import sys
import time


def run_batch(binary, test_filter, first, count):
    env = dict(os.environ, ENVSETUP_PROPERTY_FIRST_SEED=str(first), ENVSETUP_PROPERTY_RUNS=str(count))
    env.pop("ENVSETUP_PROPERTY_SEED", None)
    result = subprocess.run([binary, f"--gtest_filter={test_filter}", "--gtest_brief=1"], env=env,
                            capture_output=True, text=True)
    return first, count, result.returncode, result.stdout + result.stderr


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build/release")
    parser.add_argument("--runs", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--first-seed", type=int, default=None)
    parser.add_argument("--filter", default="Property*")
    args = parser.parse_args()
    binary = os.path.join(args.build, "tests", "envsetup_unit_tests")
    if not os.access(binary, os.X_OK):
        sys.exit(f"no unit test binary at {binary}: build first (cmake --build --preset release)")
    first = args.first_seed if args.first_seed is not None else random.randrange(1, 1 << 40)
    print(f"soak: {args.runs} seeds from {first} ({args.filter}), {args.jobs} jobs", flush=True)
    batches = [(first + start, min(args.batch, args.runs - start)) for start in range(0, args.runs, args.batch)]
    failed = 0
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(run_batch, binary, args.filter, seed, count) for seed, count in batches]
        for future in concurrent.futures.as_completed(futures):
            seed, count, code, output = future.result()
            if code == 0:
                continue
            failed += 1
            seeds = sorted(set(re.findall(r"ENVSETUP_PROPERTY_SEED=(\d+)", output)))
            print(f"--- seeds {seed}..{seed + count - 1} FAILED (exit {code})\n{output}", flush=True)
            for bad in seeds:
                print(f"replay: ENVSETUP_PROPERTY_SEED={bad} {binary} --gtest_filter='{args.filter}'")
    elapsed = time.monotonic() - started
    print(f"soak: {len(batches) - failed}/{len(batches)} batches passed in {elapsed:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
