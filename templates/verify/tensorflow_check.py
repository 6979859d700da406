# SPDX-License-Identifier: Apache-2.0
# envsetup framework check for TensorFlow (docs/verify-checks.md). Prints exactly one JSON
# line on stdout, whatever happens; envsetup runs it as `python -c <this text>`.
import json
import os
import site
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
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


result = {"framework": "tensorflow", "prefix": sys.prefix, "site_packages": site_packages()}
try:
    import tensorflow as tf
    result["version"] = str(tf.__version__)
    info = tf.sysconfig.get_build_info()
    result["cuda_build"] = info.get("cuda_version") if info.get("is_cuda_build") else None
    gpus = tf.config.list_physical_devices("GPU")
    result["cuda_available"] = len(gpus) > 0
    if gpus:
        result["devices"] = []
        for gpu in gpus:
            details = tf.config.experimental.get_device_details(gpu)
            major, minor = details.get("compute_capability", (0, 0))
            result["devices"].append({"name": details.get("device_name", gpu.name),
                                      "capability": "%d.%d" % (major, minor)})
        with tf.device("/CPU:0"):
            a = tf.random.normal((1024, 1024))
            b = tf.random.normal((1024, 1024))
            expected = tf.matmul(a, b)
        with tf.device("/GPU:0"):
            got = tf.matmul(a, b)
        scale = max(float(tf.reduce_max(tf.abs(expected))), 1e-30)
        result["matmul_max_error"] = float(tf.reduce_max(tf.abs(got - expected))) / scale
except BaseException as error:  # noqa: B036 - every failure must still print JSON
    result["error"] = "%s: %s" % (type(error).__name__, error)
result["libraries"] = loaded_libraries()
print(json.dumps(result))
