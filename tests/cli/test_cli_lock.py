# SPDX-License-Identifier: Apache-2.0
"""`envsetup lock --framework SPEC`: the real binary and real pip resolve dummy wheels with
dependencies from PEP 503 indexes on 127.0.0.1, and the lock records every transitive wheel
with its sha256 and size (docs/lockfile.md). No internet, no GPU needed.
"""
import contextlib
import hashlib
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import tomllib
import unittest

import wheel_index

BIN = os.environ["ENVSETUP_BIN"]
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
HOST = ["--driver", "550.54.15", "--gpu", "8.9", "--python", PYTHON]


def build_indexes(root: pathlib.Path) -> dict:
    """The framework index (torch, torchvision) and a default index with torch's dependencies."""
    wheels = root / "wheels"
    cu124 = [wheel_index.build_wheel(wheels / "cu124", "torch", "2.5.1+cu124", requires=["filelock>=3", "Jinja2"]),
             wheel_index.build_wheel(wheels / "cu124", "torchvision", "0.20.1+cu124", requires=["torch==2.5.1+cu124"])]
    wheel_index.write_index(root / "whl" / "cu124", cu124)
    pypi = [wheel_index.build_wheel(wheels / "pypi", "torch", "2.5.1+cpu"),
            wheel_index.build_wheel(wheels / "pypi", "filelock", "3.16.1"),
            wheel_index.build_wheel(wheels / "pypi", "filelock", "3.0.0"),
            wheel_index.build_wheel(wheels / "pypi", "Jinja2", "3.1.4", requires=["MarkupSafe>=2.0"]),
            wheel_index.build_wheel(wheels / "pypi", "MarkupSafe", "2.1.5")]
    wheel_index.write_index(root / "pypi", pypi)
    return {path.name: path for path in cu124 + pypi}


class LockTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = contextlib.ExitStack()
        cls.root = pathlib.Path(cls.stack.enter_context(tempfile.TemporaryDirectory(prefix="envsetup-lock-")))
        cls.files = build_indexes(cls.root / "srv")
        cls.url = cls.stack.enter_context(wheel_index.serve(cls.root / "srv"))

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    def setUp(self):
        self.work = pathlib.Path(tempfile.mkdtemp(dir=self.root))

    def env(self):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PIP_", "UV_", "ENVSETUP_MATRIX", "ENVSETUP_SYSROOT")) and k != "VIRTUAL_ENV"
               and not k.lower().endswith("_proxy")}
        env.update({"no_proxy": "127.0.0.1,localhost", "PIP_CONFIG_FILE": os.devnull, "PIP_NO_CACHE_DIR": "1",
                    "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_RETRIES": "1", "PIP_DEFAULT_TIMEOUT": "10",
                    "PIP_INDEX_URL": f"{self.url}/pypi/"})
        return env

    def lock(self, *args):
        return subprocess.run([BIN, "lock", "--framework", "torch==2.5.1", *HOST, "--wheel-mirror", f"{self.url}/whl",
                               *args], capture_output=True, text=True, env=self.env(), cwd=self.work, timeout=300)

    def test_lock_records_every_transitive_wheel_with_its_sha256(self):
        result = self.lock("--with", "torchvision", "-o", "my.lock")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("5 wheel(s)", result.stdout)
        text = (self.work / "my.lock").read_text()
        lock = tomllib.loads(text)
        self.assertEqual(lock["schema_version"], 1)
        self.assertEqual(lock["requires"]["python"], PYTHON)
        self.assertEqual(lock["requires"]["platform"], "linux-x86_64")
        targets = lock["requires"]["targets"]  # the build's list, from the matrix
        self.assertTrue(targets)
        self.assertTrue(all(re.fullmatch(r"(sm|compute)_\d{2,3}[af]?", target) for target in targets), targets)
        self.assertIn("min_driver", lock["requires"])
        self.assertEqual(lock["plan"]["framework"], "torch")
        self.assertEqual(lock["plan"]["variant"], "cu124")
        indexes = {index["key"]: index["url"] for index in lock["index"]}
        self.assertEqual(indexes["pypi"], f"{self.url}/pypi/")
        self.assertEqual(indexes["torch-cu124"], f"{self.url}/whl/cu124/")
        wheels = {wheel["name"].lower(): wheel for wheel in lock["wheel"]}
        self.assertEqual(sorted(wheels), ["filelock", "jinja2", "markupsafe", "torch", "torchvision"])
        self.assertEqual(wheels["torch"]["version"], "2.5.1+cu124")
        self.assertEqual(wheels["torch"]["index"], "torch-cu124")
        self.assertEqual(wheels["filelock"]["version"], "3.16.1")
        self.assertEqual(wheels["filelock"]["index"], "pypi")
        for wheel in lock["wheel"]:
            data = self.files[wheel["filename"]].read_bytes()
            self.assertEqual(wheel["sha256"], hashlib.sha256(data).hexdigest(), wheel["filename"])
            self.assertEqual(wheel["size"], len(data))
            self.assertFalse(wheel["url"].startswith(("/", "http")), wheel["url"])
            self.assertIn(wheel["filename"].split("+")[0], wheel["url"])
        self.assertEqual([w["name"] for w in lock["wheel"]], sorted(w["name"] for w in lock["wheel"]))

        # Locking again gives the same bytes.
        again = self.lock("--with", "torchvision", "-o", "again.lock")
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual((self.work / "again.lock").read_text(), text)

    def test_index_down_fails_with_the_installer_output_and_writes_nothing(self):
        env_url = self.url
        self.url = "http://127.0.0.1:9"  # discard port: nothing listens
        try:
            result = self.lock("-o", "down.lock")
        finally:
            self.url = env_url
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("pip's resolver failed", result.stderr)
        self.assertFalse((self.work / "down.lock").exists())

    def test_uv_is_refused_until_supported(self):
        result = self.lock("--installer", "uv")
        self.assertNotEqual(result.returncode, 0)


if __name__ == "__main__":
    unittest.main()
