# SPDX-License-Identifier: Apache-2.0
# The part every envsetup framework check shares (docs/verify-checks.md): envsetup runs
# `python -c <this text + the framework's script>`, which prints exactly one JSON line on
# stdout whatever happens.
import json
import os
import site
import sys

CUDA_LIBRARIES = ("libcuda.so", "libcudart", "libcublas", "libcudnn", "libcufft", "libcurand",
                  "libcusolver", "libcusparse", "libnccl", "libnvrtc", "libnvJitLink", "libnvidia-")


def loaded_libraries():
    found = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                fields = line.split(None, 5)
                if len(fields) == 6:
                    path = fields[5].strip()
                    if os.path.basename(path).startswith(CUDA_LIBRARIES):
                        found.add(path)
    except OSError:
        pass
    return sorted(found)


def site_packages():
    try:
        return site.getsitepackages()
    except AttributeError:
        return [p for p in sys.path if p.endswith("site-packages")]


def run_check(framework, check):
    """Calls check(result) to fill `result`, then prints it with the CUDA libraries loaded."""
    result = {"framework": framework, "prefix": sys.prefix, "site_packages": site_packages()}
    try:
        check(result)
    except BaseException as error:  # noqa: B036 - every failure must still print JSON
        result["error"] = "%s: %s" % (type(error).__name__, error)
    result["libraries"] = loaded_libraries()
    print(json.dumps(result))
