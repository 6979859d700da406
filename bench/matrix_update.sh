#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmarks `envsetup matrix update` of an unchanged bundle (target: <= 0.3 s): the manifest
# and its signature are fetched from a loopback HTTP server and verified, the installed update
# is re-verified, and nothing else is downloaded. Also `matrix show --source` with that update
# in effect (the matrix in effect is found and re-verified on every command).
#   bench/matrix_update.sh [BUILD_DIR]   (default build/release)
# Prints each command's mean time and its ratio to the baseline measured in the same run:
# `envsetup --version` (process start-up, no matrix).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
bin=$(realpath "$build/envsetup")
[ -x "$bin" ] || { echo "error: $bin not found; run: cmake --workflow --preset release" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "error: hyperfine not found; run packaging/install-deps.sh" >&2; exit 1; }
command -v openssl >/dev/null || { echo "error: openssl not found (makes the throwaway key)" >&2; exit 1; }
out=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$out"; }
trap cleanup EXIT

export HOME=$out/home XDG_DATA_HOME=$out/data XDG_CONFIG_HOME=$out/config no_proxy=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY ENVSETUP_MATRIX ENVSETUP_MATRIX_URL
mkdir -p "$HOME" "$XDG_CONFIG_HOME/envsetup/keys" "$out/www"
openssl genpkey -algorithm ed25519 -out "$out/bench-key.pem" 2>/dev/null
openssl pkey -in "$out/bench-key.pem" -pubout -out "$XDG_CONFIG_HOME/envsetup/keys/bench.pem"
"$bin" matrix bundle matrix --key "$out/bench-key.pem" -o "$out/www/matrix" --generated 2099-01-01T00:00:00Z >/dev/null

port_file=$out/port
python3 - "$out/www" "$port_file" <<'PY' &
import functools, http.server, sys
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
handler = functools.partial(Quiet, directory=sys.argv[1])
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
open(sys.argv[2], "w").write(str(server.server_address[1]))
server.serve_forever()
PY
server=$!
for _ in $(seq 100); do [ -s "$port_file" ] && break; sleep 0.05; done
url=http://127.0.0.1:$(cat "$port_file")/matrix/
"$bin" matrix update --from "$url" >/dev/null   # installs it once; every timed run finds it unchanged

hyperfine -N --warmup 5 --runs 50 --export-json "$out/update.json" \
  -n baseline "$bin --version" \
  -n update-unchanged "$bin matrix update --from $url" \
  -n show-source-update "$bin matrix show --source" >/dev/null 2>"$out/hyperfine.log"

python3 - "$out/update.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
base = results[0]["mean"]
print("whole process (hyperfine, %d runs each)" % len(results[0]["times"]))
for r in results:
    print("  %-20s mean %7.2f ms  (min %6.2f, stddev %5.2f)  ratio to baseline %5.2f"
          % (r["command"], r["mean"] * 1e3, r["min"] * 1e3, r["stddev"] * 1e3, r["mean"] / base))
update = results[1]["mean"]
print("target: update of an unchanged bundle <= 300 ms: %s" % ("met" if update <= 0.3 else "MISSED"))
PY

"$build/bench/bench_matrix_source" --benchmark_min_time=0.3 2>/dev/null | sed -n '/^BM_/p'
