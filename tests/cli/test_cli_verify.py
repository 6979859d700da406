# SPDX-License-Identifier: Apache-2.0
"""`envsetup verify` against fake hosts: a sysroot with /proc/driver/nvidia/version and the fake
libcuda.so.1 of tests/fakes, which really computes the matmul on the CPU. Each FAKE_CUDA_MODE
has a test of what verify reports. No GPU needed.

Run by CTest with ENVSETUP_BIN, ENVSETUP_SOURCE_DIR and ENVSETUP_FAKE_CUDA set.
"""
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import test_cli_doctor

BIN = os.environ["ENVSETUP_BIN"]
SOURCE = os.environ["ENVSETUP_SOURCE_DIR"]
FAKE_CUDA = os.environ["ENVSETUP_FAKE_CUDA"]
PTXAS = "/usr/local/cuda-13.0/bin/ptxas"
LIB = "usr/lib/x86_64-linux-gnu"
MODULE = "535.104.05"
TWO_GPUS = ("8.6|NVIDIA GeForce RTX 3090|25769803776|00000000:01:00.0|2204;"
            "9.0|NVIDIA H100 80GB HBM3|85520809984|00000000:19:00.0|2330")


def run(*args, env=None, timeout=60):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("FAKE_", "ENVSETUP_MATRIX"))}
    full_env.update(env or {})
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=full_env, timeout=timeout)


def driver_host(test, module=MODULE, libcuda=MODULE):
    """A sysroot with kernel module `module` loaded (None: none) and the fake driver library
    installed as libcuda.so.`libcuda` (None: none), with the libcuda.so.1 link."""
    root = tempfile.mkdtemp()
    test.addCleanup(shutil.rmtree, root)
    os.makedirs(os.path.join(root, LIB))
    os.makedirs(os.path.join(root, "etc"))
    with open(os.path.join(root, "etc", "os-release"), "w") as handle:
        handle.write('NAME="Debian GNU/Linux"\nVERSION_ID="12"\n')
    if module:
        os.makedirs(os.path.join(root, "proc", "driver", "nvidia"))
        with open(os.path.join(root, "proc", "driver", "nvidia", "version"), "w") as handle:
            handle.write(f"NVRM version: NVIDIA UNIX x86_64 Kernel Module  {module}  Sat Aug 19 2023\n")
    if libcuda == "1":  # a bare libcuda.so.1 file, its version unknown
        shutil.copy(FAKE_CUDA, os.path.join(root, LIB, "libcuda.so.1"))
    elif libcuda:
        shutil.copy(FAKE_CUDA, os.path.join(root, LIB, f"libcuda.so.{libcuda}"))
        os.symlink(f"libcuda.so.{libcuda}", os.path.join(root, LIB, "libcuda.so.1"))
    return root


def verify_json(test, root, *args, env=None, expect=0):
    result = run("verify", "--sysroot", root, "--json", "--size", "48", *args, env=env)
    test.assertEqual(result.returncode, expect, result.stdout + result.stderr)
    report = json.loads(result.stdout)
    test.assertEqual(set(report), {"ok", "checks", "warnings"})
    test.assertEqual(report["ok"], expect == 0)
    for check in report["checks"]:
        test.assertLessEqual(set(check), {"name", "status", "detail", "hint", "metrics"})
        test.assertIn(check["status"], ("pass", "fail", "skip"))
        test.assertTrue(check["detail"])
        if check["status"] == "fail":
            test.assertTrue(check["hint"], check)
    return report


def gpu_checks(report):
    """The driver and GPU checks (checks 1-2); the toolkit and framework checks follow them."""
    return [c for c in report["checks"] if c["name"] == "driver" or c["name"].startswith("gpu-matmul")]


def by_name(report):
    return {check["name"]: check for check in report["checks"]}


class Verify(unittest.TestCase):
    def test_working_driver_passes_with_metrics(self):
        report = verify_json(self, driver_host(self))
        self.assertEqual([c["name"] for c in gpu_checks(report)], ["driver", "gpu-matmul[0]"])
        driver, matmul = gpu_checks(report)
        self.assertEqual(driver["status"], "pass")
        self.assertIn(f"{MODULE}: kernel module and libcuda.so.1 agree; CUDA 12.2; 1 GPU", driver["detail"])
        self.assertNotIn("hint", driver)
        self.assertEqual(matmul["status"], "pass", matmul)
        self.assertIn("NVIDIA GeForce RTX 3090 (8.6): 48x48 SGEMM", matmul["detail"])
        metrics = matmul["metrics"]
        self.assertEqual(set(metrics), {"gflops", "h2d_gb_per_s", "d2h_gb_per_s",
                                        "max_relative_error", "error_bound"})
        self.assertGreater(metrics["gflops"], 0)
        self.assertAlmostEqual(metrics["error_bound"], 48 * 2.0 ** -23)
        self.assertLessEqual(metrics["max_relative_error"], metrics["error_bound"])
        self.assertEqual(report["warnings"], [])

    def test_text_report(self):
        result = run("verify", "--sysroot", driver_host(self), "--size", "20")
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertTrue(lines[0].startswith(f"pass  driver         {MODULE}"), lines)
        self.assertTrue(lines[1].startswith("pass  gpu-matmul[0]  GPU 0 NVIDIA GeForce RTX 3090"), lines)

    def test_wrong_numbers_fail(self):
        report = verify_json(self, driver_host(self), env={"FAKE_CUDA_MODE": "wrong"}, expect=6)
        matmul = by_name(report)["gpu-matmul[0]"]
        self.assertEqual(matmul["status"], "fail")
        self.assertIn("elements are wrong", matmul["detail"])
        self.assertIn("dmesg", matmul["hint"])
        self.assertGreater(matmul["metrics"]["max_relative_error"], matmul["metrics"]["error_bound"])
        self.assertEqual(by_name(report)["driver"]["status"], "pass")

    def test_init_failure_fails_driver_and_skips_matmul(self):
        report = verify_json(self, driver_host(self), env={"FAKE_CUDA_MODE": "init_fail"}, expect=6)
        self.assertEqual([(c["name"], c["status"]) for c in gpu_checks(report)],
                         [("driver", "fail"), ("gpu-matmul", "skip")])
        self.assertEqual(report["checks"][0]["detail"], "cuInit failed: CUDA_ERROR_NO_DEVICE (100)")

    def test_version_mismatch_fails_driver(self):
        report = verify_json(self, driver_host(self, libcuda="550.54.15"), expect=6)
        driver = by_name(report)["driver"]
        self.assertEqual(driver["status"], "fail")
        self.assertEqual(driver["detail"], f"libcuda.so.1 is 550.54.15 but the kernel module is {MODULE}")
        self.assertIn("reboot", driver["hint"])
        self.assertEqual(by_name(report)["gpu-matmul[0]"]["status"], "pass")  # still informative
        self.assertTrue(any("550.54.15" in w for w in report["warnings"]), report["warnings"])

    def test_hang_times_out_quickly(self):
        start = time.monotonic()
        report = verify_json(self, driver_host(self), "--timeout", "1",
                             env={"FAKE_CUDA_MODE": "hang_kernel"}, expect=6)
        self.assertLess(time.monotonic() - start, 20)
        matmul = by_name(report)["gpu-matmul[0]"]
        self.assertEqual(matmul["status"], "fail")
        self.assertEqual(matmul["detail"], "GPU 0: no answer within 1 s (killed)")
        self.assertIn("hung", matmul["hint"])

    def test_jit_failure_shows_the_log(self):
        report = verify_json(self, driver_host(self), env={"FAKE_CUDA_MODE": "jit_fail"}, expect=6)
        matmul = by_name(report)["gpu-matmul[0]"]
        self.assertIn("CUDA_ERROR_INVALID_PTX (218)", matmul["detail"])
        self.assertIn("fake JIT failure", matmul["detail"])

    def test_no_driver(self):
        report = verify_json(self, driver_host(self, module=None, libcuda=None), expect=6)
        self.assertEqual([(c["name"], c["status"]) for c in gpu_checks(report)],
                         [("driver", "fail"), ("gpu-matmul", "skip")])
        self.assertIn("no NVIDIA driver loaded", report["checks"][0]["detail"])
        self.assertIn("install the NVIDIA driver", report["checks"][0]["hint"])

    def test_unversioned_library_is_not_compared(self):
        report = verify_json(self, driver_host(self, libcuda="1"))
        self.assertIn("not compared", by_name(report)["driver"]["detail"])

    def test_library_without_kernel_module(self):
        report = verify_json(self, driver_host(self, module=None), expect=6)
        self.assertIn("kernel module is not loaded", by_name(report)["driver"]["detail"])

    def test_every_gpu_or_one(self):
        env = {"FAKE_NVIDIA_GPUS": TWO_GPUS}
        report = verify_json(self, driver_host(self), env=env)
        self.assertEqual([c["name"] for c in gpu_checks(report)], ["driver", "gpu-matmul[0]", "gpu-matmul[1]"])
        self.assertIn("NVIDIA H100 80GB HBM3 (9.0)", report["checks"][2]["detail"])
        report = verify_json(self, driver_host(self), "--gpu", "1", env=env)
        self.assertEqual([c["name"] for c in gpu_checks(report)], ["driver", "gpu-matmul[1]"])
        report = verify_json(self, driver_host(self), "--gpu", "2", env=env, expect=6)
        self.assertEqual(report["checks"][1]["detail"], "no GPU 2: CUDA sees 2")

    def test_usage_errors(self):
        root = driver_host(self)
        for args in (["--size", "0"], ["--size", "4097"], ["--gpu", "x"], ["--timeout", "0"]):
            result = run("verify", "--sysroot", root, *args)
            self.assertEqual(result.returncode, 2, args)
            self.assertIn("envsetup: error:", result.stderr)

    def test_toolkit_and_framework_checks_follow_the_gpu_checks(self):
        # A missing --prefix fails the toolkit check (and so the run); --venv runs the
        # framework checks in that venv's interpreter (a fake torch that sees a GPU).
        root = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, root)
        venv = test_cli_doctor.make_venv(root, "available")
        result = run("verify", "--json", "--size", "8", "--prefix", os.path.join(root, "no-such-prefix"),
                     "--venv", venv)
        self.assertEqual(result.returncode, 6, result.stderr)
        report = json.loads(result.stdout)
        names = [c["name"] for c in report["checks"]]
        self.assertEqual(names[len(gpu_checks(report))], "toolkit")
        checks = by_name(report)
        self.assertEqual(checks["toolkit"]["status"], "fail")
        self.assertIn("no-such-prefix", checks["toolkit"]["detail"])
        self.assertEqual(checks["framework:torch"]["status"], "pass")
        self.assertIn("2.5.1+cu124", checks["framework:torch"]["detail"])
        self.assertEqual(checks["framework:torch:matmul"]["status"], "pass")
        self.assertEqual(names[-2:], ["framework:torch:libraries", "framework:torch:kernels"])
        # The fake torch has no CUDA library to read: the binary check has nothing to say.
        self.assertEqual(checks["framework:torch:kernels"]["status"], "skip", checks["framework:torch:kernels"])

    def test_a_framework_that_cannot_import_fails_verify(self):
        root = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, root)
        venv = test_cli_doctor.make_venv(root, "crash")
        report = json.loads(run("verify", "--json", "--size", "8", "--venv", venv).stdout)
        self.assertEqual(by_name(report)["framework:torch"]["status"], "fail")
        self.assertIn("libcudnn.so.9", by_name(report)["framework:torch"]["detail"])
        self.assertFalse(report["ok"])

    def test_worker_is_hidden(self):
        result = run("--help")
        self.assertIn("verify", result.stdout)
        self.assertNotIn("verify-gpu-worker", result.stdout)


class Ptx(unittest.TestCase):
    def embedded_ptx(self):
        result = run("verify-gpu-worker", "--print-ptx")
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout

    def test_embedded_ptx_is_the_source_file(self):
        with open(os.path.join(SOURCE, "src", "envsetup", "verify", "sgemm.ptx")) as handle:
            self.assertEqual(self.embedded_ptx(), handle.read())

    @unittest.skipUnless(os.access(PTXAS, os.X_OK), f"{PTXAS} not installed")
    def test_ptxas_compiles_embedded_ptx(self):
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        path = os.path.join(folder, "sgemm.ptx")
        with open(path, "w") as handle:
            handle.write(self.embedded_ptx())
        for arch in ("sm_75", "sm_90"):
            result = subprocess.run([PTXAS, f"-arch={arch}", path, "-o", os.path.join(folder, arch)],
                                    capture_output=True, text=True, timeout=120)
            self.assertEqual(result.returncode, 0, arch + ": " + result.stderr)
            self.assertGreater(os.path.getsize(os.path.join(folder, arch)), 0)


if __name__ == "__main__":
    unittest.main()
