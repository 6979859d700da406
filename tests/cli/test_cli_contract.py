# SPDX-License-Identifier: Apache-2.0
"""One CLI contract (docs/cli.md "The command-line contract"): parse errors in envsetup's own
format with "did you mean", `--json` = exactly one JSON document on stdout for every command
(success, failure and malformed command lines alike), conflicting flags refused naming both,
`spec -o` not overwriting without --force, and colour only on a terminal.

Run by CTest with ENVSETUP_BIN and ENVSETUP_SOURCE_DIR set. Every case runs offline and fast.
"""
import json
import os
import pty
import shutil
import subprocess
import tempfile
import unittest

BIN = os.environ["ENVSETUP_BIN"]
SOURCE = os.environ["ENVSETUP_SOURCE_DIR"]
ESC = "\x1b"
# Host facts given as flags: the plans below do not depend on the machine running the test.
HOST = ["--platform", "linux-x86_64", "--glibc", "2.35", "--python", "3.12"]


class ContractCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="envsetup-contract-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("ENVSETUP_", "XDG_")) and k not in ("NO_COLOR", "VIRTUAL_ENV")}
        self.env.update({"HOME": self.tmp, "ENVSETUP_STORE": self.path("store"),
                         "ENVSETUP_CACHE_DIR": self.path("cache"), "TERM": "xterm"})

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def run_cli(self, *args, env=None):
        return subprocess.run([BIN, *args], capture_output=True, text=True, env={**self.env, **(env or {})},
                              timeout=120)

    def assertUsage(self, result, *needles):
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertTrue(result.stderr.startswith("envsetup: error: "), result.stderr)
        for needle in needles:
            self.assertIn(needle, result.stderr)

    def assertErrorDocument(self, result, kind=None):
        document = json.loads(result.stdout)  # the whole of stdout: exactly one JSON document
        self.assertIs(document["ok"], False, result.stdout)
        error = document["error"]
        self.assertEqual(set(error), {"kind", "message", "causes", "hints"}, error)
        self.assertIsInstance(error["message"], str)
        self.assertIsInstance(error["causes"], list)
        self.assertIsInstance(error["hints"], list)
        if kind is not None:
            self.assertEqual(error["kind"], kind)
        return error


class ParseErrors(ContractCase):
    def test_unknown_command_names_the_closest(self):
        result = self.run_cli("instal")
        self.assertUsage(result, "unknown command `instal`", "did you mean `envsetup install`?")
        nested = self.run_cli("matrix", "shwo")
        self.assertUsage(nested, "did you mean `envsetup matrix show`?")

    def test_unknown_flag_names_the_closest_flag_of_that_command(self):
        result = self.run_cli("install", "--framwork", "torch")
        self.assertUsage(result, "unknown flag `--framwork`", "did you mean `--framework`?",
                         "run `envsetup install --help`")

    def test_bad_values_name_the_closest_value(self):
        self.assertUsage(self.run_cli("spec", "--format", "dokcer", "-f", "torch"), "did you mean `--format docker`?")
        self.assertUsage(self.run_cli("resolve", "-f", "pyorch", "--cpu", *HOST),
                         "unknown framework `pyorch`", "did you mean `--framework torch`?")
        self.assertUsage(self.run_cli("--color", "nevr", "detect"), "did you mean `--color never`?")

    def test_positional_framework_gets_the_flag_spelled_out(self):
        result = self.run_cli("install", "torch")
        self.assertUsage(result, "unexpected argument `torch`", "`envsetup install --framework torch`")
        quoted = self.run_cli("lock", "torch>=2.4")
        self.assertUsage(quoted, "`envsetup lock --framework 'torch>=2.4'`")

    def test_missing_command_or_value_says_what_is_missing(self):
        result = self.run_cli("cache")
        self.assertUsage(result, "`envsetup cache` needs a command: list, verify, clean")
        self.assertUsage(self.run_cli(), "`envsetup` needs a command: detect, resolve")
        self.assertNotIn("worker", self.run_cli().stderr)  # hidden commands stay hidden
        self.assertUsage(self.run_cli("resolve", "-f", "torch", "--gpu"), "`--gpu` needs a value")

    def test_parse_errors_are_json_under_json(self):
        for args in (["instal", "--json"], ["detect", "--json", "--bogus"], ["spec", "--json", "--format", "pip"],
                     ["resolve", "--json", "-f", "torch", "--cpu", "--cuda", "12.4"]):
            with self.subTest(args=args):
                result = self.run_cli(*args)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertErrorDocument(result, "usage")


class Json(ContractCase):
    """Each command's --json output is one document, on success and on failure."""

    def test_every_command_prints_one_document(self):
        missing = self.path("missing")
        cases = [
            (["detect", "--json"], 0),
            (["resolve", "-f", "torch==2.5.1", "--cpu", *HOST, "--json"], 0),
            (["resolve", "-f", "torch==2.5.1", "--driver", "none", "--gpu", "8.9", *HOST, "--json"], 3),
            (["fetch", "--cuda", "12.4", "--offline", "--json"], 1),
            (["fetch", "--cuda", "12.4", "--offline", "--events"], 1),
            (["mirror", self.path("m"), "--cuda", "12.4", "--offline", "--json"], 1),
            (["install", "--cuda", "12.4", "--offline", "--prefix", self.path("p"), "--json"], 1),
            (["install", "-f", "torch", "--cpu", "--cuda", "12.4", "--json"], 2),
            (["install", "--locked", missing, "--json"], 1),
            (["lock", "-f", "torch", "--cpu", "--with-toolkit", "--json"], 2),
            (["list", "--json"], 0),
            (["cache", "list", "--json"], 0),
            (["matrix", "show", "--json"], 0),
            (["matrix", "validate", os.path.join(SOURCE, "matrix"), "--json"], 0),
            (["matrix", "validate", missing, "--json"], 1),
            (["matrix", "update", "--from", missing, "--json"], 4),
            (["inspect", os.path.join(SOURCE, "matrix", "torch.json"), "--json"], 0),
            (["inspect", missing, "--json"], 2),
            (["remove", missing, "--json"], 2),  # no --json flag: the usage error, as JSON
            (["spec", "--format", "pip", "-f", "torch", "--json"], 2),
            # Exit depends on the host (a Python 3.12 to plan with, what doctor finds): one
            # document either way, and the error object whenever the command failed.
            (["install", "-f", "torch==2.5.1", "--cpu", "--python", "3.12", "--dry-run", "--venv", self.path("v"),
              "--json"], None),
            (["doctor", "--json"], None),
            (["matrix", "check-index", "--index", "file://" + missing, "--json"], None),
        ]
        for args, code in cases:
            with self.subTest(args=" ".join(args).replace(self.tmp, "TMP")):
                result = self.run_cli(*args)
                if code is not None:
                    self.assertEqual(result.returncode, code, result.stderr)
                document = json.loads(result.stdout)  # exactly one document
                # verify's and doctor's reports keep their own shape (docs/cli.md)
                if result.returncode != 0 and not {"findings", "checks"} & set(document):
                    self.assertErrorDocument(result)

    def test_failed_reports_carry_the_error_object(self):
        broken = self.path("matrix")
        shutil.copytree(os.path.join(SOURCE, "tests", "data", "matrix-minimal"), broken)
        with open(os.path.join(broken, "cuda.json"), "w") as handle:
            handle.write("{")
        result = self.run_cli("matrix", "validate", broken, "--json")
        self.assertEqual(result.returncode, 7, result.stderr)
        self.assertErrorDocument(result, "invalid_data")
        self.assertTrue(json.loads(result.stdout)["problems"])

    def test_refusal_uses_the_error_object(self):
        result = self.run_cli("resolve", "-f", "torch==2.5.1", "--driver", "none", "--gpu", "8.9", *HOST, "--json")
        error = self.assertErrorDocument(result, "no_solution")
        self.assertTrue(error["hints"])
        self.assertIn("rejected", json.loads(result.stdout))


class Conflicts(ContractCase):
    def test_cpu_with_cuda_names_both_flags(self):
        for args in (["resolve", "-f", "torch", "--cpu", "--cuda", "12.4", *HOST],
                     ["spec", "--format", "pip", "-f", "torch", "--cpu", "--cuda", "12.4", *HOST],
                     ["install", "-f", "torch", "--cpu", "--cuda", "12.4", "--dry-run"],
                     ["install", "-f", "torch", "--cpu", "--with-toolkit", "--dry-run"],
                     ["lock", "-f", "torch", "--cpu", "--cudnn", "9.1"]):
            with self.subTest(args=args[0]):
                result = self.run_cli(*args)
                self.assertUsage(result, "`--cpu` and `--")

    def test_wheel_mirror_only_where_it_applies(self):
        mirror = ["--wheel-mirror", "http://mirror.lab/whl/"]
        for framework in ("tensorflow", "jax==0.4.30"):
            with self.subTest(framework=framework):
                result = self.run_cli("spec", "--format", "pip", "-f", framework, "--cpu", *HOST, *mirror)
                self.assertUsage(result, "`--wheel-mirror` and `--framework " + framework.split("==")[0] + "`",
                                 "PIP_INDEX_URL")
        result = self.run_cli("install", "-f", "tf", "--dry-run", *mirror)
        self.assertUsage(result, "`--framework tensorflow`")
        self.assertEqual(self.run_cli("spec", "--format", "pip", "-f", "torch==2.5.1", "--cpu", *HOST,
                                      *mirror).returncode, 0)

    def test_spec_output_is_not_replaced_without_force(self):
        out = self.path("requirements.txt")
        with open(out, "w") as handle:
            handle.write("mine\n")
        args = ["spec", "--format", "pip", "-f", "torch==2.5.1", "--cpu", *HOST, "-o", out]
        self.assertUsage(self.run_cli(*args), "already exists", "--force")
        with open(out) as handle:
            self.assertEqual(handle.read(), "mine\n")
        forced = self.run_cli(*args, "--force")
        self.assertEqual(forced.returncode, 0, forced.stderr)
        with open(out) as handle:
            self.assertIn("torch==2.5.1", handle.read())
        os.symlink(self.path("nowhere"), self.path("link.txt"))  # a dangling link is not replaced either
        self.assertUsage(self.run_cli(*args[:-1], self.path("link.txt")), "already exists")


class Colour(ContractCase):
    ERROR = ["resolve", "-f", "nosuchframework", "--cpu", *HOST]

    def on_terminal(self, *args, env=None):
        """stderr of a run whose stderr is a pseudo-terminal (stdout a pipe)."""
        leader, follower = pty.openpty()
        try:
            process = subprocess.Popen([BIN, *args], stdout=subprocess.PIPE, stderr=follower,
                                       env={**self.env, **(env or {})})
            os.close(follower)
            follower = -1
            chunks = []
            while True:
                try:
                    chunk = os.read(leader, 4096)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            process.communicate(timeout=60)
            return b"".join(chunks).decode(errors="replace")
        finally:
            os.close(leader)
            if follower != -1:
                os.close(follower)

    def test_auto_colours_a_terminal_only(self):
        self.assertIn(ESC + "[", self.on_terminal(*self.ERROR))
        self.assertNotIn(ESC, self.run_cli(*self.ERROR).stderr)  # a pipe

    def test_no_color_and_never_and_json_turn_it_off(self):
        self.assertNotIn(ESC, self.on_terminal(*self.ERROR, env={"NO_COLOR": ""}))
        self.assertNotIn(ESC, self.on_terminal(*self.ERROR, env={"NO_COLOR": "1"}))
        self.assertNotIn(ESC, self.on_terminal("--color", "never", *self.ERROR))
        self.assertNotIn(ESC, self.on_terminal(*self.ERROR, "--json", "--color=always"))

    def test_always_colours_a_pipe(self):
        result = self.run_cli(*self.ERROR, "--color", "always")
        self.assertTrue(result.stderr.startswith(ESC + "[1;31menvsetup: error:" + ESC + "[0m "), result.stderr)


if __name__ == "__main__":
    unittest.main()
