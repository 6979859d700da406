# SPDX-License-Identifier: Apache-2.0
"""The toolkit half of a lock, end to end: `envsetup lock --framework torch==2.5.1 --with-toolkit`
against dummy wheels on a loopback PEP 503 index (wheel_index) and mirror_tools' synthetic NVIDIA
mirror records every NVIDIA archive; `install --locked` of that lock on two "machines" (two venvs,
two caches, two stores) gives the same `pip freeze` and the same toolkit files; an archive whose
bytes changed on the mirror after locking fails with exit 5, naming the file, and changes nothing.
Real binary, real pip, no internet, no GPU.
"""
import contextlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import tomllib
import unittest

import mirror_tools as mt
import wheel_index

BIN = os.environ["ENVSETUP_BIN"]
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
COMPONENTS = "runtime,cuda_nvcc"
LOCKED_COMPONENTS = {"cuda_cudart", "libcublas", "cuda_nvcc", "cudnn"}  # what runtime,cuda_nvcc names in the mirror


def build_indexes(root: pathlib.Path) -> None:
    wheels = root / "wheels"
    cu124 = [wheel_index.build_wheel(wheels / "cu124", "torch", "2.5.1+cu124", requires=["filelock>=3"])]
    wheel_index.write_index(root / "srv" / "whl" / "cu124", cu124)
    pypi = [wheel_index.build_wheel(wheels / "pypi", "filelock", "3.16.1")]
    wheel_index.write_index(root / "srv" / "pypi", pypi)


class LockToolkit(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = contextlib.ExitStack()
        cls.root = pathlib.Path(cls.stack.enter_context(tempfile.TemporaryDirectory(prefix="envsetup-lock-tk-")))
        build_indexes(cls.root)
        cls.wheels_url = cls.stack.enter_context(wheel_index.serve(cls.root / "srv"))
        # A private copy of the synthetic mirror: one test changes an archive in it.
        cls.mirror = cls.root / "mirror"
        shared, cls.entries = mt.shared_mirror()
        shutil.copytree(shared, cls.mirror)
        server, cls.mirror_url = mt.start_server(str(cls.mirror))
        cls.stack.callback(mt.stop_server, server)

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    def setUp(self):
        self.work = pathlib.Path(tempfile.mkdtemp(dir=self.root))

    def env(self, machine="a"):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PIP_", "UV_", "ENVSETUP_MATRIX", "ENVSETUP_SYSROOT")) and k != "VIRTUAL_ENV"
               and k not in mt.PROXY_VARIABLES}
        env.update({"no_proxy": "127.0.0.1,localhost", "ENVSETUP_TEST_FAST_RETRY": "1",
                    "HOME": str(self.work / machine / "home"),
                    "XDG_CACHE_HOME": str(self.work / machine / "xdg-cache"),
                    "XDG_DATA_HOME": str(self.work / machine / "xdg-data"),
                    "PIP_CONFIG_FILE": os.devnull, "PIP_NO_CACHE_DIR": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
                    "PIP_RETRIES": "1", "PIP_DEFAULT_TIMEOUT": "10", "PIP_INDEX_URL": f"{self.wheels_url}/pypi/",
                    "ENVSETUP_DRIVER_VERSION": "550.54.15", "ENVSETUP_GPUS": "8.9"})
        return env

    def run_envsetup(self, *args, machine="a"):
        return subprocess.run([BIN, *args], capture_output=True, text=True, env=self.env(machine), cwd=self.work,
                              timeout=600)

    def lock(self, out):
        result = self.run_envsetup("lock", "--framework", "torch==2.5.1", "--with-toolkit", "--python", PYTHON,
                                   "--driver", "550.54.15", "--gpu", "8.9", "--wheel-mirror", f"{self.wheels_url}/whl",
                                   "--mirror", self.mirror_url, "--components", COMPONENTS,
                                   "--cache", str(self.work / "lock-cache"), "-o", str(out))
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        return result

    def install_locked(self, lock, machine, *extra):
        base = self.work / machine
        return self.run_envsetup("install", "--locked", str(lock), "--venv", str(base / "venv"),
                                 "--mirror", self.mirror_url, "--cache", str(base / "cache"),
                                 "--store", str(base / "store"), *extra, machine=machine)

    def freeze(self, venv):
        result = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "freeze", "--all"], capture_output=True,
                                text=True, env=self.env(), timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        return sorted(line for line in result.stdout.splitlines()
                      if not line.lower().startswith(("pip==", "setuptools==")))

    def prefix_of(self, machine):
        return self.work / machine / "store" / "toolkits" / f"cuda-{mt.CUDA_VERSION}-cudnn-{mt.CUDNN_VERSION}"

    def test_lock_records_the_archives_and_two_machines_install_the_same_files(self):
        lock_path = self.work / "envsetup.lock"
        result = self.lock(lock_path)
        self.assertIn("NVIDIA archive(s)", result.stdout)
        lock = tomllib.loads(lock_path.read_text())
        self.assertEqual(lock["plan"].get("toolkit_cuda"), mt.CUDA_VERSION, lock["plan"])
        self.assertEqual(lock["plan"].get("toolkit_cudnn"), mt.CUDNN_VERSION, lock["plan"])
        archives = lock["archive"]
        self.assertEqual({a["component"] for a in archives}, LOCKED_COMPONENTS)
        for archive in archives:
            entry = self.entries[archive["component"]]
            self.assertEqual(archive["product"], entry["product"])
            self.assertEqual(archive["release"], mt.CUDA_VERSION if entry["product"] == "cuda" else mt.CUDNN_VERSION)
            self.assertEqual(archive["platform"], mt.PLATFORM)
            self.assertEqual(archive["relative_path"], entry["relative_path"])
            digests = mt.digests(mt.entry_path(str(self.mirror), entry))
            self.assertEqual(archive["sha256"], digests["sha256"])
            self.assertEqual(archive["size"], int(digests["size"]))
        self.assertEqual(sorted(w["name"] for w in lock["wheel"]), ["filelock", "torch"])

        for machine in ("a", "b"):
            result = self.install_locked(lock_path, machine)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            self.assertTrue((self.prefix_of(machine) / "activate").is_file(), result.stdout)
        self.assertEqual(self.freeze(self.work / "a" / "venv"), self.freeze(self.work / "b" / "venv"))
        self.assertIn("torch==2.5.1+cu124", self.freeze(self.work / "a" / "venv"))
        files_a = mt.tree_files(str(self.prefix_of("a")))
        files_b = mt.tree_files(str(self.prefix_of("b")))
        self.assertEqual(files_a, files_b)
        self.assertIn("include/cudnn.h", files_a)
        self.assertIn("bin/nvcc", files_a)

        # Reinstalling the satisfied lock changes nothing: pip is not run, the toolkit's
        # receipt matches; a file deleted from the prefix is repaired and the run says so.
        log = self.work / "a" / "venv" / ".envsetup" / "install.log"
        log_before = log.read_text()
        again = self.install_locked(lock_path, "a", "--json")
        self.assertEqual(again.returncode, 0, again.stdout + again.stderr)
        result_line = json.loads(again.stdout.strip().splitlines()[-1])
        self.assertTrue(result_line["already_satisfied"], result_line)
        self.assertEqual(log.read_text(), log_before, "pip ran for a satisfied lock")
        (self.prefix_of("a") / "include" / "cudnn.h").unlink()
        repaired = self.install_locked(lock_path, "a", "--json")
        self.assertEqual(repaired.returncode, 0, repaired.stdout + repaired.stderr)
        self.assertFalse(json.loads(repaired.stdout.strip().splitlines()[-1])["already_satisfied"])
        self.assertTrue((self.prefix_of("a") / "include" / "cudnn.h").is_file())

    def test_an_archive_changed_on_the_mirror_after_locking_fails_with_exit_5_and_changes_nothing(self):
        lock_path = self.work / "envsetup.lock"
        self.lock(lock_path)
        entry = self.entries["cuda_cudart"]
        original = mt.entry_path(str(self.mirror), entry)
        saved = self.work / "saved.tar.xz"
        shutil.copyfile(original, saved)
        manifest = mt.manifest_path(str(self.mirror), "cuda")
        saved_manifest = pathlib.Path(manifest).read_bytes()
        try:
            # A new archive with the manifest republished (its sha256 and size), or the same number of
            # bytes with one changed and the manifest left exactly as locked.
            for republished in (True, False):
                if republished:
                    changed = self.work / "changed.tar.xz"
                    mt.write_archive(str(changed), entry["top"], {"include/cuda_runtime.h": b"/* changed */\n"},
                                     "changed license\n")
                    mt.repoint(str(self.mirror), "cuda_cudart", str(changed), recompute_sha256=True)
                else:
                    data = bytearray(saved.read_bytes())
                    data[len(data) // 2] ^= 0xFF
                    pathlib.Path(original).write_bytes(bytes(data))
                machine = f"tampered-{republished}"
                result = self.install_locked(lock_path, machine)
                self.assertEqual(result.returncode, 5, result.stdout + result.stderr)
                self.assertIn(entry["name"], result.stderr)
                self.assertIn("sha256", result.stderr)
                self.assertFalse((self.work / machine / "venv").exists())
                self.assertFalse(self.prefix_of(machine).exists())
                pathlib.Path(manifest).write_bytes(saved_manifest)
                shutil.copyfile(saved, original)
        finally:
            pathlib.Path(manifest).write_bytes(saved_manifest)
            shutil.copyfile(saved, original)


if __name__ == "__main__":
    unittest.main()
