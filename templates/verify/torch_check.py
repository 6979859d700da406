# SPDX-License-Identifier: Apache-2.0
# envsetup framework check for PyTorch (docs/verify-checks.md); envsetup runs it after
# common.py, which provides run_check() and the JSON line.


def check(result):
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


run_check("torch", check)
