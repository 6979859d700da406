# SPDX-License-Identifier: Apache-2.0
"""Hosts described the way users think (docs/cli.md, docs/detect.md): `--gpu` chip and
product names, `--python` X.Y / X.Y.Z / an interpreter path, the default Python (VIRTUAL_ENV,
conda, .python-version, python3 on PATH; another interpreter only for a strictly better plan,
with a note saying why), and specs for other places taking the plan's Python. Fake hosts are
sysroot folders; nothing is installed.

Run by CTest with ENVSETUP_BIN set.
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

BIN = os.environ["ENVSETUP_BIN"]

RESOLVE = ["resolve", "--driver", "580.65.06", "--gpu", "8.9", "--json"]


def run(*args, env=None, cwd=None):
    full_env = dict(os.environ)
    for name in ("ENVSETUP_MATRIX", "ENVSETUP_SYSROOT", "ENVSETUP_DRIVER_VERSION", "ENVSETUP_GPUS",
                 "VIRTUAL_ENV", "CONDA_PREFIX", "PYENV_VERSION", "PYENV_ROOT", "UV_PYTHON_INSTALL_DIR",
                 "XDG_DATA_HOME"):
        full_env.pop(name, None)
    full_env.update(env or {})
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=full_env, timeout=60,
                          cwd=cwd)


def fact(document, name):
    return next((f for f in document["host_facts"] if f["fact"] == name), None)


class Hosts(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.root)

    def put(self, path, content="", mode=0o644):
        real = os.path.join(self.root, path.lstrip("/"))
        os.makedirs(os.path.dirname(real), exist_ok=True)
        with open(real, "w") as handle:
            handle.write(content)
        os.chmod(real, mode)
        return real

    def python_host(self, system_minor):
        """/usr/bin/python3 -> python3.<minor> and a pyenv 3.12 below /home/u."""
        self.put(f"/usr/bin/python3.{system_minor}", "#!/bin/sh\n", 0o755)
        os.symlink(f"python3.{system_minor}", os.path.join(self.root, "usr/bin/python3"))
        self.put("/home/u/.pyenv/versions/3.12.7/bin/python3.12", "#!/bin/sh\n", 0o755)
        os.symlink("python3.12", os.path.join(self.root, "home/u/.pyenv/versions/3.12.7/bin/python3"))
        return {"ENVSETUP_SYSROOT": self.root, "PATH": "/usr/bin", "HOME": "/home/u"}

    def test_gpu_names(self):
        for name, capability in (("a100", "sm_80"), ("H100", "sm_90"), ("RTX 3090", "sm_86"),
                                 ("rtx3090", "sm_86"), ("gb10", "sm_121"), ("GA102", "sm_86")):
            result = run("resolve", "-f", "torch", "--driver", "580.65.06", "--gpu", name, "--python", "3.12",
                         "--json")
            self.assertIn(result.returncode, (0, 3), result.stderr)
            gpu = fact(json.loads(result.stdout), "GPU")
            self.assertTrue(gpu["value"].startswith(capability + " "), (name, gpu))
        unknown = run("resolve", "-f", "torch", "--driver", "580.65.06", "--gpu", "a10")
        self.assertEqual(unknown.returncode, 2, unknown.stderr)
        self.assertIn("invalid `--gpu` value `a10`", unknown.stderr)
        self.assertIn("close matches: A100 SXM4 40GB, A100 PCIe 40GB, A100 SXM4 80GB (GA100, 8.0)", unknown.stderr)
        ambiguous = run("spec", "--format", "pip", "-f", "torch", "--driver", "580.65.06", "--gpu", "rtx 3050")
        self.assertEqual(ambiguous.returncode, 2, ambiguous.stderr)
        self.assertIn("compute capability 8.6", ambiguous.stderr)
        self.assertIn("compute capability 8.9", ambiguous.stderr)
        inspect = run("inspect", "/nonexistent-library.so", "--gpu", "zz top", "--driver", "580.65.06")
        self.assertEqual(inspect.returncode, 2, inspect.stderr)
        self.assertIn("invalid `--gpu` value", inspect.stderr)

    def test_python_flag_forms(self):
        document = json.loads(run(*RESOLVE, "-f", "torch", "--python", "3.11.7").stdout)
        self.assertEqual(document["python"], "3.11")
        self.assertEqual(fact(document, "Python")["origin"], "--python 3.11.7")
        interpreter = self.put("/bin/python-fake", "#!/bin/sh\necho 3.12.4\n", 0o755)
        result = run(*RESOLVE, "-f", "torch", "--python", interpreter)
        self.assertEqual(result.returncode, 0, result.stderr)
        document = json.loads(result.stdout)
        self.assertEqual(document["python"], "3.12")
        self.assertEqual(fact(document, "Python")["origin"], f"--python {interpreter} (3.12.4)")
        not_python = self.put("/bin/not-python", "#!/bin/sh\necho hello\n", 0o755)
        for bad in (not_python, os.path.join(self.root, "missing/python3"), "three"):
            result = run("resolve", "-f", "torch", "--driver", "580.65.06", "--gpu", "8.9", "--python", bad)
            self.assertEqual(result.returncode, 2, (bad, result.stderr))
            self.assertTrue(result.stderr.startswith("envsetup: error: "), result.stderr)

    def test_default_python_and_a_better_one_from_elsewhere(self):
        env = self.python_host("15")  # no torch release has wheels for 3.15
        result = run(*RESOLVE, "-f", "torch", env=env, cwd=self.root)
        self.assertEqual(result.returncode, 0, result.stderr)
        document = json.loads(result.stdout)
        self.assertEqual(document["python"], "3.12")
        self.assertIn("pyenv /home/u/.pyenv/versions/3.12.7/bin/python3", fact(document, "Python")["origin"])
        self.assertTrue(any("chosen: with Python 3.15 (python3 on PATH /usr/bin/python3) there is no plan" in note
                            for note in document["notes"]), document["notes"])

    def test_install_uses_the_interpreter(self):
        interpreter = self.put("/bin/python-fake", "#!/bin/sh\necho 3.12.4\n", 0o755)
        venv = os.path.join(self.root, "venv")
        result = run("install", "--framework", "torch==2.5.1", "--dry-run", "--offline", "--python", interpreter,
                     "--driver", "580.65.06", "--gpu", "a100", "--venv", venv)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("GPU sm_80 a100 (GA100) (--gpu)", result.stdout)
        self.assertIn(f"{interpreter} -m venv {venv}", result.stdout)
        self.assertFalse(os.path.exists(venv))

    def test_python_version_file_and_active_venv(self):
        env = self.python_host("11")
        project = os.path.join(self.root, "project")
        os.makedirs(os.path.join(project, "src"))
        with open(os.path.join(project, ".python-version"), "w") as handle:
            handle.write("3.12.7\n")
        document = json.loads(run(*RESOLVE, "-f", "torch==2.5.1", env=env,
                                  cwd=os.path.join(project, "src")).stdout)
        self.assertEqual(document["python"], "3.12")
        self.assertEqual(fact(document, "Python")["origin"], ".python-version " + os.path.join(project, ".python-version"))
        # Without the file: python3 on PATH (3.11), kept: 3.12 gives the same torch 2.5.1.
        document = json.loads(run(*RESOLVE, "-f", "torch==2.5.1", env=env, cwd=self.root).stdout)
        self.assertEqual(document["python"], "3.11")
        self.assertEqual(fact(document, "Python")["origin"], "python3 on PATH /usr/bin/python3")
        self.assertFalse([note for note in document["notes"] if "chosen" in note], document["notes"])
        # An active venv comes first.
        self.put("/work/venv/pyvenv.cfg", "home = /opt/py310/bin\nversion = 3.10.14\n")
        self.put("/opt/py310/bin/python3.10", "#!/bin/sh\n", 0o755)
        os.makedirs(os.path.join(self.root, "work/venv/bin"))
        os.symlink("/opt/py310/bin/python3.10", os.path.join(self.root, "work/venv/bin/python"))
        document = json.loads(run(*RESOLVE, "-f", "torch", env={**env, "VIRTUAL_ENV": "/work/venv"},
                                  cwd=os.path.join(project, "src")).stdout)
        self.assertEqual(document["python"], "3.10")
        self.assertEqual(fact(document, "Python")["origin"], "VIRTUAL_ENV /work/venv/bin/python")

    def test_specs_for_other_places_take_the_plans_python(self):
        env = self.python_host("11")
        newest = json.loads(run(*RESOLVE, "-f", "torch==2.5.1", "--python", "3.13").stdout)["python"]
        for spec_format, line in (("conda", f"python={newest}"), ("docker", f"python{newest} -m venv"),
                                  ("pixi", f'python = "{newest}.*"')):
            result = run("spec", "--format", spec_format, "-f", "torch==2.5.1", "--driver", "580.65.06",
                         "--gpu", "8.9", env=env, cwd=self.root)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn(line, result.stdout, spec_format)
            self.assertIn(f"Python {newest} (the newest the plan supports", result.stdout)
        pip = run("spec", "--format", "pip", "-f", "torch==2.5.1", "--driver", "580.65.06", "--gpu", "8.9",
                  env=env, cwd=self.root)
        self.assertEqual(pip.returncode, 0, pip.stderr)
        self.assertIn("Python 3.11 (python3 on PATH", pip.stdout)
        pinned = run("spec", "--format", "conda", "-f", "torch==2.5.1", "--driver", "580.65.06", "--gpu", "8.9",
                     "--python", "3.10", env=env, cwd=self.root)
        self.assertIn("python=3.10", pinned.stdout)


if __name__ == "__main__":
    unittest.main()
