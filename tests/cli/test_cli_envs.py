# SPDX-License-Identifier: Apache-2.0
"""`envsetup envs list|remove`: the registry of venvs envsetup made. One real
`install --framework` (host python -m venv, real pip, a dummy torch wheel from a PEP 503
index on 127.0.0.1) records its venv; the safety cases need no pip: a hand-written registry
line naming a venv envsetup did not make, a venv not in the registry, and a registered venv
replaced by a symlink are never deleted.

Run by CTest with ENVSETUP_BIN, ENVSETUP_TEST_SERVER and ENVSETUP_SOURCE_DIR set.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

import mirror_tools as mt
import wheel_index

PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
HOST = ["--driver", "550.54.15", "--gpu", "8.9", "--python", PYTHON]
ID = "0123456789abcdef0123456789abcdef"


def fake_venv(path):
    """A folder shaped like a venv (pyvenv.cfg, bin/python): what `envs remove` could delete."""
    os.makedirs(os.path.join(path, "bin"))
    pathlib.Path(path, "pyvenv.cfg").write_text(f"home = /usr/bin\nversion = {PYTHON}.0\n")
    pathlib.Path(path, "bin", "python").write_text("")
    return path


class EnvsCase(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="envsetup-envs-")
        self.addCleanup(shutil.rmtree, self.root, True)
        self.home = os.path.join(self.root, "home")
        self.store = os.path.join(self.root, "store")
        os.makedirs(self.home)

    def run_envsetup(self, *args, env=None):
        return mt.run_envsetup(self.home, *args, env=env, timeout=300)

    def envs(self, *args):
        return self.run_envsetup("envs", *args, "--store", self.store)

    def listed(self):
        result = self.envs("list", "--json")
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)

    def write_registry(self, *venvs):
        os.makedirs(self.store, exist_ok=True)
        entries = [{"venv": venv, "id": ID, "distribution": "torch", "python": PYTHON} for venv in venvs]
        pathlib.Path(self.store, "venvs.json").write_text(json.dumps({"venvs": entries}))


class EnvsRegistry(EnvsCase):
    def test_install_framework_records_its_venv_and_envs_remove_deletes_it(self):
        srv = pathlib.Path(self.root, "srv")
        wheel = wheel_index.build_wheel(srv / "wheels", "torch", "2.5.1+cu124")
        wheel_index.write_index(srv / "whl" / "cu124", [wheel])
        wheel_index.write_index(srv / "pypi", [wheel_index.build_wheel(srv / "wheels-cpu", "torch", "2.5.1+cpu")])
        venv = os.path.join(self.root, "envs", "torch")
        with wheel_index.serve(srv) as url:
            env = {"PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_CACHE_DIR": "1",
                   "PIP_INDEX_URL": f"{url}/pypi/"}
            result = self.run_envsetup("install", "--framework", "torch==2.5.1", "--venv", venv, "--store",
                                       self.store, "--wheel-mirror", f"{url}/whl", *HOST, env=env)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        [entry] = self.listed()
        self.assertEqual((entry["venv"], entry["source"], entry["distribution"], entry["version"], entry["python"]),
                         (venv, "framework", "torch", "2.5.1+cu124", PYTHON))
        self.assertEqual((entry["health"], entry["healthy"]), ("ok", True))
        self.assertRegex(entry["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        text = self.envs("list")
        self.assertIn(venv, text.stdout)
        self.assertIn("torch 2.5.1+cu124", text.stdout)

        # The framework's metadata changes: listed as changed, no import needed.
        dist_info = pathlib.Path(venv, "lib", f"python{PYTHON}", "site-packages", "torch-2.5.1+cu124.dist-info")
        metadata = (dist_info / "METADATA").read_text()
        (dist_info / "METADATA").write_text(metadata.replace("Version: 2.5.1+cu124", "Version: 2.4.0"))
        self.assertEqual(self.listed()[0]["health"], "changed")

        removed = self.envs("remove", venv)
        self.assertEqual(removed.returncode, 0, removed.stderr)
        self.assertIn(f"removed {venv}", removed.stdout)
        self.assertFalse(os.path.lexists(venv))
        self.assertTrue(os.path.isdir(os.path.dirname(venv)))
        self.assertEqual(self.listed(), [])
        again = self.envs("remove", venv)
        self.assertEqual(again.returncode, 2)
        self.assertIn("is not a venv envsetup made", again.stderr)


class EnvsSafety(EnvsCase):
    def test_a_venv_not_in_the_registry_is_refused(self):
        venv = fake_venv(os.path.join(self.root, "mine"))
        result = self.envs("remove", venv)
        self.assertEqual(result.returncode, 2)
        self.assertIn("is not a venv envsetup made", result.stderr)
        self.assertIn("envsetup envs list", result.stderr)
        self.assertTrue(os.path.isfile(os.path.join(venv, "pyvenv.cfg")))

    def test_a_registry_line_pointing_at_another_venv_deletes_nothing(self):
        venv = fake_venv(os.path.join(self.root, "victim"))
        self.write_registry(venv, "relative/venv", "/etc/../etc")
        [entry] = self.listed()  # the hostile lines are ignored
        self.assertEqual((entry["venv"], entry["health"]), (venv, "changed"))
        result = self.envs("remove", venv)
        self.assertEqual(result.returncode, 2)
        self.assertIn("is not the venv envsetup recorded there", result.stderr)
        self.assertTrue(os.path.isfile(os.path.join(venv, "bin", "python")))
        forgotten = self.envs("remove", "--forget", venv)
        self.assertEqual(forgotten.returncode, 0, forgotten.stderr)
        self.assertEqual(self.listed(), [])
        self.assertTrue(os.path.isfile(os.path.join(venv, "pyvenv.cfg")))

    def test_a_registered_venv_replaced_by_a_symlink_is_not_followed(self):
        target = fake_venv(os.path.join(self.root, "elsewhere"))
        os.makedirs(os.path.join(target, ".envsetup"))
        pathlib.Path(target, ".envsetup", "venv-id").write_text(ID + "\n")  # even with the right mark
        venv = os.path.join(self.root, "envs", "torch")
        os.makedirs(os.path.dirname(venv))
        os.symlink(target, venv)
        self.write_registry(venv)
        self.assertEqual(self.listed()[0]["health"], "broken")
        result = self.envs("remove", venv, "--json")
        self.assertEqual(result.returncode, 2)
        self.assertFalse(json.loads(result.stdout.splitlines()[-1])["ok"])
        self.assertIn("symbolic link", result.stderr)
        self.assertTrue(os.path.islink(venv))
        self.assertTrue(os.path.isfile(os.path.join(target, "pyvenv.cfg")))

    def test_a_venv_that_is_gone_only_leaves_the_list(self):
        venv = os.path.join(self.root, "gone")
        self.write_registry(venv)
        self.assertEqual(self.listed()[0]["health"], "missing")
        result = self.envs("remove", venv)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("already gone", result.stdout)
        self.assertEqual(self.listed(), [])
        empty = self.envs("list")
        self.assertIn("no venv made by envsetup", empty.stdout)


if __name__ == "__main__":
    unittest.main()
