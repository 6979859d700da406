#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmarks `envsetup detect --json` as a whole process (target: <= 150 ms without
# nvidia-smi) against `envsetup --version` in the same run, and shows what dominates by
# timing detection with parts of the host hidden.
#   bench/detect.sh [BUILD_DIR]   (default build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
bin=$build/envsetup
[ -x "$bin" ] || { echo "error: $bin not found; run: cmake --workflow --preset release" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
empty=$out/empty-root
mkdir -p "$empty"

# no-pythons: PATH and HOME hide every interpreter, so the difference is Python discovery.
hyperfine -N --warmup 5 --runs 60 --export-json "$out/detect.json" \
  -n baseline "$bin --version" \
  -n detect "$bin detect --json" \
  -n detect-empty-sysroot "$bin detect --json --sysroot $empty" \
  -n detect-no-pythons "env PATH=/nonexistent HOME=/nonexistent $bin detect --json" >/dev/null 2>"$out/log"

python3 - "$out/detect.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
base = results[0]["mean"]
print("envsetup detect (hyperfine, %d runs each)" % len(results[0]["times"]))
for r in results:
    print("  %-22s mean %6.1f ms  (min %5.1f, stddev %4.1f)  ratio to baseline %5.2f"
          % (r["command"], r["mean"] * 1e3, r["min"] * 1e3, r["stddev"] * 1e3, r["mean"] / base))
PY
