#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generates the inputs of bench/inspect.sh (issue 15): a ~1 GiB shared library whose `.nv_fatbin`
section holds thousands of real nvcc-built fatbins, and a venv-like tree with a large framework.

    bench/make_big_fatbin_library.py OUT_DIR [--library-mb 1024] [--framework-mb 400]
                                     [--small-libs 300] [--nvcc PATH]

Writes (everything under OUT_DIR, which must not be inside the repository):
  OUT_DIR/libbig_fatbin.so   host .so built by cc + an added non-alloc `.nv_fatbin` section
  OUT_DIR/venv/              pyvenv.cfg, lib/python3.11/site-packages/{bigfw,smallext} + dist-info RECORDs
  OUT_DIR/expected.json      per library: fatbins, entries, SASS and PTX targets, section names
  OUT_DIR/.cache/            the nvcc outputs, keyed by source, flags and nvcc version (reused)

How: nvcc compiles one source of 40 template-instantiated kernels a few times (each run one
target list and one compression mode: uncompressed cubins, `-compress-all` ZSTD, LZ4) into
`.fatbin` containers; those are replicated in a seeded pseudo-random order with 0 or 8 zero
bytes between them (the last fatbin of each large section is the only one with sm_87, so a reader
that stops early is caught), and appended to small host libraries as new sections (a new section header
table and shstrtab at the end of the file, the original ones left unused). No GPU is needed.
The output is deterministic for a given nvcc and cc. Only nvcc runs cost time (cached).
"""
import argparse
import base64
import hashlib
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import time

FATBIN_MAGIC = 0xBA55ED50
SEED = 15

# The kernels: 40 instantiations, ~130 KB of SASS per target.
KERNELS_CU = r"""
template <int N, typename T>
__global__ void axpy(T* y, const T* x, T a, int n) {
  int i = (blockIdx.x * blockDim.x + threadIdx.x) * N;
#pragma unroll
  for (int k = 0; k < N; ++k)
    if (i + k < n) y[i + k] = a * x[i + k] + y[i + k] * T(k + 1);
}
template <int B, typename T>
__global__ void reduce(T* out, const T* in, int n) {
  __shared__ T s[B];
  T v = T(0);
  for (int i = blockIdx.x * B + threadIdx.x; i < n; i += gridDim.x * B) v += in[i];
  s[threadIdx.x] = v;
  __syncthreads();
#pragma unroll
  for (int w = B / 2; w > 0; w /= 2) {
    if (threadIdx.x < w) s[threadIdx.x] += s[threadIdx.x + w];
    __syncthreads();
  }
  if (threadIdx.x == 0) out[blockIdx.x] = s[0];
}
#define AXPY(N, T) template __global__ void axpy<N, T>(T*, const T*, T, int);
#define RED(B, T) template __global__ void reduce<B, T>(T*, const T*, int);
#define ALL(T) AXPY(1, T) AXPY(2, T) AXPY(4, T) AXPY(8, T) AXPY(16, T) AXPY(32, T) \
               RED(64, T) RED(128, T) RED(256, T) RED(512, T)
ALL(float) ALL(double) ALL(int) ALL(long long)
"""

TINY_CU = r"""
__global__ void scale(float* a, float s, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) a[i] *= s;
}
"""

HOST_C = r"""
int envsetup_bench_host_%(n)d(int x) { return x * %(n)d + 1; }
const char* envsetup_bench_name_%(n)d(void) { return "bench-%(n)d"; }
"""


def gencode(arch, code):
    return ["-gencode", f"arch={arch},code={code}"]


# name -> (source, nvcc flags). Weights of the big library's mix are in BIG_MIX.
VARIANTS = {
    # An older-style build: uncompressed SASS for five archs, PTX (ZSTD, CUDA 13's default) for 9.0.
    "plain": (KERNELS_CU, gencode("compute_75", "sm_75") + gencode("compute_80", "sm_80") +
              gencode("compute_86", "sm_86") + gencode("compute_89", "sm_89") +
              gencode("compute_90", "[sm_90,compute_90]")),
    # Everything ZSTD-compressed, arch-specific and family targets, PTX for 12.0. (nvcc refuses
    # sm_100 next to sm_100f: the same code for a plain and a family target.)
    "zstd": (KERNELS_CU, ["-Xfatbin=-compress-all"] + gencode("compute_80", "sm_80") +
             gencode("compute_90a", "sm_90a") + gencode("compute_100f", "sm_100f") +
             gencode("compute_103", "sm_103") + gencode("compute_120", "[sm_120,compute_120]") +
             gencode("compute_121a", "sm_121a")),
    # LZ4-compressed, with family PTX.
    "lz4": (KERNELS_CU, ["-Xfatbin=-compress-mode=speed", "-Xfatbin=-compress-all"] +
            gencode("compute_90", "sm_90") + gencode("compute_100a", "sm_100a") +
            gencode("compute_100f", "compute_100f")),
    # PTX only.
    "ptx": (KERNELS_CU, gencode("compute_75", "compute_75")),
    # A small extension's build: one tiny kernel, sm_80 SASS only.
    "tiny80": (TINY_CU, gencode("compute_80", "sm_80")),
    # Only ever the last fatbin of a large section: a reader that stops early misses sm_87.
    "last": (TINY_CU, gencode("compute_87", "sm_87")),
}
BIG_MIX = [("plain", 4), ("zstd", 3), ("lz4", 2), ("ptx", 1)]
SMALL_MIX = [("tiny80", 3), ("ptx", 1)]


def run(argv, cwd=None):
    result = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        sys.exit(f"error: {' '.join(argv)} failed:\n{result.stdout.decode(errors='replace')[-3000:]}")
    return result.stdout.decode(errors="replace")


def target_name(kind, arch, flags):
    """kind 1 PTX / 2 SASS; arch major*10+minor; flags 0x100000 'a', 0x200000 'f'."""
    suffix = "a" if flags & 0x100000 else ("f" if flags & 0x200000 else "")
    prefix = {1: "compute", 2: "sm"}.get(kind, f"kind{kind}")
    return f"{prefix}_{arch}{suffix}"


def describe_fatbin(blob, what):
    """Checks that `blob` is exactly one fatbin; returns its entries [(target, ptx_isa|None, compression)]."""
    magic, _, header_size, fat_size = struct.unpack_from("<IHHQ", blob, 0)
    if magic != FATBIN_MAGIC or header_size + fat_size != len(blob):
        sys.exit(f"error: {what} is not one fatbin ({len(blob)} bytes, fat_size {fat_size})")
    entries, at, end = [], header_size, header_size + fat_size
    while at < end:
        kind, _, entry_header, payload = struct.unpack_from("<HHIQ", blob, at)
        minor, major, arch = struct.unpack_from("<HHI", blob, at + 24)
        flags, = struct.unpack_from("<Q", blob, at + 40)
        compression = "zstd" if flags & 0x8000 else ("lz4" if flags & 0x2000 else "none")
        entries.append((target_name(kind, arch, flags), f"{major}.{minor}" if kind == 1 else None, compression))
        at += entry_header + payload
    if at != end:
        sys.exit(f"error: {what}: entries overrun the fatbin")
    return entries


def build_fatbins(nvcc, cache):
    """Compiles every variant once (cached by source + flags + nvcc version); returns name -> bytes."""
    version = run([nvcc, "--version"])
    os.makedirs(cache, exist_ok=True)
    blobs = {}
    for name, (source, flags) in VARIANTS.items():
        key = hashlib.sha256(json.dumps([version, source, flags]).encode()).hexdigest()[:16]
        path = os.path.join(cache, f"{name}-{key}.fatbin")
        if not os.path.exists(path):
            src = os.path.join(cache, f"{name}.cu")
            with open(src, "w") as f:
                f.write(source)
            started = time.monotonic()
            run([nvcc, "-fatbin", "-o", path + ".tmp", src] + flags)
            os.replace(path + ".tmp", path)
            print(f"  nvcc {name}: {time.monotonic() - started:.1f} s", flush=True)
        with open(path, "rb") as f:
            blobs[name] = f.read()
        describe_fatbin(blobs[name], path)
    return blobs


def build_host_libs(cache, count):
    """`count` distinct small host-only shared libraries (cc -shared), cached; returns their bytes."""
    libs = []
    for n in range(count):
        path = os.path.join(cache, f"host{n}.so")
        if not os.path.exists(path):
            src = os.path.join(cache, f"host{n}.c")
            with open(src, "w") as f:
                f.write(HOST_C % {"n": n})
            run(["cc", "-shared", "-fPIC", "-O2", "-o", path, src])
        with open(path, "rb") as f:
            libs.append(f.read())
    return libs


def chain(blobs, mix, rng, budget, last=False):
    """Yields (fatbin name, padding) until `budget` bytes are reached (at least one fatbin); with `last`,
    the final fatbin is the "last" variant."""
    names = [name for name, weight in mix for _ in range(weight)]
    used = 0
    while used == 0 or used < budget:
        name = rng.choice(names)
        pad = (-len(blobs[name])) % 8 + (8 if rng.random() < 0.3 else 0)
        used += len(blobs[name]) + pad
        yield name, pad
    if last:
        yield "last", 0


class Writer:
    """Writes a file while hashing it (for RECORD)."""

    def __init__(self, path, hashed):
        self.file = open(path, "wb")
        self.hash = hashlib.sha256() if hashed else None
        self.size = 0

    def write(self, data):
        self.file.write(data)
        if self.hash:
            self.hash.update(data)
        self.size += len(data)

    def pad_to(self, alignment):
        self.write(bytes((-self.size) % alignment))

    def close(self):
        self.file.close()
        return self.size, self.hash.digest() if self.hash else b""


def write_library(path, base, sections, blobs, hashed=True):
    """base (an ELF64 LE .so) + sections [(name, [(fatbin name, pad)])] appended with a new shstrtab and
    section header table; the layout is computed first so the file is written (and hashed) once.
    Returns (size, urlsafe sha256 for RECORD, summary for expected.json)."""
    if base[:4] != b"\x7fELF" or base[4] != 2 or base[5] != 1:
        sys.exit("error: the host library is not a 64-bit little-endian ELF")
    shoff, = struct.unpack_from("<Q", base, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", base, 0x3A)
    headers = [bytearray(base[shoff + i * shentsize:shoff + (i + 1) * shentsize]) for i in range(shnum)]
    old_strtab_off, old_strtab_size = struct.unpack_from("<QQ", headers[shstrndx], 24)
    strtab = bytearray(base[old_strtab_off:old_strtab_off + old_strtab_size])

    summary = {"sections": [], "fatbins": 0, "entries": 0, "sass": set(), "ptx": set(), "compression": {}}
    entries_of = {}
    at = len(base)
    for name, items in sections:
        at += (-at) % 16
        size = sum(len(blobs[fatbin]) + pad for fatbin, pad in items)
        # SHT_PROGBITS, no flags (not loaded), 8-byte aligned.
        headers.append(bytearray(struct.pack("<IIQQQQIIQQ", len(strtab), 1, 0, 0, at, size, 0, 0, 8, 0)))
        strtab += name.encode() + b"\0"
        summary["sections"].append({"name": name, "offset": at, "size": size})
        at += size
        for fatbin, _ in items:
            summary["fatbins"] += 1
            if fatbin not in entries_of:
                entries_of[fatbin] = describe_fatbin(blobs[fatbin], fatbin)
            for target, isa, compression in entries_of[fatbin]:
                summary["entries"] += 1
                summary["compression"][compression] = summary["compression"].get(compression, 0) + 1
                if isa is None:
                    summary["sass"].add(target)
                else:
                    summary["ptx"].add((target, isa))
    struct.pack_into("<QQ", headers[shstrndx], 24, at, len(strtab))
    at += len(strtab)
    new_shoff = at + (-at) % 8
    head = bytearray(base)
    struct.pack_into("<Q", head, 0x28, new_shoff)
    struct.pack_into("<H", head, 0x3C, len(headers))

    out = Writer(path, hashed)
    out.write(bytes(head))
    for _, items in sections:
        out.pad_to(16)
        for fatbin, pad in items:
            out.write(blobs[fatbin])
            if pad:
                out.write(bytes(pad))
    out.write(bytes(strtab))
    out.pad_to(8)
    assert out.size == new_shoff
    for header in headers:
        out.write(bytes(header))
    size, digest = out.close()
    summary["sass"] = sorted(summary["sass"])
    summary["ptx"] = [{"target": t, "isa": isa} for t, isa in sorted(summary["ptx"])]
    return size, base64.urlsafe_b64encode(digest).rstrip(b"=").decode(), summary


def write_file(path, data):
    """A small file; returns (size, urlsafe sha256)."""
    with open(path, "wb") as f:
        f.write(data)
    digest = hashlib.sha256(data).digest()
    return len(data), base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def write_distribution(site, name, version, files):
    """dist-info (METADATA, WHEEL, INSTALLER, RECORD) for `files` {relative path: (size, hash)}."""
    info = f"{name}-{version}.dist-info"
    os.makedirs(os.path.join(site, info))
    meta = {
        "METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        "WHEEL": "Wheel-Version: 1.0\nGenerator: envsetup-bench\nRoot-Is-Purelib: false\n"
                 "Tag: cp311-cp311-linux_x86_64\n",
        "INSTALLER": "pip\n",
    }
    for leaf, text in meta.items():
        files[f"{info}/{leaf}"] = write_file(os.path.join(site, info, leaf), text.encode())
    lines = [f"{rel},sha256={digest},{size}" for rel, (size, digest) in sorted(files.items())]
    lines.append(f"{info}/RECORD,,")
    write_file(os.path.join(site, info, "RECORD"), ("\n".join(lines) + "\n").encode())


def make_venv(root, blobs, hosts, framework_bytes, small_libs, rng):
    """root/pyvenv.cfg + site-packages with `bigfw` (large CUDA libraries, many small .so files) and
    `smallext` (one extension with sm_80 SASS only). Returns {relative path: summary} of every .so."""
    site = os.path.join(root, "lib", "python3.11", "site-packages")
    for folder in ("bin", "bigfw/lib", "bigfw/ops", "smallext"):
        os.makedirs(os.path.join(site if folder != "bin" else root, folder), exist_ok=True)
    write_file(os.path.join(root, "pyvenv.cfg"),
               b"home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.7\n")
    os.symlink("/usr/bin/python3", os.path.join(root, "bin", "python3"))
    libraries, files = {}, {}

    def library(rel, base, sections):
        size, digest, summary = write_library(os.path.join(site, rel), base, sections, blobs)
        files[rel] = (size, digest)
        libraries[rel] = dict(summary, size=size)

    big = [("libbigfw_cuda.so", 0.50, BIG_MIX), ("libbigfw_kernels.so", 0.25, BIG_MIX),
           ("libbigfw_attn.so", 0.15, [("zstd", 2), ("lz4", 1)])]
    for i, (leaf, share, mix) in enumerate(big):
        items = list(chain(blobs, mix, rng, framework_bytes * share, True))
        library(f"bigfw/lib/{leaf}", hosts[i], [(".nv_fatbin", items)])
    # An NCCL-like library: a few fatbins in .nv_fatbin, the rest in __nv_relfatbin.
    library("bigfw/lib/libbigfw_comm.so", hosts[3],
            [(".nv_fatbin", list(chain(blobs, BIG_MIX, rng, 1 << 20))),
             ("__nv_relfatbin", list(chain(blobs, BIG_MIX, rng, framework_bytes * 0.10, True)))])
    library("bigfw/lib/libbigfw_cpu.so", hosts[4], [])
    for n in range(small_libs):
        if n % 3 == 0:
            sections = [(".nv_fatbin", list(chain(blobs, SMALL_MIX, rng, rng.randrange(1, 400000))))]
            library(f"bigfw/ops/_op{n:03d}.cpython-311-x86_64-linux-gnu.so", hosts[5 + n % 3], sections)
        else:
            library(f"bigfw/lib/libbigfw_util{n:03d}.so", hosts[5 + n % 3], [])
    for rel, text in (("bigfw/__init__.py", "from . import ops\n"), ("bigfw/ops/__init__.py", "")):
        files[rel] = write_file(os.path.join(site, rel), text.encode())
    write_distribution(site, "bigfw", "2.5.0", files)

    files = {}
    library("smallext/_ext.cpython-311-x86_64-linux-gnu.so", hosts[8], [(".nv_fatbin", [("tiny80", 0)])])
    files["smallext/__init__.py"] = write_file(os.path.join(site, "smallext/__init__.py"), b"")
    write_distribution(site, "smallext", "0.1.0", files)
    return libraries


def generator_digest():
    """bench/inspect.sh regenerates the data when this script changed."""
    with open(os.path.abspath(__file__), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", help="output folder (created; its library, venv and expected.json are replaced)")
    parser.add_argument("--library-mb", type=int, default=1024, help="size of libbig_fatbin.so in MiB")
    parser.add_argument("--framework-mb", type=int, default=400, help="CUDA code in the venv's framework, MiB")
    parser.add_argument("--small-libs", type=int, default=300, help="small .so files in the framework")
    parser.add_argument("--nvcc", default=shutil.which("nvcc") or "/usr/local/cuda-13.0/bin/nvcc")
    args = parser.parse_args()
    if not os.access(args.nvcc, os.X_OK):
        sys.exit(f"error: nvcc not found at {args.nvcc}; pass --nvcc PATH")
    out = os.path.abspath(args.out)
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if out == repo or out.startswith(repo + os.sep):
        sys.exit(f"error: {out} is inside the repository; generate under /tmp")
    started = time.monotonic()
    os.makedirs(out, exist_ok=True)
    cache = os.path.join(out, ".cache")
    blobs = build_fatbins(args.nvcc, cache)
    hosts = build_host_libs(cache, 9)
    compiled = time.monotonic()

    rng = random.Random(SEED)
    path = os.path.join(out, "libbig_fatbin.so")
    items = list(chain(blobs, BIG_MIX, rng, args.library_mb << 20, True))
    size, _, summary = write_library(path, hosts[0], [(".nv_fatbin", items)], blobs, hashed=False)
    big_library = dict(summary, path=path, size=size)

    venv = os.path.join(out, "venv")
    shutil.rmtree(venv, ignore_errors=True)
    libraries = make_venv(venv, blobs, hosts, args.framework_mb << 20, args.small_libs, rng)
    expected = {
        "generator": generator_digest(),
        "parameters": vars(args) | {"out": out, "seed": SEED},
        "library": big_library,
        "venv": {"path": venv, "site_packages": os.path.join(venv, "lib", "python3.11", "site-packages"),
                 "so_files": len(libraries), "bytes": sum(lib["size"] for lib in libraries.values()),
                 "cuda_libraries": sum(1 for lib in libraries.values() if lib["fatbins"]),
                 "libraries": libraries},
    }
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
    done = time.monotonic()
    print(f"{path}: {size / 2**20:.0f} MiB, {summary['fatbins']} fatbins, {summary['entries']} entries")
    print(f"{venv}: {len(libraries)} .so files, {expected['venv']['bytes'] / 2**20:.0f} MiB, "
          f"{expected['venv']['cuda_libraries']} with CUDA code")
    print(f"time: {done - started:.1f} s ({compiled - started:.1f} s compiling, {done - compiled:.1f} s writing)")


if __name__ == "__main__":
    main()
