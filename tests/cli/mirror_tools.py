# SPDX-License-Identifier: Apache-2.0
"""Shared helpers for the download and install command-line tests.

- build_mirror(): a small synthetic NVIDIA-layout mirror for CUDA 12.4.1 and cuDNN 9.1.0
  (real .tar.xz archives, real manifests with sha256/md5/size);
- start_server(): the loopback envsetup_test_server on 127.0.0.1, with fault injection;
- run_envsetup() / start_envsetup(): the envsetup binary with isolated HOME/XDG folders,
  no proxies and ENVSETUP_TEST_FAST_RETRY=1;
- malicious archives (`../evil`, symlink out then write) and repoint() to put a modified
  archive behind a manifest entry, with or without a matching sha256.

Environment: ENVSETUP_BIN, ENVSETUP_TEST_SERVER, ENVSETUP_SOURCE_DIR (as CTest sets them).
"""
import atexit
import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest

BIN = os.environ["ENVSETUP_BIN"]
SERVER = os.environ["ENVSETUP_TEST_SERVER"]
SOURCE = os.environ.get("ENVSETUP_SOURCE_DIR", "")

CUDA_VERSION = "12.4.1"
CUDNN_VERSION = "9.1.0"
CUDNN_BUILD = "9.1.0.70"
PLATFORM = "linux-x86_64"

# Bytes of incompressible data in libcublas's archive: bigger than the 200000-byte file size
# limit of the full-disk test, and ~1.5 s of transfer at the kill test's --rate.
BIG_LIBRARY_BYTES = 300_000

# component -> (version, {path below the top folder: bytes | ("link", target) | ("exec", bytes)})
CUDA_COMPONENTS = {
    "cuda_cudart": ("12.4.127", {
        "include/cuda_runtime.h": b"/* cuda_runtime.h (test mirror) */\n#define CUDART_VERSION 12040\n",
        "include/cuda_runtime_api.h": b"/* cuda_runtime_api.h (test mirror) */\n",
        "lib/libcudart.so.12.4.127": b"\x7fELF fake libcudart 12.4.127\n" * 64,
        "lib/libcudart.so.12": ("link", "libcudart.so.12.4.127"),
        "lib/libcudart.so": ("link", "libcudart.so.12"),
        "lib/libcudart_static.a": b"!<arch>\nfake static cudart\n",
    }),
    "libcublas": ("12.4.5.8", {
        "include/cublas_v2.h": b"/* cublas_v2.h (test mirror) */\n",
        "include/cublas_api.h": b"/* cublas_api.h (test mirror) */\n",
        "lib/libcublas.so.12.4.5.8": b"\x7fELF fake libcublas\n" * 32,
        "lib/libcublas.so.12": ("link", "libcublas.so.12.4.5.8"),
        "lib/libcublas.so": ("link", "libcublas.so.12"),
        "lib/libcublasLt.so.12.4.5.8": "@big",
        "lib/libcublasLt.so.12": ("link", "libcublasLt.so.12.4.5.8"),
    }),
    "cuda_nvcc": ("12.4.131", {
        "bin/nvcc": ("exec", b"#!/bin/sh\necho 'nvcc: NVIDIA (R) Cuda compiler driver (test mirror)'\n"
                             b"echo 'Cuda compilation tools, release 12.4, V12.4.131'\n"),
        "bin/ptxas": ("exec", b"#!/bin/sh\necho ptxas test mirror\n"),
        "bin/nvcc.profile": b"TOP = $(_HERE_)/..\n",
        "include/crt/host_config.h": b"/* host_config.h (test mirror) */\n",
        "nvvm/bin/cicc": ("exec", b"#!/bin/sh\nexit 0\n"),
    }),
    "cuda_cccl": ("12.4.127", {
        "include/cuda/std/version": b"// libcu++ version (test mirror)\n",
        "include/thrust/version.h": b"#define THRUST_VERSION 200301\n",
        "include/cub/version.cuh": b"#define CUB_VERSION 200301\n",
    }),
    "nvidia_driver": ("550.54.15", {
        "lib/libcuda.so.550.54.15": b"\x7fELF fake driver library\n",
        "lib/libcuda.so.1": ("link", "libcuda.so.550.54.15"),
    }),
}

CUDNN_FILES = {
    "include/cudnn.h": b"/* cudnn.h (test mirror) */\n#include \"cudnn_version.h\"\n",
    "include/cudnn_version.h": b"#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 1\n#define CUDNN_PATCHLEVEL 0\n",
    "lib/libcudnn.so.9.1.0": b"\x7fELF fake libcudnn %(variant)s\n",
    "lib/libcudnn.so.9": ("link", "libcudnn.so.9.1.0"),
    "lib/libcudnn.so": ("link", "libcudnn.so.9"),
}


def test_seed(test):
    """The seed of a randomised test (kill moments and the like): ENVSETUP_TEST_SEED when set,
    to replay a run, else a fresh one. Printed either way, so every run can be replayed."""
    text = os.environ.get("ENVSETUP_TEST_SEED", "")
    seed = int(text) if text else random.randrange(1 << 30)
    print(f"\n{test.id()}: seed {seed} (replay: ENVSETUP_TEST_SEED={seed})", file=sys.stderr, flush=True)
    return seed


def digests(path):
    with open(path, "rb") as handle:
        data = handle.read()
    return {"sha256": hashlib.sha256(data).hexdigest(), "md5": hashlib.md5(data).hexdigest(),
            "size": str(len(data))}


def sha256_of(path):
    return digests(path)["sha256"]


def _add_bytes(tar, name, data, mode=0o644):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    info.mtime = 1700000000
    tar.addfile(info, io.BytesIO(data))


def _add_symlink(tar, name, target):
    info = tarfile.TarInfo(name)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    info.mode = 0o777
    info.mtime = 1700000000
    tar.addfile(info)


def _add_dir(tar, name):
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    info.mtime = 1700000000
    tar.addfile(info)


def write_archive(path, top, files, license_text, big_bytes=BIG_LIBRARY_BYTES):
    """A .tar.xz in NVIDIA's layout: `top/` with `files` (see CUDA_COMPONENTS) and a LICENSE."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with tarfile.open(path, "w:xz", preset=0) as tar:
        _add_dir(tar, top)
        folders = set()
        for name in sorted(files):
            parent = os.path.dirname(name)
            while parent and parent not in folders:
                folders.add(parent)
                parent = os.path.dirname(parent)
        for folder in sorted(folders):
            _add_dir(tar, f"{top}/{folder}")
        for name, content in sorted(files.items()):
            if content == "@big":
                content = random.Random(name).randbytes(big_bytes)
            if isinstance(content, tuple) and content[0] == "link":
                _add_symlink(tar, f"{top}/{name}", content[1])
            elif isinstance(content, tuple) and content[0] == "exec":
                _add_bytes(tar, f"{top}/{name}", content[1], 0o755)
            else:
                _add_bytes(tar, f"{top}/{name}", content)
        _add_bytes(tar, f"{top}/LICENSE", license_text.encode())


def archive_top(component, version, variant=None):
    return f"{component}-{PLATFORM}-{version}{'_' + variant if variant else ''}-archive"


def _entry(product, component, version, relative, top, files):
    return {"product": product, "component": component, "version": version, "relative_path": relative,
            "name": os.path.basename(relative), "url_path": f"/{product}/redist/{relative}", "top": top,
            "files": sorted(files)}


def entry_path(root, entry):
    """The archive file of a build_mirror() entry in the mirror at `root`."""
    return os.path.join(root, entry["product"], "redist", entry["relative_path"])


def build_mirror(out, big_bytes=BIG_LIBRARY_BYTES, with_cudnn=True):
    """Writes the synthetic mirror under `out`; returns {component or "cudnn/cuda11": entry info}.

    Entry info: product, component, version, relative_path, name (the archive's file name),
    url_path (its path below the mirror's root URL), top (its top folder), files (the paths
    below the top folder, LICENSE excluded). entry_path(out, entry) is the archive's file.
    """
    entries = {}
    redist = os.path.join(out, "cuda", "redist")
    manifest = {"release_date": "2024-04-12", "release_label": CUDA_VERSION, "release_product": "cuda"}
    for component, (version, files) in CUDA_COMPONENTS.items():
        top = archive_top(component, version)
        relative = f"{component}/{PLATFORM}/{top}.tar.xz"
        path = os.path.join(redist, relative)
        write_archive(path, top, files, f"License of {component} {version} (test mirror)\n", big_bytes)
        manifest[component] = {
            "name": f"CUDA {component} (test mirror)", "license": "CUDA Toolkit",
            "license_path": f"{component}/LICENSE.txt", "version": version,
            PLATFORM: {"relative_path": relative, **digests(path)},
        }
        entries[component] = _entry("cuda", component, version, relative, top, files)
    with open(os.path.join(redist, f"redistrib_{CUDA_VERSION}.json"), "w") as handle:
        json.dump(manifest, handle, indent=4)
    if not with_cudnn:
        return entries

    redist = os.path.join(out, "cudnn", "redist")
    manifest = {"release_date": "2024-04-17", "release_label": CUDNN_VERSION, "release_product": "cudnn",
                "cudnn": {"name": "NVIDIA CUDA Deep Neural Network library", "license": "cudnn",
                          "license_path": "cudnn/LICENSE.txt", "version": CUDNN_BUILD,
                          "cuda_variant": ["11", "12"], PLATFORM: {}}}
    for variant in ("cuda12", "cuda11"):
        top = archive_top("cudnn", CUDNN_BUILD, variant)
        relative = f"cudnn/{PLATFORM}/{top}.tar.xz"
        path = os.path.join(redist, relative)
        files = {name: content.replace(b"%(variant)s", variant.encode()) if isinstance(content, bytes) else content
                 for name, content in CUDNN_FILES.items()}
        write_archive(path, top, files, f"License of cuDNN {CUDNN_BUILD} (test mirror)\n")
        manifest["cudnn"][PLATFORM][variant] = {"relative_path": relative, **digests(path)}
        entries["cudnn/" + variant] = _entry("cudnn", "cudnn", CUDNN_BUILD, relative, top, files)
    entries["cudnn"] = entries["cudnn/cuda12"]
    with open(os.path.join(redist, f"redistrib_{CUDNN_VERSION}.json"), "w") as handle:
        json.dump(manifest, handle, indent=4)
    return entries


def manifest_path(root, product):
    version = CUDA_VERSION if product == "cuda" else CUDNN_VERSION
    return os.path.join(root, product, "redist", f"redistrib_{version}.json")


def repoint(root, component, new_archive, recompute_sha256=True, variant="cuda12"):
    """Puts `new_archive` behind `component`'s manifest entry in the mirror at `root`.

    The archive replaces the file at the entry's relative_path. size (and, when
    `recompute_sha256`, sha256 and md5) are updated; without it the manifest keeps the old
    sha256, which no longer matches. Returns the entry's archive path in the mirror.
    """
    product = "cudnn" if component == "cudnn" else "cuda"
    path = manifest_path(root, product)
    with open(path) as handle:
        manifest = json.load(handle)
    entry = manifest[component][PLATFORM]
    if product == "cudnn":
        entry = entry[variant]
    target = os.path.join(root, product, "redist", entry["relative_path"])
    shutil.copyfile(new_archive, target)
    fresh = digests(target)
    entry["size"] = fresh["size"]
    if recompute_sha256:
        entry["sha256"] = fresh["sha256"]
        entry["md5"] = fresh["md5"]
    with open(path, "w") as handle:
        json.dump(manifest, handle, indent=4)
    return target


def make_traversal_archive(path, top, name="../evil"):
    """A .tar.xz in NVIDIA's layout plus one entry `name` (default `../evil`) that leaves it."""
    with tarfile.open(path, "w:xz", preset=0) as tar:
        _add_dir(tar, top)
        _add_dir(tar, f"{top}/include")
        _add_bytes(tar, f"{top}/include/ok.h", b"/* harmless */\n")
        _add_bytes(tar, f"{top}/LICENSE", b"License (malicious test archive)\n")
        _add_bytes(tar, name, b"written outside the destination\n")
    return path


def make_symlink_escape_archive(path, top, link_target, leaf="pwned"):
    """A .tar.xz whose `top/lib/escape` is a symlink to `link_target` (an absolute folder, or
    a relative `../..` path that leaves the archive), followed by an entry
    `top/lib/escape/LEAF` that would write through it."""
    with tarfile.open(path, "w:xz", preset=0) as tar:
        _add_dir(tar, top)
        _add_dir(tar, f"{top}/lib")
        _add_bytes(tar, f"{top}/LICENSE", b"License (malicious test archive)\n")
        _add_symlink(tar, f"{top}/lib/escape", link_target)
        _add_bytes(tar, f"{top}/lib/escape/{leaf}", b"written through a symlink\n")
    return path


def make_archive_with(path, top, add):
    """A .tar.xz in NVIDIA's layout (top folder, include/ok.h, LICENSE) to which `add(tar)`
    adds more entries (see tar_entry)."""
    with tarfile.open(path, "w:xz", preset=0) as tar:
        _add_dir(tar, top)
        _add_dir(tar, f"{top}/include")
        _add_bytes(tar, f"{top}/include/ok.h", b"/* harmless */\n")
        _add_bytes(tar, f"{top}/LICENSE", b"License (test archive)\n")
        add(tar)
    return path


def tar_entry(tar, name, kind="file", data=b"", mode=0o644, link=""):
    """Adds one entry to `tar`: kind file, symlink, hardlink, chr (a character device) or fifo."""
    info = tarfile.TarInfo(name)
    info.mode = mode
    info.mtime = 1700000000
    info.type = {"file": tarfile.REGTYPE, "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE,
                 "chr": tarfile.CHRTYPE, "fifo": tarfile.FIFOTYPE}[kind]
    info.linkname = link
    if kind == "chr":
        info.devmajor, info.devminor = 1, 3
    info.size = len(data) if kind == "file" else 0
    tar.addfile(info, io.BytesIO(data) if kind == "file" else None)


def make_bomb_archive(path, top, declared=1 << 40):
    """A .tar.xz whose `top/lib/bomb.so` declares `declared` bytes (1 TiB) but whose data is
    cut short: a decompression bomb's header, built without compressing a terabyte."""
    import lzma
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        _add_dir(tar, top)
        _add_bytes(tar, f"{top}/LICENSE", b"License (test archive)\n")
    header = tarfile.TarInfo(f"{top}/lib/bomb.so")
    header.size = declared
    header.mtime = 1700000000
    body = raw.getvalue().rstrip(b"\0")
    body += b"\0" * (-len(body) % 512)
    data = body + header.tobuf(format=tarfile.GNU_FORMAT) + b"\0" * (1 << 20)
    with open(path, "wb") as handle:
        handle.write(lzma.compress(data, preset=0))
    return path


# --- the loopback server ---------------------------------------------------------------

def start_server(root, extra_args=(), test=None):
    """Starts envsetup_test_server serving `root` on 127.0.0.1; returns (process, base_url).

    With `test`, the server is stopped by test.addCleanup; else call stop_server(process).
    The server exits when its stdin closes.
    """
    errors = tempfile.TemporaryFile(mode="w+")  # a file, not a pipe: the server never blocks on it
    process = subprocess.Popen([SERVER, "--root", root, *extra_args], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=errors, text=True)
    process.errors = errors
    line = process.stdout.readline().strip()
    if not line.startswith(("http://127.0.0.1:", "https://127.0.0.1:")):
        process.stdin.close()
        process.wait(timeout=10)
        errors.seek(0)
        message = errors.read()
        stop_server(process)
        raise RuntimeError(f"envsetup_test_server did not start: {line!r} {message}")
    if test is not None:
        test.addCleanup(stop_server, process)
    return process, line


def stop_server(process):
    """Stops a start_server() process (closing its stdin ends it); safe to call twice."""
    if process.poll() is None:
        try:
            process.stdin.close()
            process.wait(timeout=5)
        except (subprocess.TimeoutExpired, OSError):
            process.kill()
            process.wait()
    for stream in (process.stdin, process.stdout, getattr(process, "errors", None)):
        if stream is not None:
            stream.close()


def make_certificate(folder):
    """A self-signed certificate for IP 127.0.0.1 with the openssl CLI: (cert, key), or None."""
    if shutil.which("openssl") is None:
        return None
    cert = os.path.join(folder, "cert.pem")
    key = os.path.join(folder, "key.pem")
    result = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                             "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                             "-addext", "subjectAltName=IP:127.0.0.1",
                             "-addext", "basicConstraints=critical,CA:TRUE"],
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        return None
    return cert, key


# --- running envsetup --------------------------------------------------------------------

PROXY_VARIABLES = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                   "ftp_proxy", "FTP_PROXY")


def envsetup_env(home, extra=None):
    """The environment of an envsetup run: HOME and XDG folders under `home`, no proxies,
    no ENVSETUP_* defaults from the caller, fast retries."""
    env = dict(os.environ)
    for name in list(env):
        if name.startswith("ENVSETUP_") and name not in ("ENVSETUP_BIN", "ENVSETUP_TEST_SERVER",
                                                         "ENVSETUP_SOURCE_DIR"):
            del env[name]
    for name in PROXY_VARIABLES:
        env.pop(name, None)
    env.update({
        "HOME": home,
        "XDG_CACHE_HOME": os.path.join(home, ".cache"),
        "XDG_DATA_HOME": os.path.join(home, ".local", "share"),
        "no_proxy": "127.0.0.1,localhost",
        "ENVSETUP_TEST_FAST_RETRY": "1",
        # the machine's /etc/envsetup/config.toml must not change what a test sees
        "ENVSETUP_SYSTEM_CONFIG": os.path.join(home, "no-system-config.toml"),
    })
    env.update(extra or {})
    return env


def run_envsetup(home, *args, env=None, timeout=120, **kwargs):
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=envsetup_env(home, env),
                          timeout=timeout, **kwargs)


def start_envsetup(home, *args, env=None, **kwargs):
    return subprocess.Popen([BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=envsetup_env(home, env), **kwargs)


def json_lines(text):
    """The JSON documents of a --json output, one a line (strict: each line is one document)."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def json_documents(text):
    """The JSON documents of an output, one after the other, however they are split in lines."""
    decoder = json.JSONDecoder()
    documents = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            return documents
        document, position = decoder.raw_decode(text, position)
        documents.append(document)


class Workspace:
    """Per-test temporary folders: home, cache, store and a scratch area, removed afterwards."""

    def __init__(self, test):
        self.root = tempfile.mkdtemp(prefix="envsetup-cli-")
        test.addCleanup(shutil.rmtree, self.root, True)
        self.home = self.path("home")
        self.cache = self.path("cache")
        self.store = self.path("store")
        os.makedirs(self.home)

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def run(self, *args, **kwargs):
        return run_envsetup(self.home, *args, **kwargs)

    def start(self, *args, **kwargs):
        return start_envsetup(self.home, *args, **kwargs)


def tree_files(root):
    """Relative paths of every non-folder entry (files and symlinks) below `root`."""
    found = set()
    for folder, dirs, files in os.walk(root):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            found.add(os.path.relpath(os.path.join(folder, name), root))
    return found


# --- the shared mirror and a base class ------------------------------------------------

_SHARED = {}


def shared_mirror():
    """(root, entries) of one synthetic mirror per process, built on first use; read-only for
    tests (copy it with copy_mirror to change it)."""
    if "root" not in _SHARED:
        root = tempfile.mkdtemp(prefix="envsetup-mirror-")
        atexit.register(shutil.rmtree, root, True)
        _SHARED["entries"] = build_mirror(root)
        _SHARED["root"] = root
    return _SHARED["root"], _SHARED["entries"]


class MirrorTestCase(unittest.TestCase):
    """A test with its own Workspace (self.ws) and the shared mirror (self.mirror, self.entries)."""

    def setUp(self):
        self.mirror, self.entries = shared_mirror()
        self.ws = Workspace(self)

    def serve(self, root=None, *extra_args):
        """Serves `root` (default: the shared mirror) for this test; returns the base URL."""
        return start_server(root or self.mirror, extra_args, test=self)[1]

    def copy_mirror(self, name="mirror"):
        """A private copy of the shared mirror, to modify."""
        target = self.ws.path(name)
        shutil.copytree(self.mirror, target)
        return target

    def assertExit(self, result, code, what=""):
        self.assertEqual(result.returncode, code,
                         f"{what}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}")
