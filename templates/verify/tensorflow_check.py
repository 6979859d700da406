# SPDX-License-Identifier: Apache-2.0
# envsetup framework check for TensorFlow (docs/verify-checks.md); envsetup runs it after
# common.py, which provides run_check() and the JSON line.

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def check(result):
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


run_check("tensorflow", check)
