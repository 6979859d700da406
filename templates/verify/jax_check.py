# SPDX-License-Identifier: Apache-2.0
# envsetup framework check for JAX (docs/verify-checks.md). Prints exactly one JSON line on
# stdout, whatever happens; envsetup runs it as `python -c <this text>`.
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


result = {"framework": "jax", "prefix": sys.prefix, "site_packages": site_packages()}
try:
    import jax
    import jax.numpy as jnp
    import numpy as np
    result["version"] = str(jax.__version__)
    try:
        gpus = jax.devices("gpu")
    except RuntimeError:
        gpus = []
    plugins = [name for name in ("jax_cuda13_plugin", "jax_cuda12_plugin")
               if any(os.path.isdir(os.path.join(p, name)) for p in site_packages())]
    result["cuda_build"] = plugins[0][len("jax_cuda"):-len("_plugin")] if plugins else None
    result["cuda_available"] = len(gpus) > 0
    if gpus:
        result["devices"] = [{"name": getattr(d, "device_kind", str(d)),
                              "capability": str(getattr(d, "compute_capability", "?"))} for d in gpus]
        rng = np.random.default_rng(0)
        a = rng.standard_normal((1024, 1024), dtype=np.float32)
        b = rng.standard_normal((1024, 1024), dtype=np.float32)
        expected = a @ b
        got = np.asarray(jnp.dot(jax.device_put(a, gpus[0]), jax.device_put(b, gpus[0])))
        scale = max(float(np.abs(expected).max()), 1e-30)
        result["matmul_max_error"] = float(np.abs(got - expected).max()) / scale
except BaseException as error:  # noqa: B036 - every failure must still print JSON
    result["error"] = "%s: %s" % (type(error).__name__, error)
result["libraries"] = loaded_libraries()
print(json.dumps(result))
