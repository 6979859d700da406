# SPDX-License-Identifier: Apache-2.0
# envsetup framework check for JAX (docs/verify-checks.md); envsetup runs it after
# common.py, which provides run_check() and the JSON line.


def check(result):
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


run_check("jax", check)
