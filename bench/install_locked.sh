#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmarks `envsetup install --locked` against `pip install --require-hashes -r requirements.txt`
# from the same loopback PEP 503 index and the same wheels (WHEELS wheels of MB_EACH MiB of
# incompressible data, default 20 x 52 MiB >= 1 GB), served with a per-connection rate cap
# (RATE_MIB MiB/s, like a real index). Targets: install --locked <= 0.5x pip; a no-op <= 0.3 s.
# Both timed sides start with no venv and create it (python -m venv; envsetup makes its own).
#   bench/install_locked.sh [BUILD_DIR]   (default build/release)
#   WHEELS=20 MB_EACH=2 RATE_MIB=5 bench/install_locked.sh   # a quick run
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
bin=$(realpath "$build/envsetup")
[ -x "$bin" ] || { echo "error: $bin not found; run: cmake --workflow --preset release" >&2; exit 1; }
out=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server"; rm -rf "$out"' EXIT
export WHEELS=${WHEELS:-20} MB_EACH=${MB_EACH:-52} RATE_MIB=${RATE_MIB:-20}
python=$(command -v python3)
pyver=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')

# Wheels (stored, not deflated: the payload is random), the index, the lock, requirements.txt.
python3 - "$out" "$pyver" <<'PY'
import base64, csv, hashlib, html, io, os, pathlib, sys, zipfile
out, pyver = pathlib.Path(sys.argv[1]), sys.argv[2]
count, size = int(os.environ["WHEELS"]), int(os.environ["MB_EACH"]) << 20
def rec(data): return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
lines = ["schema_version = 1", 'envsetup_version = "bench"', "", "[matrix]", 'source = "embedded"',
         'generated = "2025-01-01"', f'sha256 = "{"0" * 64}"', "", "[requires]", 'platform = "linux-x86_64"',
         f'python = "{pyver}"', 'driver_rule = ""', "targets = []", "", "[plan]", 'framework = "torch"',
         'display_name = "PyTorch"', 'variant = "cpu"', 'version = "2.5.1"', "requirements = []", "",
         "[[index]]", 'key = "bench"', 'url = "URL/simple/"']
requirements, wheels = [], []
for i in range(count):
    name, version = f"bigpkg{i:02d}", "1.0"
    payload = os.urandom(size)
    files = {f"{name}/__init__.py": f'__version__ = "{version}"\n'.encode(), f"{name}/blob.bin": payload,
             f"{name}-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
             f"{name}-{version}.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for path, data in files.items():
        writer.writerow([path, rec(data), len(data)])
    writer.writerow([f"{name}-{version}.dist-info/RECORD", "", ""])
    files[f"{name}-{version}.dist-info/RECORD"] = record.getvalue().encode()
    folder = out / "srv" / "simple" / name
    folder.mkdir(parents=True)
    filename = f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(folder / filename, "w", zipfile.ZIP_STORED) as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    data = (folder / filename).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    (folder / "index.html").write_text(f'<html><body><a href="{filename}#sha256={digest}">{filename}</a></body></html>\n')
    requirements.append(f"{name}=={version} --hash=sha256:{digest}")
    wheels += ["", "[[wheel]]", f'name = "{name}"', f'version = "{version}"', f'filename = "{filename}"',
               'index = "bench"', f'url = "{name}/{filename}"', f'sha256 = "{digest}"', f"size = {len(data)}"]
(out / "srv" / "simple" / "index.html").write_text("<html><body></body></html>\n")
(out / "requirements.txt").write_text("\n".join(requirements) + "\n")
(out / "lock.in").write_text("\n".join(lines + wheels) + "\n")
PY

# A loopback server with a per-connection rate cap.
cat > "$out/serve.py" <<'PY'
import functools, http.server, os, sys, time
rate = int(os.environ["RATE_MIB"]) << 20
class Capped(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass
    def copyfile(self, source, target):
        started, sent = time.monotonic(), 0
        while chunk := source.read(256 << 10):
            target.write(chunk)
            sent += len(chunk)
            ahead = sent / rate - (time.monotonic() - started)
            if ahead > 0:
                time.sleep(ahead)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Capped, directory=sys.argv[1]))
print(server.server_address[1], flush=True)
server.serve_forever()
PY
python3 "$out/serve.py" "$out/srv" > "$out/port" &
server=$!
for _ in $(seq 50); do [ -s "$out/port" ] && break; sleep 0.1; done
url="http://127.0.0.1:$(cat "$out/port")"
sed "s|URL|$url|" "$out/lock.in" > "$out/envsetup.lock"
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 no_proxy=127.0.0.1
export ENVSETUP_CACHE_DIR=$out/cache ENVSETUP_DRIVER_VERSION=none ENVSETUP_GPUS=none
now() { date +%s.%N; }

# Fair: both sides start with no venv and create it inside the timed part (pip needs one too; envsetup
# makes its own). The venv creation alone is timed as well, to show how much of each figure it is.
tv0=$(now)
"$python" -m venv "$out/probe-venv"
tv1=$(now)
rm -rf "$out/probe-venv"
t0=$(now)
"$python" -m venv "$out/pip-venv"
"$out/pip-venv/bin/python" -m pip install -q --index-url "$url/simple/" --require-hashes -r "$out/requirements.txt"
t1=$(now)
"$bin" install --locked "$out/envsetup.lock" --venv "$out/locked-venv" --quiet --jobs "${JOBS:-8}" > /dev/null
t2=$(now)
"$bin" install --locked "$out/envsetup.lock" --venv "$out/locked-venv" --quiet > /dev/null
t3=$(now)
python3 - "$t0" "$t1" "$t2" "$t3" "$tv0" "$tv1" <<'PY'
import os, sys
t0, t1, t2, t3, tv0, tv1 = map(float, sys.argv[1:])
pip, locked, noop, venv = t1 - t0, t2 - t1, t3 - t2, tv1 - tv0
print(f"{os.environ['WHEELS']} wheels x {os.environ['MB_EACH']} MiB at {os.environ['RATE_MIB']} MiB/s per connection")
print(f"python -m venv alone (in both):      {venv:7.2f} s")
print(f"venv + pip install --require-hashes: {pip:7.2f} s")
print(f"install --locked (venv incl.):       {locked:7.2f} s  ({locked / pip:.2f}x; target <= 0.5x)")
print(f"install --locked, no-op:             {noop:7.3f} s  (target <= 0.3 s)")
PY
