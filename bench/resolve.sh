#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmarks `envsetup resolve` as a whole process and the resolver core.
#   bench/resolve.sh [BUILD_DIR]   (default build/release, built with the `release` preset)
# Prints each command's mean time and its ratio to the baseline measured in the same run:
# `envsetup --version` (process start-up, no matrix) for the process; the resolver core
# figures come from Google Benchmark. The refusal run exits 3 by design (-i).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
bin=$build/envsetup
[ -x "$bin" ] || { echo "error: $bin not found; run: cmake --workflow --preset release" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "error: hyperfine not found; run packaging/install-deps.sh" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

hyperfine -N -i --warmup 20 --runs 300 --export-json "$out/process.json" \
  -n baseline "$bin --version" \
  -n resolve-torch "$bin resolve --framework torch --driver 550.54.15 --gpu 8.9 --json" \
  -n resolve-refusal "$bin resolve --framework torch --driver none --gpu 12.0 --gpu 6.1 --json" \
  -n matrix-validate "$bin matrix validate" >/dev/null 2>"$out/hyperfine.log"

python3 - "$out/process.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
base = results[0]["mean"]
print("whole process (hyperfine, %d runs each)" % len(results[0]["times"]))
for r in results:
    print("  %-16s mean %6.2f ms  (min %5.2f, stddev %4.2f)  ratio to baseline %5.2f"
          % (r["command"], r["mean"] * 1e3, r["min"] * 1e3, r["stddev"] * 1e3, r["mean"] / base))
PY

"$build/bench/bench_resolver" --benchmark_min_time=0.2 --benchmark_format=json \
  --benchmark_out="$out/core.json" --benchmark_out_format=json >/dev/null 2>&1
python3 - "$out/core.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["benchmarks"]
scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3}
base = rows[0]["real_time"] * scale[rows[0]["time_unit"]]
print("resolver core (Google Benchmark)")
for r in rows:
    us = r["real_time"] * scale[r["time_unit"]]
    print("  %-30s %9.2f us  ratio to baseline %8.1f" % (r["name"], us, us / base))
PY
