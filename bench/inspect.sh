#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmarks `envsetup inspect` (issue 15) as a whole process on a 1 GiB library of 3264 fatbins
# and on a venv with a 400 MiB framework and 300 small .so files, against baselines measured in
# the same run: `envsetup --version` (start-up), `wc -c` (open + size), and `cat` of the same
# bytes (reading everything). Then checks the targets: library <= 0.2 s and <= 50 MB peak RSS,
# venv <= 2 s; and that the output names exactly the targets the generator put in (so a fast
# run is not a run that skipped work). Exits 1 when a target or a check fails.
#   bench/inspect.sh [DATA_DIR]   (default /tmp/envsetup-bench-inspect; generated when missing or
#                                  stale by bench/make_big_fatbin_library.py: needs nvcc, ~15 s, 1.5 GB)
#   ENVSETUP_BIN=path/to/envsetup (default build/release/envsetup)
# Times are with the files in the page cache (every run after the first reads cached pages).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${ENVSETUP_BIN:-build/release/envsetup}
data=${1:-/tmp/envsetup-bench-inspect}
[ -x "$bin" ] || {
  echo "error: $bin not found; run: cmake --workflow --preset release (or set ENVSETUP_BIN)" >&2
  exit 1
}
command -v hyperfine >/dev/null || { echo "error: hyperfine not found; run packaging/install-deps.sh" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "error: /usr/bin/time (GNU time) not found" >&2; exit 1; }
# (Re)generates when missing or made by another version of the generator.
python3 - "$data/expected.json" bench/make_big_fatbin_library.py <<'PY' || python3 bench/make_big_fatbin_library.py "$data"
import hashlib, json, sys
try:
    made_by = json.load(open(sys.argv[1])).get("generator")
except (OSError, ValueError):
    sys.exit(1)
sys.exit(made_by != hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest())
PY
lib=$data/libbig_fatbin.so
venv=$data/venv
site=$venv/lib/python3.11/site-packages
args=(--gpu 9.0 --gpu 12.0 --driver 580.65.06 --json)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# One checked run of each: the JSON, its exit status, peak RSS (GNU time, max of 3 runs) and the
# bytes the process read (rchar of a shell that waited for it: /proc counts reaped children).
measure() {
  local name=$1 status=0
  shift
  "$@" >"$out/$name.json" 2>"$out/$name.err" || status=$?
  echo "$status" >"$out/$name.status"
  for i in 1 2 3; do
    /usr/bin/time -v -o "$out/$name.time$i" "$@" >/dev/null 2>&1 || true
  done
  sh -c '"$@" >/dev/null 2>&1; grep ^rchar /proc/$$/io' sh "$@" >"$out/$name.io" || true
}
measure library "$bin" inspect "$lib" "${args[@]}"
measure venv "$bin" inspect "$venv" "${args[@]}"

# -i: inspect may exit non-zero by design when a library has no code for a GPU (checked above).
hyperfine -N -i --output=pipe --warmup 2 --runs 15 --export-json "$out/times.json" \
  -n version "$bin --version" \
  -n wc-library "wc -c $lib" \
  -n cat-library "cat $lib" \
  -n inspect-library "$bin inspect $lib ${args[*]}" \
  -n cat-venv-so "find $site -type f -name '*.so*' -exec cat {} +" \
  -n inspect-venv "$bin inspect $venv ${args[*]}" >/dev/null 2>"$out/hyperfine.log" ||
  { cat "$out/hyperfine.log" >&2; exit 1; }

python3 - "$out" "$data/expected.json" <<'PY'
import glob, json, os, re, sys
out, expected = sys.argv[1], json.load(open(sys.argv[2]))
results = {r["command"]: r for r in json.load(open(os.path.join(out, "times.json")))["results"]}
failures = []

def peak_rss_mb(name):
    peaks = [int(m.group(1)) for path in glob.glob(os.path.join(out, name + ".time*"))
             for m in [re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(path).read())] if m]
    return max(peaks) / 1024 if peaks else float("nan")

def bytes_read(name):
    m = re.search(r"rchar: (\d+)", open(os.path.join(out, name + ".io")).read())
    return int(m.group(1)) if m else None

print("envsetup inspect (hyperfine, %d runs each; page cache warm)" % len(results["version"]["times"]))
for command, base_name in (("version", None), ("wc-library", None), ("cat-library", None),
                           ("inspect-library", "cat-library"), ("cat-venv-so", None), ("inspect-venv", "cat-venv-so")):
    r = results[command]
    print("  %-16s mean %8.1f ms  (min %7.1f, stddev %5.1f)  ratio to version %5.2f%s"
          % (command, r["mean"] * 1e3, r["min"] * 1e3, r["stddev"] * 1e3, r["mean"] / results["version"]["mean"],
             "" if base_name is None else ", to %s %5.3f" % (base_name, r["mean"] / results[base_name]["mean"])))

size_library = expected["library"]["size"]
size_venv = expected["venv"]["bytes"]
for name, label, size in (("library", "inspect-library", size_library), ("venv", "inspect-venv", size_venv)):
    read = bytes_read(name)
    status = open(os.path.join(out, name + ".status")).read().strip()
    print("  %-16s peak RSS %6.1f MB, read %s of %.0f MiB, exit status %s"
          % (label, peak_rss_mb(name), "?" if read is None else "%.2f MiB (%.3f%%)" % (read / 2**20, 100 * read / size),
             size / 2**20, status))

def target_checks():
    lib_s, venv_s = results["inspect-library"]["mean"], results["inspect-venv"]["mean"]
    yield "library time", lib_s <= 0.2, "%.3f s (target <= 0.2 s)" % lib_s
    yield "library RSS", peak_rss_mb("library") <= 50, "%.1f MB (target <= 50 MB)" % peak_rss_mb("library")
    yield "venv time", venv_s <= 2.0, "%.3f s (target <= 2 s)" % venv_s

# The output against what the generator wrote: lenient about shapes ("sm_90" or {"target": "sm_90"};
# PTX as "compute_90" or {"target", "ptx_isa"|"isa"}); strict about the sets. The last fatbin of each
# large section alone holds sm_87, so a reader that stops early fails "SASS".
def sass_of(library):
    return sorted(s if isinstance(s, str) else s.get("target") for s in library.get("sass", []))

def ptx_of(library):
    rows = []
    for p in library.get("ptx", []):
        if isinstance(p, str):
            rows.append((p, None))
        else:
            rows.append((p.get("target"), p.get("ptx_isa", p.get("isa"))))
    return sorted(rows)

def ptx_matches(got, want):
    return [t for t, _ in got] == [w["target"] for w in want] and all(
        isa is None or str(isa) == w["isa"] for (_, isa), w in zip(got, want))

def fatbin_count(library):  # optional in the output: "fatbins": N or a list
    fatbins = library.get("fatbins")
    return len(fatbins) if isinstance(fatbins, list) else fatbins if isinstance(fatbins, int) else None

def load(name):
    try:
        return json.load(open(os.path.join(out, name + ".json")))
    except ValueError as e:
        failures.append("%s: the output is not JSON (%s); stderr: %s"
                        % (name, e, open(os.path.join(out, name + ".err")).read()[-500:]))
        return {"libraries": []}

def output_checks():
    want = expected["library"]
    got = [l for l in load("library").get("libraries", []) if str(l.get("path", "")).endswith("libbig_fatbin.so")]
    yield "library listed", len(got) == 1, "%d entries for libbig_fatbin.so" % len(got)
    if got:
        ok = sass_of(got[0]) == want["sass"]
        yield "library SASS", ok, "%d targets as generated" % len(want["sass"]) if ok else "got %s, want %s" % (
            sass_of(got[0]), want["sass"])
        count = fatbin_count(got[0])
        if count is not None:
            yield "library fatbins", count == want["fatbins"], "%d (generated %d)" % (count, want["fatbins"])
        ok = ptx_matches(ptx_of(got[0]), want["ptx"])
        yield "library PTX", ok, "%d targets as generated" % len(want["ptx"]) if ok else "got %s, want %s" % (
            ptx_of(got[0]), want["ptx"])
    venv = load("venv")
    by_rel = {}
    for l in venv.get("libraries", []):
        path = str(l.get("path", ""))
        rel = next((r for r in expected["venv"]["libraries"] if path.endswith(r)), None)
        by_rel[rel] = l
    cuda = {r: l for r, l in expected["venv"]["libraries"].items() if l["fatbins"]}
    missing = sorted(set(cuda) - set(by_rel))
    yield "venv CUDA libraries", not missing, "%d of %d listed%s" % (len(cuda) - len(missing), len(cuda),
                                                                    "; missing e.g. " + missing[0] if missing else "")
    wrong = [r for r, l in cuda.items() if r in by_rel and (sass_of(by_rel[r]) != l["sass"] or
                                                            not ptx_matches(ptx_of(by_rel[r]), l["ptx"]))]
    yield "venv targets", not wrong, "%d libraries with other targets than generated%s" % (
        len(wrong), "; e.g. " + wrong[0] if wrong else "")
    host = [r for r, l in by_rel.items() if r and r not in cuda and (sass_of(l) or ptx_of(l))]
    yield "venv host-only", not host, "%d host-only libraries reported with CUDA code" % len(host)
    ext = by_rel.get("smallext/_ext.cpython-311-x86_64-linux-gnu.so", {}).get("coverage")
    if ext is not None:  # sm_80 SASS only: nothing runs on 9.0 or 12.0
        ok = all("none" in json.dumps(ext.get(k, "none")) for k in ("sm_90", "sm_120"))
        yield "smallext coverage", ok, json.dumps(ext)
    if "packages" in venv:
        names = json.dumps(venv["packages"])
        yield "venv packages", "bigfw" in names and "smallext" in names, "bigfw and smallext grouped"

print("checks")
for label, ok, detail in list(target_checks()) + list(output_checks()):
    print("  %-4s %-20s %s" % ("ok" if ok else "FAIL", label, detail))
    if not ok:
        failures.append(label)
for failure in failures:
    print("FAIL:", failure)
sys.exit(1 if failures else 0)
PY
