# SPDX-License-Identifier: Apache-2.0
"""`envsetup install --framework SPEC --venv DIR` end to end: the real binary, the host's real
`python -m venv` and real pip, installing dummy wheels from PEP 503 indexes on 127.0.0.1.

The "PyPI" index (PIP_INDEX_URL, the default index pip's configuration names) offers only
CPU builds of torch: the CUDA build from the wheel mirror must still be the one installed.
The toolkit step (--with-toolkit) installs from mirror_tools' synthetic NVIDIA mirror.
Run by CTest with ENVSETUP_BIN, ENVSETUP_TEST_SERVER and ENVSETUP_SOURCE_DIR set; no
internet, no GPU needed.
"""
import contextlib
import json
import os
import pathlib
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

import mirror_tools
import test_cli_doctor
import wheel_index

BIN = os.environ["ENVSETUP_BIN"]
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"  # this interpreter's X.Y, a host Python
HOST = ["--driver", "550.54.15", "--gpu", "8.9", "--python", PYTHON]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_indexes(root: pathlib.Path) -> None:
    wheels = root / "wheels"
    cu124 = [wheel_index.build_wheel(wheels / "cu124", "torch", "2.5.1+cu124"),
             wheel_index.build_wheel(wheels / "cu124", "torchvision", "0.20.1+cu124", requires=["torch==2.5.1+cu124"])]
    wheel_index.write_index(root / "whl" / "cu124", cu124)
    cuda_extra = 'extra == "cuda12"'
    pypi = [wheel_index.build_wheel(wheels / "pypi", "torch", "2.5.1+cpu"),
            wheel_index.build_wheel(wheels / "pypi", "torch", "2.5.1"),
            wheel_index.build_wheel(wheels / "pypi", "jax", "0.4.30", provides_extras=["cuda12"],
                                    requires=[f"jaxlib==0.4.30; {cuda_extra}",
                                              f"jax-cuda12-plugin==0.4.30; {cuda_extra}"]),
            wheel_index.build_wheel(wheels / "pypi", "jaxlib", "0.4.30"),
            wheel_index.build_wheel(wheels / "pypi", "jax-cuda12-plugin", "0.4.30"),
            wheel_index.build_wheel(wheels / "pypi", "tensorflow", "2.17.0", provides_extras=["and-cuda"],
                                    requires=['nvidia-cudnn-cu12==9.3.0.75; extra == "and-cuda"']),
            wheel_index.build_wheel(wheels / "pypi", "nvidia-cudnn-cu12", "9.3.0.75"),
            wheel_index.build_wheel(wheels / "pypi", "tensorflow", "2.13.1")]
    wheel_index.write_index(root / "pypi", pypi)
    # Wheel mirrors whose torch answers the framework check like a working / a GPU-blind torch.
    for mode in ("available", "unavailable"):
        wheel = wheel_index.build_wheel(wheels / mode, "torch", "2.5.1+cu124",
                                        module_source=test_cli_doctor.FAKE_TORCH.format(mode=mode))
        wheel_index.write_index(root / f"whl-{mode}" / "cu124", [wheel])
    # A torch that would work, whose CUDA library carries only sm_90a (nvcc-built fixture):
    # `install --framework` reads it and finds nothing an Ada GPU (8.9) can run.
    hopper_only = (pathlib.Path(__file__).resolve().parents[1] / "data" / "binary" / "sm90a.so").read_bytes()
    wheel = wheel_index.build_wheel(wheels / "nokernel", "torch", "2.5.1+cu124",
                                    module_source=test_cli_doctor.FAKE_TORCH.format(mode="available"),
                                    extra_files={"torch/lib/libtorch_cuda.so": hopper_only})
    wheel_index.write_index(root / "whl-nokernel" / "cu124", [wheel])
    # A default index whose jax has no [cuda12] extra: pip installs the bare (CPU) jax.
    wheel_index.write_index(root / "pypi-no-cuda", [wheel_index.build_wheel(wheels / "no-cuda", "jax", "0.4.30")])


@unittest.skipIf(os.environ.get("ENVSETUP_TEST_SANITIZED") == "1",
                 "runs in the Release build only: the time is pip's; under ASan test_cli_envs and test_cli_stream run install --framework")
class EnvInstall(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = contextlib.ExitStack()
        cls.root = pathlib.Path(cls.stack.enter_context(tempfile.TemporaryDirectory(prefix="envsetup-env-")))
        build_indexes(cls.root / "srv")
        cls.url = cls.stack.enter_context(wheel_index.serve(cls.root / "srv"))

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    def setUp(self):
        self.work = pathlib.Path(tempfile.mkdtemp(dir=self.root))
        self.venv = self.work / "venv"

    def env(self, index="pypi"):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PIP_", "UV_", "ENVSETUP_MATRIX", "ENVSETUP_SYSROOT")) and k != "VIRTUAL_ENV"
               and k not in mirror_tools.PROXY_VARIABLES}
        env.update({"no_proxy": "127.0.0.1,localhost", "ENVSETUP_TEST_FAST_RETRY": "1","PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_CACHE_DIR": "1",
                    "PIP_RETRIES": "1", "PIP_DEFAULT_TIMEOUT": "10", "PIP_INDEX_URL": f"{self.url}/{index}/"})
        env["ENVSETUP_STORE"] = str(self.work / "store")  # the venv registry, not in the caller's home
        return env

    def install(self, *args, index="pypi", mirror=True, venv=None):
        command = [BIN, "install", *args, "--venv", str(venv or self.venv), *HOST]
        if mirror:
            command += ["--wheel-mirror", f"{self.url}/whl"]
        return subprocess.run(command, capture_output=True, text=True, env=self.env(index), cwd=self.work,
                              timeout=300)

    def installed_version(self, module, venv=None):
        python = pathlib.Path(venv or self.venv) / "bin" / "python"
        result = subprocess.run([str(python), "-c", f"import {module}; print({module}.__version__)"],
                                capture_output=True, text=True, cwd=self.work, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout.strip()

    def test_torch_cuda_build_wins_over_a_cpu_only_default_index(self):
        result = self.install("--framework", "torch==2.5.1")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.installed_version("torch"), "2.5.1+cu124")
        self.assertIn("installed torch 2.5.1+cu124", result.stdout)
        self.assertIn(f"source {self.venv}/bin/activate", result.stdout)
        log = (self.venv / ".envsetup" / "install.log").read_text()
        self.assertIn("-m venv", log)
        self.assertIn(f"--extra-index-url {self.url}/whl/cu124 torch==2.5.1+cu124", log)
        self.assertIn("check torch 2.5.1+cu124: as planned", log)

        # Reused (same Python): a file in it survives, and a companion is added.
        marker = self.venv / "keep-me"
        marker.write_text("mine")
        again = self.install("--framework", "torch==2.5.1", "--with", "torchvision")
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertTrue(marker.exists())
        self.assertEqual(self.installed_version("torchvision"), "0.20.1+cu124")
        self.assertEqual(self.installed_version("torch"), "2.5.1+cu124")

    def test_a_detected_gpu_runs_the_framework_check_after_installing(self):
        # The fake NVML (tests/fakes) on the library path: detection finds a driver and an
        # RTX 4090 on this host, so the installed torch must also work on it.
        fakes = os.path.dirname(os.environ["ENVSETUP_FAKE_CUDA"])
        gpu_env = {"LD_LIBRARY_PATH": fakes, "FAKE_NVIDIA_DRIVER": "550.54.15", "FAKE_NVIDIA_CUDA": "12040",
                   "FAKE_NVIDIA_GPUS": "8.9|NVIDIA GeForce RTX 4090|25757220864|00000000:01:00.0|2684"}
        for mode, expected in (("available", 0), ("unavailable", 6), ("nokernel", 6)):
            venv = self.work / mode
            env = self.env()
            env.update(gpu_env)
            command = [BIN, "install", "--framework", "torch==2.5.1", "--venv", str(venv), "--python", PYTHON,
                       "--wheel-mirror", f"{self.url}/whl-{mode}"]
            result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=self.work, timeout=300)
            self.assertEqual(result.returncode, expected, mode + ": " + result.stdout + result.stderr)
            log = (venv / ".envsetup" / "install.log").read_text()
            self.assertIn("envsetup: framework check on the GPU", log, mode)
            if expected == 0:
                self.assertIn("pass  framework:torch:gpu", result.stdout)
                self.assertIn("pass  framework:torch:matmul", result.stdout)
                # The fake torch has no CUDA library: the binary check has nothing to read.
                self.assertIn("skip  framework:torch:kernels", result.stdout)
            elif mode == "nokernel":
                self.assertIn("framework:torch:kernels: libtorch_cuda.so has no code sm_89 can run", result.stderr)
                self.assertIn("no kernel image", result.stderr)
            else:
                self.assertIn("does not work on this GPU", result.stderr)
                self.assertIn("framework:torch:gpu", result.stderr)

    def test_existing_venv_with_another_python_is_refused_then_recreated_with_force(self):
        (self.venv / "bin").mkdir(parents=True)
        (self.venv / "bin" / "python").symlink_to(sys.executable)
        (self.venv / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.6.15\n")
        result = self.install("--framework", "torch==2.5.1")
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("uses Python 3.6", result.stderr)
        self.assertIn("--force", result.stderr)
        self.assertIn("3.6.15", (self.venv / "pyvenv.cfg").read_text())  # untouched

        forced = self.install("--framework", "torch==2.5.1", "--force")
        self.assertEqual(forced.returncode, 0, forced.stderr)
        self.assertNotIn("3.6.15", (self.venv / "pyvenv.cfg").read_text())
        self.assertEqual(self.installed_version("torch"), "2.5.1+cu124")

    def test_a_folder_that_is_not_a_venv_is_never_touched(self):
        self.venv.mkdir()
        (self.venv / "notes.txt").write_text("important")
        for extra in ([], ["--force"]):
            result = self.install("--framework", "torch==2.5.1", *extra)
            self.assertEqual(result.returncode, 1, result.stderr)
            self.assertIn("is not a virtual environment", result.stderr)
        self.assertEqual(os.listdir(self.venv), ["notes.txt"])

    def test_index_down_shows_the_log_tail_and_path(self):
        port = closed_port()
        command = [BIN, "install", "--framework", "torch==2.5.1", "--venv", str(self.venv), *HOST,
                   "--wheel-mirror", f"http://127.0.0.1:{port}/whl"]
        env = self.env()
        env["PIP_INDEX_URL"] = f"http://127.0.0.1:{port}/pypi/"
        result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=self.work, timeout=300)
        self.assertEqual(result.returncode, 4, result.stderr)
        log = self.venv / ".envsetup" / "install.log"
        self.assertIn(f"full log: {log}", result.stderr)
        self.assertIn("pip could not install torch==2.5.1+cu124", result.stderr)
        self.assertRegex(result.stderr, r"Connection refused|NewConnectionError")
        self.assertIn("No matching distribution found", log.read_text())

    def test_python_not_on_the_machine(self):
        command = [BIN, "install", "--framework", "torch", "--venv", str(self.venv), "--driver", "550.54.15",
                   "--gpu", "8.9", "--python", "3.99"]
        result = subprocess.run(command, capture_output=True, text=True, env=self.env(), cwd=self.work, timeout=60)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("no Python 3.99 on this machine", result.stderr)
        self.assertIn(f"found: ", result.stderr)
        self.assertIn(PYTHON + " (", result.stderr)
        self.assertIn("pyenv install 3.99", result.stderr)
        self.assertFalse(self.venv.exists())

    def test_a_failed_venv_creation_leaves_nothing_behind(self):
        fake_bin = self.work / "bin"
        fake_bin.mkdir()
        fake = fake_bin / f"python{PYTHON}"  # found on PATH first: a Python without ensurepip
        fake.write_text('#!/bin/sh\nmkdir -p "$3/bin"\n'
                        'echo "Error: ensurepip is not available (test interpreter)" >&2\nexit 1\n')
        fake.chmod(0o755)
        command = [BIN, "install", "--framework", "torch==2.5.1", "--venv", str(self.venv), *HOST,
                   "--wheel-mirror", f"{self.url}/whl"]
        env = self.env()
        env["PATH"] = f"{fake_bin}:{env['PATH']}"
        result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=self.work, timeout=60)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn(f"cannot create a virtual environment in {self.venv}", result.stderr)
        self.assertIn("ensurepip is not available (test interpreter)", result.stderr)
        self.assertIn(f"python{PYTHON}-venv", result.stderr)
        self.assertFalse(self.venv.exists())

    def test_dry_run_prints_the_commands_and_creates_nothing(self):
        result = self.install("--framework", "torch==2.5.1", "--dry-run")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(f"-m venv {self.venv}", result.stdout)
        self.assertIn(f"{self.venv}/bin/python -m pip install --disable-pip-version-check --extra-index-url "
                      f"{self.url}/whl/cu124 torch==2.5.1+cu124", result.stdout)
        self.assertFalse(self.venv.exists())
        as_json = self.install("--framework", "torch==2.5.1", "--dry-run", "--json")
        self.assertEqual(as_json.returncode, 0, as_json.stderr)
        plan = json.loads(as_json.stdout)
        self.assertEqual(plan["requirements"], ["torch==2.5.1+cu124"])
        self.assertEqual(plan["venv_action"], "create")
        self.assertFalse(self.venv.exists())

    def test_dry_run_of_an_old_tensorflow_installs_its_toolkit_first(self):
        result = self.install("--framework", "tensorflow==2.13.1", "--dry-run", mirror=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = [line.strip() for line in result.stdout.splitlines()]
        # cuDNN 8.6 has no redistributable archives: the plan installs 8.9.7, the newest 8.x, and says why.
        self.assertIn("envsetup install --cuda 11.8.0 --cudnn 8.9.7", lines)
        self.assertTrue(any(line.startswith("note") and "8.9.7" in line for line in lines), lines)
        self.assertLess(lines.index("envsetup install --cuda 11.8.0 --cudnn 8.9.7"),
                        next(i for i, line in enumerate(lines) if "-m pip install" in line))
        self.assertFalse(self.venv.exists())

    def test_dry_run_toolkit_line_carries_the_toolkit_options_of_the_run(self):
        prefix = self.work / "tool kit"  # a space: the printed path must be quoted
        store, cache = self.work / "store", self.work / "cache"
        mirror = f"file://{self.work}/mirror"
        result = self.install("--framework", "tensorflow==2.13.1", "--dry-run", "--prefix", str(prefix),
                              "--store", str(store), "--mirror", mirror, "--cache", str(cache), "--offline",
                              "--components", "runtime", "--jobs", "2", mirror=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        line = next((line.strip() for line in result.stdout.splitlines()
                     if line.strip().startswith("envsetup install --cuda")), None)
        self.assertIsNotNone(line, result.stdout)
        self.assertEqual(shlex.split(line),
                         ["envsetup", "install", "--cuda", "11.8.0", "--cudnn", "8.9.7", "--components", "runtime",
                          "--prefix", str(prefix), "--store", str(store), "--mirror", mirror, "--cache", str(cache),
                          "--jobs", "2", "--offline"])
        as_json = self.install("--framework", "tensorflow==2.13.1", "--dry-run", "--json", "--prefix", str(prefix),
                               "--offline", mirror=False)
        self.assertEqual(as_json.returncode, 0, as_json.stderr)
        commands = json.loads(as_json.stdout)["commands"]
        self.assertEqual(shlex.split(commands[0]), ["envsetup", "install", "--cuda", "11.8.0", "--cudnn", "8.9.7",
                                                    "--prefix", str(prefix), "--offline"])
        self.assertFalse(self.venv.exists())
        self.assertFalse(prefix.exists())

    def test_jax_and_tensorflow_cuda_extras_from_the_default_index(self):
        result = self.install("--framework", "jax==0.4.30", mirror=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.installed_version("jax"), "0.4.30")
        self.assertEqual(self.installed_version("jax_cuda12_plugin"), "0.4.30")
        # Another framework into the same venv (same Python: reused).
        result = self.install("--framework", "tensorflow==2.17.0", mirror=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.installed_version("tensorflow"), "2.17.0")
        self.assertEqual(self.installed_version("nvidia_cudnn_cu12"), "9.3.0.75")

    def test_jax_without_its_cuda_extra_is_a_verification_failure(self):
        result = self.install("--framework", "jax==0.4.30", index="pypi-no-cuda", mirror=False)
        self.assertEqual(result.returncode, 6, result.stderr)
        self.assertIn("a CPU-only jax was installed", result.stderr)
        self.assertIn("does not provide the extra [cuda12]", result.stderr)

    def test_with_toolkit_installs_the_prefix_too_and_prints_both_activation_lines(self):
        mirror_root, _ = mirror_tools.shared_mirror()
        _, mirror_url = mirror_tools.start_server(mirror_root, test=self)
        store = self.work / "store"
        result = self.install("--framework", "torch==2.5.1", "--with-toolkit", "--mirror", mirror_url,
                              "--components", "runtime,cuda_nvcc", "--cache", str(self.work / "cache"),
                              "--store", str(store))
        self.assertEqual(result.returncode, 0, result.stderr)
        prefix = store / "toolkits" / f"cuda-{mirror_tools.CUDA_VERSION}-cudnn-{mirror_tools.CUDNN_VERSION}"
        self.assertTrue((prefix / "activate").is_file(), result.stdout)
        self.assertIn(f"source {self.venv}/bin/activate && source {prefix}/activate", result.stdout)
        self.assertEqual(self.installed_version("torch"), "2.5.1+cu124")


if __name__ == "__main__":
    unittest.main()
