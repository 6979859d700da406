# SPDX-License-Identifier: Apache-2.0
"""`envsetup install --locked FILE`: the real binary, the host's `python -m venv` and real pip,
installing dummy wheels (wheel_index) that a lock written here by hand names, from PEP 503
folders served on 127.0.0.1 or from a bundle folder.

The lock pins app 1.0 and lib 1.0 while the index also offers lib 2.0: only the locked files
may appear. Detection is pinned by ENVSETUP_DRIVER_VERSION / ENVSETUP_GPUS (an Ada GPU).
Run by CTest with ENVSETUP_BIN set; no internet, no GPU needed.
"""
import contextlib
import hashlib
import os
import pathlib
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import unittest

import mirror_tools
import wheel_index

BIN = os.environ["ENVSETUP_BIN"]
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"  # this interpreter's X.Y, a host Python


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_server_tree(root: pathlib.Path) -> dict:
    """srv/pypi: app 1.0 (needs lib), lib 1.0 and 2.0; srv/whl/cu124: torch 2.5.1+cu124.
    Returns {project: wheel path in the served tree} for the locked files."""
    wheels = root / "wheels"
    pypi = [wheel_index.build_wheel(wheels, "app", "1.0", requires=["lib>=1.0"]),
            wheel_index.build_wheel(wheels, "lib", "1.0"),
            wheel_index.build_wheel(wheels, "lib", "2.0")]
    wheel_index.write_index(root / "srv" / "pypi", pypi)
    torch = wheel_index.build_wheel(wheels, "torch", "2.5.1+cu124")
    wheel_index.write_index(root / "srv" / "whl" / "cu124", [torch])
    return {"app": root / "srv" / "pypi" / "app" / "app-1.0-py3-none-any.whl",
            "lib": root / "srv" / "pypi" / "lib" / "lib-1.0-py3-none-any.whl",
            "torch": root / "srv" / "whl" / "cu124" / "torch" / torch.name}


def lock_text(base_url: str, files: dict, python: str = PYTHON, platform: str = "linux-x86_64",
              min_driver: str | None = "525.60.13", targets=("sm_80", "sm_86", "sm_89", "sm_90", "compute_90")) -> str:
    """A lockfile in the TOML layout of docs/lockfile.md, written by hand."""
    indexes = {"pypi": f"{base_url}/pypi/", "pytorch-cu124": f"{base_url}/whl/cu124/"}
    versions = {"app": "1.0", "lib": "1.0", "torch": "2.5.1+cu124"}
    lines = ["schema_version = 1", 'envsetup_version = "0.0.0-test"', "",
             "[matrix]", 'source = "embedded"', 'generated = "2025-01-01"', f'sha256 = "{"0" * 64}"', "",
             "[requires]", f'platform = "{platform}"', f'python = "{python}"']
    if min_driver:
        lines.append(f'min_driver = "{min_driver}"')
    lines += ['driver_rule = "CUDA 12.4 wheels"', "targets = [" + ", ".join(f'"{t}"' for t in targets) + "]", "",
              "[plan]", 'framework = "torch"', 'display_name = "PyTorch"', 'variant = "cu124"', 'version = "2.5.1"',
              'cuda = "12.4"', 'requirements = ["torch==2.5.1+cu124"]']
    for key in sorted(indexes):
        lines += ["", "[[index]]", f'key = "{key}"', f'url = "{indexes[key]}"']
    for name in sorted(files):
        path = pathlib.Path(files[name])
        data = path.read_bytes()
        index = "pytorch-cu124" if name == "torch" else "pypi"
        lines += ["", "[[wheel]]", f'name = "{name}"', f'version = "{versions[name]}"', f'filename = "{path.name}"',
                  f'index = "{index}"', f'url = "{name}/{path.name}"',
                  f'sha256 = "{hashlib.sha256(data).hexdigest()}"', f"size = {len(data)}"]
    return "\n".join(lines) + "\n"


class InstallLocked(unittest.TestCase):
    def setUp(self):
        self.stack = contextlib.ExitStack()
        self.addCleanup(self.stack.close)
        self.root = pathlib.Path(self.stack.enter_context(tempfile.TemporaryDirectory(prefix="envsetup-locked-")))
        self.files = build_server_tree(self.root)
        self.lock = self.root / "envsetup.lock"

    def serve(self) -> str:
        return self.stack.enter_context(wheel_index.serve(self.root / "srv"))

    def env(self, cache="cache", store="store"):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PIP_", "UV_", "ENVSETUP_MATRIX", "ENVSETUP_SYSROOT")) and k != "VIRTUAL_ENV"
               and k not in mirror_tools.PROXY_VARIABLES}
        env.update({"no_proxy": "127.0.0.1,localhost", "ENVSETUP_TEST_FAST_RETRY": "1",
                    "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_CACHE_DIR": "1",
                    # Any index pip might try is down: the lock must never need one.
                    "PIP_INDEX_URL": f"http://127.0.0.1:{closed_port()}/simple/", "PIP_RETRIES": "0",
                    "ENVSETUP_DRIVER_VERSION": "550.54.15", "ENVSETUP_GPUS": "8.9",
                    "ENVSETUP_CACHE_DIR": str(self.root / cache), "ENVSETUP_STORE": str(self.root / store)})
        return env

    def install(self, venv, *args, cache="cache", store="store"):
        command = [BIN, "install", "--locked", str(self.lock), "--venv", str(venv), *args]
        return subprocess.run(command, capture_output=True, text=True, env=self.env(cache, store), cwd=self.root,
                              timeout=300)

    def freeze(self, venv) -> list[str]:
        result = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "freeze", "--all",
                                 "--disable-pip-version-check"], capture_output=True, text=True, timeout=120,
                                env=self.env())
        self.assertEqual(result.returncode, 0, result.stderr)
        return sorted(line for line in result.stdout.splitlines()
                      if not line.lower().startswith(("pip==", "setuptools==")))

    def test_installs_exactly_the_locked_wheels_with_the_index_pages_down(self):
        url = self.serve()
        self.lock.write_text(lock_text(url, self.files))
        # The simple pages are gone: only the files themselves are served.
        for page in (self.root / "srv").rglob("index.html"):
            page.unlink()
        venv = self.root / "venv"
        result = self.install(venv)
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
        self.assertIn("installed 3 locked wheel(s)", result.stdout)
        self.assertEqual(self.freeze(venv), ["app==1.0", "lib==1.0", "torch==2.5.1+cu124"])
        log = (venv / ".envsetup" / "install.log").read_text()
        self.assertIn("--no-index --find-links", log)
        self.assertIn("--no-deps --require-hashes", log)
        self.assertIn("lib==1.0 --hash=sha256:", log)
        # Again: a no-op, quickly.
        started = time.monotonic()
        again = self.install(venv)
        elapsed = time.monotonic() - started
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("already installed", again.stdout)
        self.assertLess(elapsed, 5.0)

    def test_a_wheel_tampered_on_the_server_after_locking_fails_naming_it(self):
        url = self.serve()
        self.lock.write_text(lock_text(url, self.files))
        tampered = self.files["lib"]
        tampered.write_bytes(wheel_index.build_wheel(self.root / "evil", "lib", "1.0",
                                                     module_source="raise SystemExit('evil')\n").read_bytes())
        venv = self.root / "venv"
        result = self.install(venv)
        self.assertEqual(result.returncode, 5, result.stderr + result.stdout)
        self.assertIn(tampered.name, result.stderr)
        self.assertFalse(venv.exists(), "the venv must not be created when a wheel fails its check")

    def test_a_host_outside_the_lock_is_refused_with_every_reason(self):
        url = self.serve()
        self.lock.write_text(lock_text(url, self.files, platform="linux-aarch64", min_driver="999.1",
                                       targets=("sm_90", "sm_100")))
        venv = self.root / "venv"
        result = self.install(venv)
        self.assertEqual(result.returncode, 3, result.stderr + result.stdout)
        for words in ("linux-aarch64", "999.1", "8.9"):
            self.assertIn(words, result.stderr)
        self.assertFalse(venv.exists())
        self.lock.write_text(lock_text(url, self.files, python="3.1"))
        result = self.install(venv)
        self.assertEqual(result.returncode, 3, result.stderr + result.stdout)
        self.assertIn("3.1", result.stderr)

    def test_two_machines_from_one_lock_freeze_identically_and_the_second_needs_no_server(self):
        url = self.serve()
        self.lock.write_text(lock_text(url, self.files))
        first = self.install(self.root / "a", cache="cache-a", store="store-a")
        self.assertEqual(first.returncode, 0, first.stderr)
        second = self.install(self.root / "b", cache="cache-b", store="store-b")
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertEqual(self.freeze(self.root / "a"), self.freeze(self.root / "b"))
        # A third venv from machine a's cache while nothing is served at all.
        shutil.rmtree(self.root / "srv")
        third = self.install(self.root / "c", "--offline", cache="cache-a", store="store-a")
        self.assertEqual(third.returncode, 0, third.stderr)
        self.assertEqual(self.freeze(self.root / "c"), self.freeze(self.root / "a"))

    def test_a_read_only_bundle_installs_with_no_server(self):
        bundle = self.root / "bundle"
        bundled = {}
        for name, path in self.files.items():
            (bundle / "simple" / name).mkdir(parents=True)
            bundled[name] = shutil.copy(path, bundle / "simple" / name / path.name)
        # The lock still names the (now unreachable) server: the bundle replaces it.
        self.lock.write_text(lock_text(f"http://127.0.0.1:{closed_port()}", bundled))
        for folder in [bundle, *bundle.rglob("*")]:
            folder.chmod(folder.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        self.addCleanup(lambda: [p.chmod(p.stat().st_mode | stat.S_IWUSR) for p in [bundle, *bundle.rglob("*")]])
        venv = self.root / "venv"
        result = self.install(venv, "--bundle", str(bundle))
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
        self.assertEqual(self.freeze(venv), ["app==1.0", "lib==1.0", "torch==2.5.1+cu124"])

    def test_plan_flags_are_refused_with_a_lock(self):
        self.lock.write_text("schema_version = 1\n")
        result = subprocess.run([BIN, "install", "--locked", str(self.lock), "--framework", "torch"],
                                capture_output=True, text=True, env=self.env(), cwd=self.root, timeout=60)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("--framework", result.stderr)


if __name__ == "__main__":
    unittest.main()
