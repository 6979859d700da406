#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmarks `envsetup matrix check-index` as a whole process on a generated 5,000-file PEP 503
# page (file:// and loopback HTTP; target <= 1 s), against `envsetup --version` and `matrix
# validate` (start-up and matrix load) in the same run.
#   bench/check_index.sh [BUILD_DIR]   (default build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
bin=$build/envsetup
[ -x "$bin" ] || { echo "error: $bin not found; run: cmake --workflow --preset release" >&2; exit 1; }
out=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server"; rm -rf "$out"' EXIT

# One torch page of 5,000 wheels (versions 1.0.0 .. 1.999.0 x cp310..cp314, plus the ones the
# matrix names), written to every cuXYZ folder the shipped torch variants use.
python3 - "$out/whl" <<'PY'
import html, json, pathlib, sys
root = pathlib.Path(sys.argv[1])
torch = json.load(open("matrix/torch.json"))
locals_ = sorted({v["index_url"].rstrip("/").rsplit("/", 1)[1] for r in torch["releases"] for v in r["variants"]})
for local in locals_:
    names = [f"torch-1.{i}.0+{local}-cp3{m}-cp3{m}-manylinux_2_28_x86_64.whl" for i in range(1000) for m in range(10, 15)]
    names = names[:5000]
    folder = root / local / "torch"
    folder.mkdir(parents=True)
    links = "\n".join(f'<a href="../../files/{html.escape(n.replace("+", "%2B"))}#sha256={"0" * 64}" '
                      f'data-requires-python="&gt;=3.10">{html.escape(n)}</a><br/>' for n in names)
    (folder / "index.html").write_text(f"<!DOCTYPE html><html><body>\n{links}\n</body></html>\n")
print(f"{len(locals_)} pages of 5000 files, {sum(1 for _ in root.rglob('index.html'))} written", file=sys.stderr)
PY
python3 -m http.server --bind 127.0.0.1 --directory "$out" 0 >"$out/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do port=$(grep -oE 'port [0-9]+' "$out/server.log" | grep -oE '[0-9]+' || true); [ -n "$port" ] && break; sleep 0.1; done

set +e
hyperfine -N --warmup 2 --runs 15 -i --export-json "$out/bench.json" \
  -n baseline "$bin --version" \
  -n matrix-validate "$bin matrix validate" \
  -n check-index-file "$bin matrix check-index --framework torch --index file://$out/whl/" \
  -n check-index-http "$bin matrix check-index --framework torch --index http://127.0.0.1:$port/whl/" \
  >/dev/null 2>"$out/log"
set -e
python3 - "$out/bench.json" "$out/whl" <<'PY'
import json, pathlib, sys
results = json.load(open(sys.argv[1]))["results"]
pages = sum(1 for _ in pathlib.Path(sys.argv[2]).rglob("index.html"))
base = results[0]["mean"]
print(f"envsetup matrix check-index: {pages} pages of 5,000 files each (hyperfine, {len(results[0]['times'])} runs)")
for r in results:
    print("  %-18s mean %7.1f ms  (min %6.1f, stddev %5.1f)  ratio to baseline %6.2f"
          % (r["command"], r["mean"] * 1e3, r["min"] * 1e3, r["stddev"] * 1e3, r["mean"] / base))
worst = max(r["mean"] for r in results if r["command"].startswith("check-index"))
per_page = worst / pages
print(f"target: one 5,000-file page <= 1 s: {per_page * 1e3:.1f} ms per page, whole run {worst:.2f} s -> "
      + ("ok" if per_page <= 1.0 else "MISSED"))
PY
