# SPDX-License-Identifier: Apache-2.0
"""`envsetup doctor --venv` and `envsetup check-framework` against a real venv holding fake
torch/tensorflow/jax packages that answer like the real ones would (docs/doctor.md).

Run by CTest with ENVSETUP_BIN set.
"""
import json
import os
import shutil
import subprocess
import tempfile
import textwrap
import unittest

BIN = os.environ["ENVSETUP_BIN"]

# A fake torch: MODE is one of available, unavailable, cpu, crash, abort.
FAKE_TORCH = textwrap.dedent('''
    MODE = "{mode}"
    if MODE == "crash":
        raise ImportError("libcudnn.so.9: cannot open shared object file: No such file or directory")
    if MODE == "abort":
        import os
        os.abort()
    __version__ = "2.6.0+cpu" if MODE == "cpu" else "2.5.1+cu124"

    class version:
        cuda = None if MODE == "cpu" else "12.4"

    class Tensor:
        def __matmul__(self, other): return Tensor()
        def __sub__(self, other): return Tensor()
        def abs(self): return self
        def max(self): return self
        def cuda(self): return self
        def cpu(self): return self
        def __float__(self): return 0.0 if MODE == "available" else 1.0

    def randn(*shape): return Tensor()

    class cuda:
        @staticmethod
        def is_available(): return MODE == "available"
        @staticmethod
        def device_count(): return 1
        @staticmethod
        def get_device_name(index): return "NVIDIA H100 80GB HBM3"
        @staticmethod
        def get_device_capability(index): return (9, 0)

    class nn:
        class functional:
            @staticmethod
            def conv2d(x, w): return Tensor()

    class backends:
        class cudnn:
            @staticmethod
            def version(): return 90100
''')

FAKE_TENSORFLOW = textwrap.dedent('''
    __version__ = "2.17.0"
    class sysconfig:
        @staticmethod
        def get_build_info(): return {"is_cuda_build": True, "cuda_version": "12.3"}
    class config:
        @staticmethod
        def list_physical_devices(kind): return []
''')


def make_venv(root, torch_mode=None, tensorflow=False):
    venv = os.path.join(root, "venv")
    subprocess.run(["python3", "-m", "venv", "--without-pip", venv], check=True)
    site = subprocess.run([os.path.join(venv, "bin", "python"), "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    if torch_mode:
        version = "2.6.0+cpu" if torch_mode == "cpu" else "2.5.1+cu124"
        os.makedirs(os.path.join(site, "torch"))
        with open(os.path.join(site, "torch", "__init__.py"), "w") as f:
            f.write(FAKE_TORCH.format(mode=torch_mode))
        dist = os.path.join(site, "torch-%s.dist-info" % version)
        os.makedirs(dist)
        with open(os.path.join(dist, "METADATA"), "w") as f:
            f.write("Metadata-Version: 2.1\nName: torch\nVersion: %s\n" % version)
    if tensorflow:
        os.makedirs(os.path.join(site, "tensorflow"))
        with open(os.path.join(site, "tensorflow", "__init__.py"), "w") as f:
            f.write(FAKE_TENSORFLOW)
        os.makedirs(os.path.join(site, "tensorflow-2.17.0.dist-info"))
    return venv


def run(*args, env=None):
    full_env = dict(os.environ)
    full_env.pop("ENVSETUP_MATRIX", None)
    full_env.pop("VIRTUAL_ENV", None)
    full_env.update(env or {})
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=full_env, timeout=120)


def checks_by_name(document):
    return {check["name"]: check for check in document["checks"]}


class DoctorVenv(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="envsetup-doctor-")

    def tearDown(self):
        shutil.rmtree(self.root, ignore_errors=True)

    def doctor(self, venv):
        result = run("doctor", "--venv", venv, "--json", "--timeout", "60")
        document = json.loads(result.stdout)
        errors = [f for f in document["findings"] if f["severity"] == "error"]
        self.assertEqual(document["ok"], not errors)
        self.assertEqual(result.returncode, 0 if not errors else 6, result.stderr)
        for finding in document["findings"]:
            self.assertTrue(finding["title"] and finding["evidence"] and finding["id"], finding)
        return document

    def test_available_torch_passes(self):
        document = self.doctor(make_venv(self.root, "available"))
        checks = checks_by_name(document)
        for name in ("framework:torch", "framework:torch:gpu", "framework:torch:matmul",
                     "framework:torch:cudnn", "framework:torch:libraries"):
            self.assertEqual(checks[name]["status"], "pass", checks[name])
        self.assertIn("NVIDIA H100 80GB HBM3 (9.0)", checks["framework:torch:gpu"]["detail"])
        self.assertIn("max_rel_error", checks["framework:torch:matmul"]["metrics"])
        self.assertNotIn("check-failed", [f["id"] for f in document["findings"]])

    def test_crash_on_import_is_an_error(self):
        document = self.doctor(make_venv(self.root, "crash"))
        checks = checks_by_name(document)
        self.assertEqual(checks["framework:torch"]["status"], "fail")
        self.assertIn("libcudnn.so.9", checks["framework:torch"]["detail"])
        self.assertFalse(document["ok"])
        self.assertIn("check-failed", [f["id"] for f in document["findings"]])

    def test_interpreter_abort_is_an_error(self):
        document = self.doctor(make_venv(self.root, "abort"))
        self.assertEqual(checks_by_name(document)["framework:torch"]["status"], "fail")
        self.assertFalse(document["ok"])

    def test_unavailable_and_cpu_builds(self):
        for mode in ("unavailable", "cpu"):
            with self.subTest(mode=mode):
                root = tempfile.mkdtemp(dir=self.root)
                venv = make_venv(root, mode)
                result = run("check-framework", "--python", os.path.join(venv, "bin", "python"),
                             "--framework", "torch", "--json")
                checks = checks_by_name(json.loads(result.stdout))
                self.assertEqual(checks["framework:torch"]["status"], "pass")
                self.assertEqual(checks["framework:torch:gpu"]["status"], "skip")
                self.assertEqual(result.returncode, 0)
                strict = run("check-framework", "--python", os.path.join(venv, "bin", "python"),
                             "--framework", "torch", "--json", "--expect-gpu")
                self.assertEqual(strict.returncode, 6)
                gpu = checks_by_name(json.loads(strict.stdout))["framework:torch:gpu"]
                self.assertEqual(gpu["status"], "fail")
                if mode == "cpu":
                    self.assertIn("CPU-only", gpu["detail"])

    def test_tensorflow_without_gpu(self):
        document = self.doctor(make_venv(self.root, tensorflow=True))
        checks = checks_by_name(document)
        self.assertEqual(checks["framework:tensorflow"]["status"], "pass")
        self.assertIn("2.17.0", checks["framework:tensorflow"]["detail"])
        self.assertEqual(checks["framework:tensorflow:gpu"]["status"], "skip")

    def test_jax_missing_import(self):
        venv = make_venv(self.root)
        result = run("check-framework", "--python", os.path.join(venv, "bin", "python"), "--framework", "jax", "--json")
        self.assertEqual(result.returncode, 6)
        check = checks_by_name(json.loads(result.stdout))["framework:jax"]
        self.assertIn("No module named 'jax'", check["detail"])

    def test_venv_whose_python_is_gone(self):
        venv = make_venv(self.root, "available")
        os.remove(os.path.join(venv, "bin", "python"))
        os.symlink("/nonexistent/python3.9", os.path.join(venv, "bin", "python"))
        document = self.doctor(venv)
        self.assertIn("venv-python-missing", [f["id"] for f in document["findings"]])
        self.assertFalse(document["ok"])


if __name__ == "__main__":
    unittest.main()
