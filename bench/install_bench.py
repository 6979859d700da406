#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Install benchmark: `envsetup install` against a sequential baseline
(`curl -O` + `sha256sum` + `tar -xJf` per archive, then the same merge with `cp -al`), the
xz-decode floor (every archive decoded on all cores, output discarded), a no-op reinstall, a
second prefix of the same toolkit, the largest archive alone (against `xz -dc` and `xz -T0 -dc`)
and a rate-limited link. All in one run, over a loopback server.

    bench/install_bench.py [--build build/release] [--source-mb 1500] [--source DIR]

The archives are NVIDIA-layout tar.xz files made from the real libraries of --source
(default /usr/local/cuda-13.0), so they compress like NVIDIA's.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


def run_measured(argv, env=None):
    # ru_maxrss counts the forked child from before its exec, when it shares this script's
    # memory: keep this script small (hash files in blocks) or the figure is ours, not envsetup's.
    # Every timed run starts on a quiet disk: what earlier runs left to write back is flushed
    # first (envsetup syncs what it writes, so it would otherwise also pay for that).
    os.sync()
    start = time.monotonic()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"error: {' '.join(argv)} failed: {process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024.0


def make_mirror(source, root, budget_mb):
    """One archive per large library of `source` until `budget_mb` of input is used."""
    lib = os.path.join(source, "lib")
    libraries = sorted((f for f in os.listdir(lib) if ".so." in f and not os.path.islink(os.path.join(lib, f))),
                       key=lambda f: -os.path.getsize(os.path.join(lib, f)))
    redist = os.path.join(root, "cuda", "redist")
    manifest = {"release_date": "2024-04-03", "release_label": "12.4.1", "release_product": "cuda"}
    used = 0
    files = []
    for index, library in enumerate(libraries):
        size = os.path.getsize(os.path.join(lib, library))
        if used + size > budget_mb * 1024 * 1024:
            continue
        used += size
        component = f"bench_{index}"
        top = f"{component}-linux-x86_64-12.4.1-archive"
        relative = f"{component}/linux-x86_64/{top}.tar.xz"
        path = os.path.join(redist, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        subprocess.run(f"tar -C {source} --transform 's,^,{top}/,' -cf - lib/{library} | xz -T0 -3 > {path}",
                       shell=True, check=True)
        digest = hashlib.sha256()
        with open(path, "rb") as handle:  # in blocks: a forked child's ru_maxrss starts at ours
            for block in iter(lambda: handle.read(8 << 20), b""):
                digest.update(block)
        manifest[component] = {"name": component, "version": "12.4.1",
                               "linux-x86_64": {"relative_path": relative, "sha256": digest.hexdigest(),
                                                "md5": "", "size": str(os.path.getsize(path))}}
        files.append(relative)
    with open(os.path.join(redist, "redistrib_12.4.1.json"), "w") as handle:
        json.dump(manifest, handle)
    compressed = sum(os.path.getsize(os.path.join(redist, f)) for f in files)
    return files, used, compressed


def baseline(url, files, work):
    os.makedirs(work)
    start = time.monotonic()
    prefix = os.path.join(work, "prefix")
    for relative in files:
        name = os.path.join(work, os.path.basename(relative))
        subprocess.run(["curl", "-sS", "-f", "-o", name, f"{url}/cuda/redist/{relative}"], check=True)
        subprocess.run(["sha256sum", name], check=True, stdout=subprocess.DEVNULL)
        staging = os.path.join(work, "staging", os.path.basename(relative))
        os.makedirs(staging)
        subprocess.run(["tar", "-xJf", name, "-C", staging, "--strip-components=1"], check=True)
    for component in os.listdir(os.path.join(work, "staging")):
        subprocess.run(["cp", "-al", os.path.join(work, "staging", component) + "/.", prefix + "/"], check=True) \
            if os.path.isdir(prefix) else shutil.copytree(os.path.join(work, "staging", component), prefix,
                                                          copy_function=os.link)
    return time.monotonic() - start


def xz_floor(mirror, files):
    os.sync()
    start = time.monotonic()
    paths = " ".join(os.path.join(mirror, "cuda", "redist", f) for f in files)
    subprocess.run(f"printf '%s\\n' {paths} | xargs -P {os.cpu_count()} -n 1 sh -c 'xz -dc \"$0\" > /dev/null'",
                   shell=True, check=True)
    return time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build/release")
    parser.add_argument("--source", default="/usr/local/cuda-13.0")
    parser.add_argument("--source-mb", type=int, default=1500)
    parser.add_argument("--cap-mb", type=int, default=25,
                        help="per-connection rate of the second, slow-link run (0: skip it)")
    args = parser.parse_args()
    if not os.path.isdir(os.path.join(args.source, "lib")):
        sys.exit(f"error: {args.source}/lib not found; pass --source with a CUDA tree")
    envsetup = os.path.abspath(os.path.join(args.build, "envsetup"))
    server_binary = os.path.abspath(os.path.join(args.build, "tests", "support", "envsetup_test_server"))
    work = tempfile.mkdtemp(prefix="envsetup-install-bench-", dir="/var/tmp")
    try:
        mirror = os.path.join(work, "mirror")
        files, raw, compressed = make_mirror(args.source, mirror, args.source_mb)
        print(f"{len(files)} archives: {compressed / 2**20:.0f} MiB of tar.xz, {raw / 2**20:.0f} MiB extracted")
        server = subprocess.Popen([server_binary, "--root", mirror, "--no-stdin"], stdout=subprocess.PIPE, text=True)
        url = server.stdout.readline().strip()
        try:
            base = baseline(url, files, os.path.join(work, "baseline"))
            shutil.rmtree(os.path.join(work, "baseline"))
            floor = xz_floor(mirror, files)
            store, cache = os.path.join(work, "store"), os.path.join(work, "cache")
            command = [envsetup, "install", "--cuda", "12.4.1", "--components", "all", "--mirror", url,
                       "--cache", cache, "--store", store, "--quiet"]
            env = dict(os.environ, HOME=os.path.join(work, "home"))
            # Cold installs (into fresh stores and caches), median of 3 each, the variants
            # alternating, and the floor measured between rounds: the default; without
            # extracting while downloading; with libarchive decoding each archive on one thread.
            variants = {"default": {}, "no-streaming": {"ENVSETUP_EXTRACT_WHILE_DOWNLOADING": "0"},
                        "libarchive-xz": {"ENVSETUP_PARALLEL_XZ": "0"}}
            times = {name: [] for name in variants}
            floors = [floor]
            for round_ in range(3):
                for name, settings in variants.items():
                    fresh = os.path.join(work, f"fresh-{round_}-{name}")
                    argv = [envsetup, "install", "--cuda", "12.4.1", "--components", "all", "--mirror", url,
                            "--cache", fresh + "-cache", "--store", fresh + "-store", "--quiet",
                            "--prefix", fresh + "-prefix"]
                    times[name].append(run_measured(argv, dict(env, **settings)))
                    for suffix in ("-cache", "-store", "-prefix"):
                        shutil.rmtree(fresh + suffix)
                if round_ < 2:
                    floors.append(xz_floor(mirror, files))
            floor = sorted(floors)[1]
            cold, rss = sorted(times["default"])[1]
            rss = max(r for _, r in times["default"])
            after, _ = sorted(times["no-streaming"])[1]
            serial, _ = sorted(times["libarchive-xz"])[1]
            run_measured(command + ["--prefix", os.path.join(work, "p1")], env)
            noop, _ = run_measured(command + ["--prefix", os.path.join(work, "p1")], env)
            second, _ = run_measured(command + ["--prefix", os.path.join(work, "p2")], env)
            gb = raw / 2**30
            print(f"  baseline (curl -O + sha256sum + tar -xJf, sequential, cp -al merge) {base:7.2f} s  ratio 1.00")
            print(f"  floor: xz -d of every archive on {os.cpu_count()} cores               {floor:7.2f} s  ratio {floor / base:.2f}")
            print(f"  envsetup install, cold                                       {cold:7.2f} s  ratio {cold / base:.2f}"
                  f" (target <= 0.6), {cold / floor:.2f}x the floor (target <= 1.15), peak RSS {rss:.1f} MB")
            print(f"  envsetup install, cold, extracting only after the downloads {after:7.2f} s  ratio {after / base:.2f}"
                  f", {after / floor:.2f}x the floor")
            print(f"  envsetup install, cold, libarchive decoding (one thread each) {serial:7.2f} s  ratio {serial / base:.2f}"
                  f", {serial / floor:.2f}x the floor")
            print(f"  envsetup install, no-op reinstall                            {noop:7.3f} s  (target <= 0.2 s)")
            print(f"  envsetup install, second prefix from the store               {second:7.2f} s  "
                  f"= {second / gb:.2f} s per GB (target <= 1 s/GB)")
            single_archive(envsetup, url, work, mirror, files[0], env)
        finally:
            server.terminate()
            server.wait()
        if args.cap_mb:
            slow_link(args, envsetup, server_binary, work, files, floor)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def single_archive(envsetup, url, work, mirror, relative, env):
    """The largest archive alone: per-archive parallelism leaves all cores but one idle, so
    this shows what decoding its blocks on every core gives (median of 3, alternating)."""
    component = relative.split("/")[0]
    path = os.path.join(mirror, "cuda", "redist", relative)
    results = {"xz -dc": [], "xz -T0 -dc": [], "envsetup": [], "envsetup, libarchive-xz": []}
    for round_ in range(3):
        for tool in ("xz -dc", "xz -T0 -dc"):
            os.sync()
            start = time.monotonic()
            subprocess.run(f"{tool} {path} > /dev/null", shell=True, check=True)
            results[tool].append(time.monotonic() - start)
        for name, settings in (("envsetup", {}), ("envsetup, libarchive-xz", {"ENVSETUP_PARALLEL_XZ": "0"})):
            fresh = os.path.join(work, f"single-{round_}-{len(settings)}")
            argv = [envsetup, "install", "--cuda", "12.4.1", "--components", component, "--mirror", url,
                    "--cache", fresh + "-cache", "--store", fresh + "-store", "--quiet", "--prefix", fresh + "-prefix"]
            results[name].append(run_measured(argv, dict(env, **settings))[0])
            for suffix in ("-cache", "-store", "-prefix"):
                shutil.rmtree(fresh + suffix)
    median = {name: sorted(values)[1] for name, values in results.items()}
    print(f"the largest archive alone ({os.path.getsize(path) / 2**20:.0f} MiB of tar.xz):")
    print(f"  xz -dc (one thread)                                          {median['xz -dc']:7.2f} s  ratio 1.00")
    print(f"  xz -T0 -dc (every core)                                      {median['xz -T0 -dc']:7.2f} s  ratio "
          f"{median['xz -T0 -dc'] / median['xz -dc']:.2f}")
    print(f"  envsetup install (download, verify, extract)                 {median['envsetup']:7.2f} s  ratio "
          f"{median['envsetup'] / median['xz -dc']:.2f}")
    print(f"  same, libarchive decoding (ENVSETUP_PARALLEL_XZ=0)           {median['envsetup, libarchive-xz']:7.2f} s  "
          f"ratio {median['envsetup, libarchive-xz'] / median['xz -dc']:.2f}")


def slow_link(args, envsetup, server_binary, work, files, floor):
    """A capped link, where downloads take as long as extraction: extracting while downloading
    should make the install take about max(download, extraction), not their sum."""
    mirror = os.path.join(work, "mirror")
    server = subprocess.Popen([server_binary, "--root", mirror, "--no-stdin", "--rate", str(args.cap_mb << 20)],
                              stdout=subprocess.PIPE, text=True)
    url = server.stdout.readline().strip()
    try:
        target = os.path.join(work, "raw")
        os.makedirs(target)
        argv = ["curl", "-sS", "-f", "--parallel", "--parallel-max", "4", "--no-progress-meter"]
        for relative in files:
            argv += ["-o", os.path.join(target, os.path.basename(relative)), f"{url}/cuda/redist/{relative}"]
        start = time.monotonic()
        subprocess.run(argv, check=True)
        download = time.monotonic() - start
        shutil.rmtree(target)
        command = [envsetup, "install", "--cuda", "12.4.1", "--components", "all", "--mirror", url,
                   "--cache", os.path.join(work, "cache-slow"), "--store", os.path.join(work, "store-slow"),
                   "--quiet", "--prefix", os.path.join(work, "p-slow")]
        cold, _ = run_measured(command, dict(os.environ, HOME=os.path.join(work, "home")))
        print(f"capped at {args.cap_mb} MiB/s per connection:")
        print(f"  download alone (curl --parallel 4)                           {download:7.2f} s")
        print(f"  download + floor (one after the other)                        {download + floor:7.2f} s  ratio 1.00")
        print(f"  envsetup install, cold                                       {cold:7.2f} s  ratio "
              f"{cold / (download + floor):.2f}, {cold / max(download, floor):.2f}x max(download, floor)")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
