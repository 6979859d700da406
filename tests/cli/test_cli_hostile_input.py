# SPDX-License-Identifier: Apache-2.0
"""Hostile input from flags, environment variables, manifests and archive names (issue 13),
end to end: the real binary, a synthetic mirror served on 127.0.0.1, the host's real
`python3 -m venv`. Each test is named after the attack it stops.

Run by CTest with ENVSETUP_BIN, ENVSETUP_TEST_SERVER and ENVSETUP_SOURCE_DIR set; no internet.
"""
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import unittest

import mirror_tools as mt
from mirror_tools import MirrorTestCase

ESC = "\x1b"
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"  # this interpreter's X.Y, a host Python
HOST = ["--driver", "550.54.15", "--gpu", "8.9"]


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class HostileInput(MirrorTestCase):
    def assertUsageError(self, result, *needles):
        self.assertExit(result, 2)
        self.assertIn("envsetup: error:", result.stderr)
        self.assertIn("hint:", result.stderr)
        for needle in needles:
            self.assertIn(needle, result.stderr)
        self.assertNotIn(ESC, result.stdout + result.stderr)

    def test_prefix_with_newline_becomes_no_shell_code_in_activate(self):
        url = self.serve()
        marker = self.ws.path("pwned")
        prefix = self.ws.path("p") + f"\ntouch {marker}\n#"
        result = self.ws.run("install", "--cuda", "12.4", "--components", "cuda_cccl", "--mirror", url,
                             "--prefix", prefix, "--cache", self.ws.cache, "--store", self.ws.store)
        self.assertUsageError(result, "--prefix", "contains a control character", "\\n")
        self.assertFalse(os.path.exists(self.ws.path("p")))
        self.assertFalse(os.path.lexists(prefix))
        self.assertFalse(os.path.exists(marker))

    def test_every_path_flag_with_a_control_character_is_a_usage_error(self):
        bad = self.ws.path("x\ny")
        cases = [
            (["install", "--cuda", "12.4", "--store", bad, "--offline"], "--store"),
            (["fetch", "--cuda", "12.4", "--cache", bad, "--offline"], "--cache"),
            (["cache", "list", "--cache", self.ws.path("c\x1b[2J")], "--cache"),
            (["install", "--framework", "torch", "--venv", bad, "--dry-run", *HOST], "--venv"),
            (["resolve", "-f", "torch", "--matrix", bad, *HOST], "--matrix"),
            (["detect", "--sysroot", bad], "--sysroot"),
            (["spec", "-f", "torch", "-o", bad, *HOST], "--output"),
            (["remove", bad], "prefix"),
            (["env", self.ws.path("p\rq")], "prefix"),
            (["mirror", bad, "--cuda", "12.4"], "outdir"),
            (["inspect", bad, "--gpu", "8.0"], "PATH"),
            (["matrix", "update", "--key", bad, "--offline"], "--key"),
            (["matrix", "bundle", "matrix", "--key", bad, "-o", self.ws.path("out")], "--key"),
        ]
        for args, flag in cases:
            with self.subTest(args=args):
                result = self.ws.run(*args)
                self.assertUsageError(result, flag, "contains a control character")
                self.assertFalse(os.path.lexists(bad))

    def test_path_variables_with_control_characters_are_usage_errors(self):
        for variable, args in (("ENVSETUP_STORE", ["list"]), ("ENVSETUP_CACHE_DIR", ["cache", "list"]),
                               ("ENVSETUP_MATRIX", ["matrix", "show"]), ("XDG_DATA_HOME", ["list"]),
                               ("XDG_CONFIG_HOME", ["matrix", "show", "--source"])):
            with self.subTest(variable=variable):
                result = self.ws.run(*args, env={variable: self.ws.path("s\n\x1b]0;owned\x07")})
                self.assertUsageError(result, variable, "\\x1b]0;owned\\x07", "unset it")
        result = self.ws.run("fetch", "--cuda", "12.4", "--offline",
                             env={"ENVSETUP_MIRROR": "http://mirror.lab/\nx"})
        self.assertUsageError(result, "ENVSETUP_MIRROR")
        result = self.ws.run("matrix", "update", env={"ENVSETUP_MATRIX_URL": "http://m.lab/\nx"})
        self.assertUsageError(result, "ENVSETUP_MATRIX_URL")
        for args, flag in ((["matrix", "update", "--from", "http://m.lab/ x"], "--from"),
                           (["matrix", "check-index", "--index", "http://i.lab/\tx"], "--index")):
            with self.subTest(args=args):
                self.assertUsageError(self.ws.run(*args), flag)

    def test_json_output_for_a_path_that_is_not_utf8_is_json_not_a_crash(self):
        cache = os.fsencode(self.ws.path("cache-")) + b"\xff"
        os.makedirs(cache)
        result = subprocess.run([os.environ["ENVSETUP_BIN"], "cache", "list", "--json", "--cache", cache],
                                env=mt.envsetup_env(self.ws.home), capture_output=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        document = json.loads(result.stdout.decode())
        self.assertIn("\ufffd", document["cache"])

    def test_c1_controls_and_bidi_overrides_in_a_path_are_refused(self):
        for bad in ("c\u009b31m", "x\u202eevil"):
            result = self.ws.run("cache", "list", "--cache", self.ws.path(bad))
            self.assertExit(result, 2, bad)
            self.assertNotIn(bad[1], result.stderr)

    def test_garbage_in_driver_and_gpu_variables_is_an_error_like_the_flag(self):
        flag = self.ws.run("resolve", "-f", "torch", "--driver", "banana", "--gpu", "8.9")
        self.assertExit(flag, 2)
        cases = [
            ({"ENVSETUP_DRIVER_VERSION": "banana"}, "ENVSETUP_DRIVER_VERSION=`banana` is not a driver version"),
            ({"ENVSETUP_DRIVER_VERSION": "550"}, "expected 2 to 4 dot-separated numbers"),
            ({"ENVSETUP_GPUS": "8.6,bogus"}, "ENVSETUP_GPUS=`8.6,bogus` is not a list of compute capabilities"),
            ({"ENVSETUP_GPUS": "8.9\x1b[2J"}, "ENVSETUP_GPUS=`8.9\\x1b[2J`"),
        ]
        for env, message in cases:
            for args in (["resolve", "-f", "torch", "--python", PYTHON], ["detect", "--json"], ["doctor"]):
                with self.subTest(env=env, args=args):
                    result = self.ws.run(*args, env=env)
                    self.assertUsageError(result, message)
                    if "--json" in args:  # stdout stays one JSON document
                        self.assertEqual(json.loads(result.stdout)["error"]["kind"], "usage")
                    else:
                        self.assertEqual(result.stdout, "")
        good = self.ws.run("detect", "--json", env={"ENVSETUP_DRIVER_VERSION": "550.54.15", "ENVSETUP_GPUS": "8.6,sm_89"})
        self.assertExit(good, 0)
        report = json.loads(good.stdout)
        self.assertEqual(report["driver"]["version"], "550.54.15")
        self.assertEqual(len(report["gpus"]), 2)

    def test_control_bytes_from_manifests_and_archive_names_never_reach_the_terminal_raw(self):
        mirror = self.copy_mirror()
        manifest_file = mt.manifest_path(mirror, "cuda")
        with open(manifest_file) as handle:
            original = handle.read()
        manifest = json.loads(original)
        # An archive whose name is a terminal escape (retitle, clear screen), and a hostile name.
        entry = manifest["cuda_cccl"][mt.PLATFORM]
        old = os.path.join(mirror, "cuda", "redist", entry["relative_path"])
        hostile_name = f"cuda_cccl-{ESC}]0;owned{ESC}\\{ESC}[2J.tar.xz"
        entry["relative_path"] = os.path.join(os.path.dirname(entry["relative_path"]), hostile_name)
        os.rename(old, os.path.join(mirror, "cuda", "redist", entry["relative_path"]))
        manifest["cuda_cccl"]["name"] = f"CCCL {ESC}[31mred"
        with open(manifest_file, "w") as handle:
            json.dump(manifest, handle)
        url = self.serve(mirror)
        outputs = []
        for extra in ([], ["--json"]):
            result = self.ws.run("fetch", "--cuda", "12.4", "--components", "cuda_cccl", "--mirror", url,
                                 "--cache", self.ws.cache, *extra)
            outputs.append(result)
            self.assertIn(result.returncode, (0, 4, 5), result.stderr)  # 5: a manifest refused for its unsafe names
            self.assertNotIn(ESC, result.stdout + result.stderr)
            self.assertIn("\\x1b", result.stdout + result.stderr)
            if extra:  # JSON output stays JSON, the escape written as \u001b by the encoder
                for document in mt.json_lines(result.stdout):
                    self.assertIsInstance(document, dict)
        # A manifest error naming a hostile component key: error, causes and hints escaped.
        manifest = json.loads(original)
        manifest[f"evil{ESC}]0;owned{ESC}\\"] = {"name": "x", "license": "x", mt.PLATFORM: {}}
        with open(manifest_file, "w") as handle:
            json.dump(manifest, handle)
        for extra in ([], ["--json"]):
            result = self.ws.run("fetch", "--cuda", "12.4", "--components", "cuda_cccl", "--mirror", url,
                                 "--cache", self.ws.path("cache2"), *extra)
            self.assertExit(result, 5)  # a manifest with an unsafe component key: integrity
            self.assertNotIn(ESC, result.stdout + result.stderr)
            self.assertIn("evil\\x1b]0;owned\\x1b\\", result.stderr)
            if extra:
                cause = json.loads(result.stdout)["error"]["causes"][0]
                self.assertIn("evil\\x1b]0;owned", cause)  # escaped where the key is named
                self.assertNotIn(ESC, cause)

    def test_wheel_mirror_with_newline_injects_no_line_into_requirements(self):
        hostile = "http://mirror.lab/whl\n--index-url http://evil.example/"
        for args in (["spec", "-f", "torch==2.5.1", "--format", "pip", *HOST, "--python", PYTHON],
                     ["install", "--framework", "torch==2.5.1", "--dry-run", "--venv", self.ws.path("v"), *HOST,
                      "--python", PYTHON]):
            for mirror in (hostile, "http://mirror.lab/ whl", "ftp://mirror.lab/whl", "mirror.lab/whl"):
                with self.subTest(args=args[0], mirror=mirror):
                    result = self.ws.run(*args, "--wheel-mirror", mirror)
                    self.assertUsageError(result, "--wheel-mirror")
                    self.assertNotIn("evil.example", result.stdout)
        ok = self.ws.run("spec", "-f", "torch==2.5.1", "--format", "pip", *HOST, "--python", PYTHON,
                         "--wheel-mirror", "http://mirror.lab/whl")
        self.assertExit(ok, 0)
        self.assertIn("--extra-index-url http://mirror.lab/whl/cu", ok.stdout)
        bad_mirror = self.ws.run("fetch", "--cuda", "12.4", "--mirror", "http://mirror.lab/\nHost: evil", "--offline")
        self.assertUsageError(bad_mirror, "--mirror")


def run_venv(path):
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True, timeout=120,
                   capture_output=True)


class ForceOnAVenv(unittest.TestCase):
    """`install --framework --force` on folders that hold a venv: real `python -m venv`."""

    def setUp(self):
        self.ws = mt.Workspace(self)
        self.root = pathlib.Path(self.ws.root)

    def install(self, venv, *extra):
        env = {"PIP_CONFIG_FILE": os.devnull, "PIP_INDEX_URL": f"http://127.0.0.1:{closed_port()}/pypi/",
               "PIP_RETRIES": "0", "PIP_DEFAULT_TIMEOUT": "2", "PIP_NO_CACHE_DIR": "1",
               "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
        return self.ws.run("install", "--framework", "torch==2.5.1", "--venv", str(venv), *HOST, "--python", PYTHON,
                           "--wheel-mirror", f"http://127.0.0.1:{closed_port()}/whl", "--force", *extra,
                           env=env, timeout=300)

    def test_force_does_not_delete_a_project_folder_holding_a_venv(self):
        project = self.root / "project"
        run_venv(project)  # `python -m venv .` next to the user's code
        (project / "train.py").write_text("print('mine')\n")
        (project / "data").mkdir()
        (project / "data" / "set.csv").write_text("1,2\n")
        before = sorted(os.listdir(project))
        for extra in (["--dry-run"], []):
            with self.subTest(extra=extra):
                result = self.install(project, *extra)
                self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
                self.assertIn("holds files that are not part of a virtual environment", result.stderr)
                self.assertIn("data, train.py", result.stderr)
                self.assertIn("hint:", result.stderr)
                self.assertEqual(sorted(os.listdir(project)), before)
                self.assertEqual((project / "train.py").read_text(), "print('mine')\n")

    def test_force_unlinks_a_link_out_of_the_venv_without_following_it(self):
        venv = self.root / "venv"
        run_venv(venv)
        outside = self.root / "outside"
        (outside / "keep").mkdir(parents=True)
        (outside / "keep" / "precious.txt").write_text("keep")
        (venv / "share").symlink_to(outside, target_is_directory=True)   # a venv part that links out
        (venv / ".envsetup").mkdir()
        (venv / ".envsetup" / "elsewhere").symlink_to(outside / "keep", target_is_directory=True)
        dry = self.install(venv, "--dry-run")
        self.assertEqual(dry.returncode, 0, dry.stderr)
        removal = [line for line in dry.stdout.splitlines() if line.strip().startswith("rm -rf ")]
        self.assertEqual(len(removal), 1, dry.stdout)
        self.assertIn(f"{venv}/pyvenv.cfg", removal[0])
        self.assertIn(f"{venv}/share", removal[0])
        self.assertNotIn(f"rm -rf {venv} ", removal[0] + " ")
        result = self.install(venv)  # recreates the venv, then pip fails on the closed port
        self.assertNotIn(result.returncode, (0, 2, 70), result.stdout + result.stderr)
        self.assertEqual((outside / "keep" / "precious.txt").read_text(), "keep")
        self.assertTrue((venv / "pyvenv.cfg").is_file(), result.stderr)
        self.assertFalse((venv / "share").is_symlink())


if __name__ == "__main__":
    unittest.main()
