# SPDX-License-Identifier: Apache-2.0
# envsetup framework check for PyTorch (docs/verify-checks.md). Prints exactly one JSON line
# on stdout, whatever happens; envsetup runs it as `python -c <this text>`.
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


result = {"framework": "torch", "prefix": sys.prefix, "site_packages": site_packages()}
try:
    import torch
    result["version"] = str(torch.__version__)
    result["cuda_build"] = torch.version.cuda
    result["cuda_available"] = bool(torch.cuda.is_available())
    if result["cuda_available"]:
        result["devices"] = []
        for index in range(torch.cuda.device_count()):
            major, minor = torch.cuda.get_device_capability(index)
            result["devices"].append({"name": torch.cuda.get_device_name(index),
                                      "capability": "%d.%d" % (major, minor)})
        a = torch.randn(1024, 1024)
        b = torch.randn(1024, 1024)
        expected = a @ b
        got = (a.cuda() @ b.cuda()).cpu()
        scale = max(float(expected.abs().max()), 1e-30)
        result["matmul_max_error"] = float((got - expected).abs().max()) / scale
        x = torch.randn(8, 3, 32, 32)
        w = torch.randn(16, 3, 3, 3)
        conv_cpu = torch.nn.functional.conv2d(x, w)
        conv_gpu = torch.nn.functional.conv2d(x.cuda(), w.cuda()).cpu()
        conv_scale = max(float(conv_cpu.abs().max()), 1e-30)
        result["conv_ok"] = float((conv_gpu - conv_cpu).abs().max()) / conv_scale < 1e-2
        version = torch.backends.cudnn.version()
        result["cudnn_version"] = None if version is None else str(version)
except BaseException as error:  # noqa: B036 - every failure must still print JSON
    result["error"] = "%s: %s" % (type(error).__name__, error)
result["libraries"] = loaded_libraries()
print(json.dumps(result))
