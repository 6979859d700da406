# SPDX-License-Identifier: Apache-2.0
"""The envsetup binary as a user runs it: exit codes, stdout/stderr split, JSON, errors.

Run by CTest with ENVSETUP_BIN and ENVSETUP_SOURCE_DIR set.
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

BIN = os.environ["ENVSETUP_BIN"]
SOURCE = os.environ["ENVSETUP_SOURCE_DIR"]
FIXTURE = os.path.join(SOURCE, "tests", "data", "matrix-minimal")


def run(*args, env=None):
    full_env = dict(os.environ)
    full_env.pop("ENVSETUP_MATRIX", None)
    full_env.update(env or {})
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=full_env, timeout=60)


class TopLevel(unittest.TestCase):
    def test_version(self):
        result = run("--version")
        self.assertEqual(result.returncode, 0)
        self.assertRegex(result.stdout, r"^envsetup \d+\.\d+\.\d+")

    def test_malformed_command_lines_are_errors_with_a_hint_and_json(self):
        result = run("resolve", "--json")  # --framework missing
        self.assertEqual(result.returncode, 2)
        document = json.loads(result.stdout)
        self.assertFalse(document["ok"])
        self.assertEqual(document["error"]["kind"], "usage")
        self.assertIn("envsetup resolve --help", document["error"]["hints"][0])
        result = run("resolve", "-f", "torch", "--bogus")
        self.assertEqual(result.returncode, 2)
        self.assertIn("envsetup: error:", result.stderr)
        self.assertIn("--bogus", result.stderr)
        self.assertIn("hint: run `envsetup resolve --help`", result.stderr)

    def test_help_lists_commands(self):
        result = run("--help")
        self.assertEqual(result.returncode, 0)
        for command in ("detect", "resolve", "matrix"):
            self.assertIn(command, result.stdout)

    def test_every_subcommand_has_examples(self):
        for args in (["detect"], ["resolve"], ["matrix", "validate"], ["matrix", "show"]):
            result = run(*args, "--help")
            self.assertEqual(result.returncode, 0, args)
            self.assertIn("Examples:", result.stdout, args)

    def test_no_command_is_usage_error(self):
        self.assertEqual(run().returncode, 2)

    def test_unknown_flag_is_usage_error(self):
        self.assertEqual(run("resolve", "--framework", "torch", "--frobnicate").returncode, 2)


class Resolve(unittest.TestCase):
    def test_json_plan(self):
        # A host without Pythons (no PATH, HOME, venv or conda): the plan's own Python.
        no_pythons = {"PATH": "/nonexistent", "HOME": "/nonexistent", "VIRTUAL_ENV": "", "CONDA_PREFIX": "",
                      "PYENV_ROOT": "/nonexistent", "UV_PYTHON_INSTALL_DIR": "/nonexistent"}
        result = run("resolve", "--framework", "torch==2.5.1", "--driver", "550.54.15",
                     "--gpu", "8.9", "--json", env=no_pythons)
        self.assertEqual(result.returncode, 0, result.stderr)
        plan = json.loads(result.stdout)
        self.assertTrue(plan["ok"])
        self.assertEqual(plan["framework"], {"name": "torch", "display_name": "PyTorch",
                                             "version": "2.5.1"})
        self.assertEqual(plan["variant"], "cu124")
        self.assertEqual(plan["cuda"], {"version": "12.4.1"})
        self.assertEqual(plan["cudnn"], {"version": "9.1.0.70"})
        # The newest Python torch 2.5 published wheels for (3.13: experimental, but published).
        self.assertEqual(plan["python"], "3.13")
        self.assertEqual(plan["index_url"], "https://download.pytorch.org/whl/cu124")
        self.assertEqual(plan["packages"], ["torch==2.5.1"])
        candidates = {r["candidate"] for r in plan["rejected"]}
        self.assertEqual(candidates, {"torch 2.5.1 cu121", "torch 2.5.1 cu118"})
        self.assertEqual(plan["gpus"], [{"compute_capability": "8.9", "code": "sass",
                                         "target": "sm_86"}])
        self.assertEqual(plan["host_facts"][0], {"fact": "driver", "value": "550.54.15",
                                                 "origin": "--driver"})

    def test_gpu_spellings_are_equivalent(self):
        outputs = set()
        for gpu in ("8.6", "86", "sm_86"):
            result = run("resolve", "-f", "torch", "--driver", "535.104.05", "--gpu", gpu, "--json")
            self.assertEqual(result.returncode, 0, result.stderr)
            outputs.add(json.dumps(json.loads(result.stdout)["gpus"]))
        self.assertEqual(len(outputs), 1)

    def test_text_plan_shows_choice_and_rejections(self):
        result = run("resolve", "-f", "torch==2.5.1", "--driver", "550.54.15", "--gpu", "8.9")
        self.assertEqual(result.returncode, 0)
        self.assertIn("PyTorch 2.5.1 (cu124)", result.stdout)
        self.assertIn("pip install torch==2.5.1 --index-url https://download.pytorch.org/whl/cu124",
                      result.stdout)
        self.assertIn("torch 2.5.1 cu118", result.stdout)
        self.assertEqual(result.stderr, "")

    def test_each_fact_names_one_origin(self):
        result = run("resolve", "-f", "torch", "--driver", "550.54.15", "--gpu", "8.9")
        self.assertEqual(result.returncode, 0, result.stderr)
        first = result.stdout.splitlines()[0]
        self.assertNotIn("(--python)", first)
        result = run("resolve", "-f", "torch", "--driver", "550.54.15", "--gpu", "8.9", "--python", "3.11")
        first = result.stdout.splitlines()[0]
        self.assertIn("Python 3.11 (--python)", first)
        self.assertNotIn("Python 3.11 (detected)", first)

    def test_refusal_exit_code_json_and_hint(self):
        result = run("resolve", "-f", "torch", "--driver", "none", "--gpu", "8.9", "--json")
        self.assertEqual(result.returncode, 3)
        document = json.loads(result.stdout)
        self.assertFalse(document["ok"])
        self.assertTrue(any("install an NVIDIA driver >=" in h for h in document["error"]["hints"]))
        self.assertTrue(document["rejected"])

    def test_refusal_text_goes_to_stderr(self):
        result = run("resolve", "-f", "torch==2.5.1", "--driver", "450.80.02", "--gpu", "12.0")
        self.assertEqual(result.returncode, 3)
        self.assertEqual(result.stdout, "")
        self.assertTrue(result.stderr.startswith("envsetup: error: "))
        self.assertIn("  hint: ", result.stderr)
        self.assertIn("sm_120 (Blackwell)", result.stderr)

    def test_no_gpu_needs_explicit_cpu(self):
        self.assertEqual(run("resolve", "-f", "jax", "--driver", "none", "--gpu", "9.0",
                             "--cpu", "--json").returncode, 0)
        result = run("resolve", "-f", "jax", "--cpu", "--json")
        self.assertEqual(result.returncode, 0, result.stderr)
        plan = json.loads(result.stdout)
        self.assertEqual(plan["variant"], "cpu")
        self.assertIsNone(plan["cuda"])

    def test_bad_input_is_a_clear_usage_error(self):
        cases = [
            (["-f", "torch", "--driver", "550.54.15", "--gpu", "99.9"], "unknown GPU compute capability 9"),
            (["-f", "torch", "--driver", "550.54.15", "--gpu", "sm_8x"], "invalid compute capability"),
            (["-f", "torch", "--driver", "55O.54", "--gpu", "8.9"], "invalid `--driver` value"),
            (["-f", "tourch", "--driver", "550.54.15", "--gpu", "8.9"], "unknown framework `tourch`"),
            (["-f", "torch=2.5", "--driver", "550.54.15", "--gpu", "8.9"], "invalid version specifier"),
            (["-f", "torch", "--driver", "550.54.15", "--gpu", "8.9", "--python", "three"], "invalid `--python` value"),
            (["-f", "torch", "--driver", "550.54.15", "--gpu", "8.9", "--cuda", "10.1"], "names no CUDA release"),
        ]
        for args, message in cases:
            result = run("resolve", *args)
            self.assertEqual(result.returncode, 2, (args, result.stderr))
            self.assertTrue(result.stderr.startswith("envsetup: error: "), result.stderr)
            self.assertIn(message, result.stderr)
            self.assertNotIn("terminate", result.stderr)

    def test_usage_error_with_json_keeps_stdout_json(self):
        result = run("resolve", "-f", "tourch", "--driver", "550.54.15", "--gpu", "8.9", "--json")
        self.assertEqual(result.returncode, 2)
        document = json.loads(result.stdout)
        self.assertEqual(document["error"]["kind"], "usage")

    def test_matrix_override(self):
        result = run("resolve", "-f", "demo", "--driver", "600.0", "--gpu", "8.0",
                     "--matrix", FIXTURE, "--json")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["variant"], "cu130")
        result = run("resolve", "-f", "demo", "--driver", "600.0", "--gpu", "8.0", "--json",
                     env={"ENVSETUP_MATRIX": FIXTURE})
        self.assertEqual(result.returncode, 0, result.stderr)


def fake_host(test, files):
    """A sysroot folder with `files` ({host path: content}); removed after the test."""
    root = tempfile.mkdtemp()
    test.addCleanup(shutil.rmtree, root)
    for path, content in files.items():
        real = os.path.join(root, path.lstrip("/"))
        os.makedirs(os.path.dirname(real), exist_ok=True)
        with open(real, "w") as handle:
            handle.write(content)
    return root


RTX_3090_HOST = {
    "/proc/driver/nvidia/version": "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 01:15:15 UTC 2023\n",
    "/sys/bus/pci/devices/0000:01:00.0/vendor": "0x10de\n",
    "/sys/bus/pci/devices/0000:01:00.0/device": "0x2204\n",
    "/sys/bus/pci/devices/0000:01:00.0/class": "0x030000\n",
    "/proc/driver/nvidia/gpus/0000:01:00.0/information": "Model: \t\t NVIDIA GeForce RTX 3090\nBus Location: \t 0000:01:00.0\n",
    "/etc/os-release": 'NAME="Debian GNU/Linux"\nVERSION_ID="12"\n',
}


class Detect(unittest.TestCase):
    def test_fake_host_json(self):
        root = fake_host(self, RTX_3090_HOST)
        result = run("detect", "--json", "--sysroot", root)
        self.assertEqual(result.returncode, 0, result.stderr)
        report = json.loads(result.stdout)
        self.assertEqual(set(report), {"host", "driver", "gpus", "toolkits", "pythons", "warnings"})
        self.assertEqual(report["host"]["os"], "Debian GNU/Linux")
        self.assertEqual(report["driver"]["version"], "535.104.05")
        self.assertEqual(report["driver"]["cuda_version"], "12.2")
        self.assertEqual(report["driver"]["source"], "proc")
        self.assertEqual(report["gpus"], [{"index": 0, "name": "NVIDIA GeForce RTX 3090",
                                           "compute_capability": "8.6", "memory_bytes": None,
                                           "pci_bus_id": "0000:01:00.0", "source": "pci"}])

    def test_sysroot_from_environment_and_text_report(self):
        root = fake_host(self, RTX_3090_HOST)
        result = run("detect", env={"ENVSETUP_SYSROOT": root})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("535.104.05 (proc), supports CUDA 12.2 (matrix)", result.stdout)
        self.assertIn("NVIDIA GeForce RTX 3090", result.stdout)

    def test_bad_sysroot_is_usage_error(self):
        result = run("detect", "--sysroot", "/nonexistent/root")
        self.assertEqual(result.returncode, 2)
        self.assertIn("is not a folder", result.stderr)

    def test_this_machine_never_fails(self):
        result = run("detect", "--json")
        self.assertEqual(result.returncode, 0, result.stderr)
        report = json.loads(result.stdout)
        if not os.path.exists("/proc/driver/nvidia/version"):
            self.assertIsNone(report["driver"])
        if os.path.isdir("/usr/local/cuda-13.0/dist-info"):  # the development machine's pip-wheel tree
            toolkit = [t for t in report["toolkits"] if t["path"] == "/usr/local/cuda-13.0"]
            self.assertEqual(len(toolkit), 1, report["toolkits"])
            self.assertEqual(toolkit[0]["version"], "13.0")
            self.assertEqual(toolkit[0]["cudnn_version"], "9.19.0")

    def test_resolve_uses_detected_host(self):
        root = fake_host(self, RTX_3090_HOST)
        result = run("resolve", "-f", "torch==2.5.1", "--python", "3.11", "--json", "--sysroot", root)
        self.assertEqual(result.returncode, 0, result.stderr)
        plan = json.loads(result.stdout)
        self.assertEqual(plan["variant"], "cu124")
        self.assertIn({"fact": "driver", "value": "535.104.05", "origin": "detected (proc)"},
                      plan["host_facts"])
        self.assertIn({"fact": "GPU", "value": "sm_86 NVIDIA GeForce RTX 3090",
                       "origin": "detected (pci)"}, plan["host_facts"])

    def test_resolve_flags_override_detection(self):
        root = fake_host(self, RTX_3090_HOST)
        result = run("resolve", "-f", "torch==2.5.1", "--python", "3.11", "--driver", "470.82.01",
                     "--json", "--sysroot", root)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["variant"], "cu118")

    def test_resolve_without_gpu_refuses_cpu_fallback(self):
        root = fake_host(self, {"/etc/os-release": "NAME=Debian\n"})
        result = run("resolve", "-f", "torch", "--sysroot", root)
        self.assertEqual(result.returncode, 3)
        self.assertIn("no NVIDIA GPU is known on this host", result.stderr)
        self.assertIn("--cpu", result.stderr)


class MatrixCommands(unittest.TestCase):
    def broken_copy(self, file, old, new):
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        for name in os.listdir(FIXTURE):
            shutil.copy(os.path.join(FIXTURE, name), directory)
        path = os.path.join(directory, file)
        with open(path) as handle:
            text = handle.read()
        self.assertIn(old, text)
        with open(path, "w") as handle:
            handle.write(text.replace(old, new, 1))
        return directory

    def test_shipped_matrix_is_valid(self):
        result = run("matrix", "validate", os.path.join(SOURCE, "matrix"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("torch versions", result.stdout)

    def test_broken_matrix_reports_file_and_pointer(self):
        directory = self.broken_copy("demo.json", '"cuda": "13.0.2"', '"cuda": "13.9.9"')
        result = run("matrix", "validate", directory)
        self.assertEqual(result.returncode, 7)
        self.assertIn("demo.json /releases/1/variants/1/cuda: CUDA 13.9.9 is not a release",
                      result.stderr)

    def test_broken_matrix_json_report(self):
        directory = self.broken_copy("cuda.json", '"min_driver": "530.30.02"', '"min_driver": 530')
        result = run("matrix", "validate", directory, "--json")
        self.assertEqual(result.returncode, 7)
        report = json.loads(result.stdout)
        self.assertFalse(report["ok"])
        self.assertIn({"file": "cuda.json", "pointer": "/releases/1/min_driver",
                       "message": "expected a non-empty string, found 530"}, report["problems"])

    def test_broken_matrix_refuses_to_resolve(self):
        directory = self.broken_copy("gpus.json", '"name": "Volta"', '"nme": "Volta"')
        result = run("resolve", "-f", "demo", "--driver", "600.0", "--gpu", "8.0",
                     "--matrix", directory)
        self.assertEqual(result.returncode, 7)
        self.assertIn("gpus.json /architectures/1/name: missing required field", result.stderr)

    def test_missing_matrix_folder(self):
        result = run("matrix", "validate", "/nonexistent/matrix")
        self.assertEqual(result.returncode, 1)
        self.assertIn("cannot read the matrix folder", result.stderr)

    def test_show_framework_table(self):
        result = run("matrix", "show", "--framework", "torch")
        self.assertEqual(result.returncode, 0)
        self.assertIn("cu124", result.stdout)
        self.assertNotIn("CUDA releases", result.stdout)

    def test_show_json(self):
        result = run("matrix", "show", "--domain", "cuda", "--json")
        self.assertEqual(result.returncode, 0)
        versions = [r["version"] for r in json.loads(result.stdout)["cuda"]]
        self.assertIn("12.4.0", versions)
        self.assertIn("12.4.1", versions)

    def test_show_unknown_framework(self):
        self.assertEqual(run("matrix", "show", "--framework", "caffe").returncode, 2)


if __name__ == "__main__":
    unittest.main()
