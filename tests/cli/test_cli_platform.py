# SPDX-License-Identifier: Apache-2.0
"""Platforms, the C library and Jetson as the user sees them: `detect` on fake hosts
(--sysroot), the host facts of `resolve` / `spec` with their origin (--platform, --glibc or
detected), and `install --framework` refusing another platform's wheels (docs/detect.md,
docs/cli.md). What the resolver then plans is docs/resolver.md's business: these tests only
check that the platform asked for is the one the plan is made for.

Run by CTest with ENVSETUP_BIN set.
"""
import json
import os
import platform
import shutil
import subprocess
import tempfile
import unittest

BIN = os.environ["ENVSETUP_BIN"]

AARCH64_LIB = "/usr/lib/aarch64-linux-gnu"
X86_64_LIB = "/usr/lib/x86_64-linux-gnu"
L4T_RELEASE = "# R36 (release), REVISION: 4.0, GCID: 37537400, BOARD: generic, EABI: aarch64, DATE: Fri Sep 13\n"


def run(*args, env=None):
    full_env = dict(os.environ)
    for name in ("ENVSETUP_MATRIX", "ENVSETUP_SYSROOT", "ENVSETUP_DRIVER_VERSION", "ENVSETUP_GPUS"):
        full_env.pop(name, None)
    full_env.update(env or {})
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=full_env, timeout=60)


def libc(version):
    """The bytes of a fake libc.so.6: ELF-looking junk around glibc's banner."""
    return (b"\x7fELF\x02\x01\x00\x00junk\x00GNU C Library (GNU libc) stable release version "
            + version.encode() + b".\n\x00more")


def fake_host(test, files):
    """A sysroot folder with `files` ({host path: str or bytes}); removed after the test."""
    root = tempfile.mkdtemp()
    test.addCleanup(shutil.rmtree, root)
    for path, content in files.items():
        real = os.path.join(root, path.lstrip("/"))
        os.makedirs(os.path.dirname(real), exist_ok=True)
        with open(real, "wb") as handle:
            handle.write(content.encode() if isinstance(content, str) else content)
    return root


def jetson_host(test):
    return fake_host(test, {AARCH64_LIB + "/libc.so.6": libc("2.35"), "/etc/nv_tegra_release": L4T_RELEASE})


def this_platform():
    machine = platform.machine()
    return {"x86_64": "linux-x86_64", "aarch64": "linux-aarch64"}.get(machine)


def fact(facts, name):
    """The host fact `name` ({"value", "origin"}), or None."""
    for entry in facts:
        if entry["fact"] == name:
            return {"value": entry["value"], "origin": entry["origin"]}
    return None


class DetectPlatform(unittest.TestCase):
    def test_jetson_from_nv_tegra_release(self):
        root = jetson_host(self)
        result = run("detect", "--json", "--sysroot", root)
        self.assertEqual(result.returncode, 0, result.stderr)
        host = json.loads(result.stdout)["host"]
        self.assertEqual(host["jetson"], "L4T R36.4.0")
        self.assertEqual(host["arch"], "aarch64")
        self.assertEqual(host["platform"], "linux-aarch64")
        self.assertEqual(host["glibc"], "2.35")
        self.assertEqual(host["glibc_source"], AARCH64_LIB + "/libc.so.6")
        text = run("detect", "--sysroot", root)
        self.assertEqual(text.returncode, 0, text.stderr)
        self.assertIn("Jetson   L4T R36.4.0", text.stdout)
        self.assertIn("aarch64 (linux-aarch64), glibc 2.35", text.stdout)

    def test_jetson_from_the_device_tree(self):
        root = fake_host(self, {"/sys/firmware/devicetree/base/compatible":
                                b"nvidia,p3737-0000+p3701-0000\x00nvidia,tegra234\x00",
                                AARCH64_LIB + "/libc.so.6": libc("2.31")})
        host = json.loads(run("detect", "--json", "--sysroot", root).stdout)["host"]
        self.assertEqual(host["jetson"], "Tegra (nvidia,tegra234)")

    def test_an_ordinary_host_is_not_jetson(self):
        root = fake_host(self, {X86_64_LIB + "/libc.so.6": libc("2.36")})
        host = json.loads(run("detect", "--json", "--sysroot", root).stdout)["host"]
        self.assertEqual(host["jetson"], "")
        self.assertEqual(host["platform"], "linux-x86_64")

    def test_glibc_comes_from_the_sysroot_not_from_envsetup(self):
        root = fake_host(self, {"/usr/lib64/libc.so.6": libc("2.17")})
        host = json.loads(run("detect", "--json", "--sysroot", root).stdout)["host"]
        self.assertEqual(host["glibc"], "2.17")
        self.assertEqual(host["glibc_source"], "/usr/lib64/libc.so.6")
        empty = fake_host(self, {"/etc/os-release": 'NAME="Empty"\n'})
        host = json.loads(run("detect", "--json", "--sysroot", empty).stdout)["host"]
        self.assertIsNone(host["glibc"])
        self.assertFalse(host["musl"])

    def test_musl(self):
        root = fake_host(self, {"/lib/ld-musl-x86_64.so.1": "musl"})
        host = json.loads(run("detect", "--json", "--sysroot", root).stdout)["host"]
        self.assertTrue(host["musl"])
        self.assertIsNone(host["glibc"])
        self.assertIn(", musl", run("detect", "--sysroot", root).stdout)


class ResolveHostFacts(unittest.TestCase):
    GPU = ["--driver", "550.54.15", "--gpu", "9.0", "--python", "3.12"]

    def resolve(self, *args, root=None):
        root = root or fake_host(self, {X86_64_LIB + "/libc.so.6": libc("2.28")})
        result = run("resolve", "-f", "torch", *self.GPU, "--json", "--sysroot", root, *args)
        self.assertIn(result.returncode, (0, 3), result.stderr)
        return json.loads(result.stdout)

    def test_detected_platform_and_glibc_with_their_origin(self):
        facts = self.resolve()["host_facts"]
        self.assertEqual(fact(facts, "platform"), {"value": "linux-x86_64", "origin": "detected"})
        self.assertEqual(fact(facts, "glibc"),
                         {"value": "2.28", "origin": "detected from " + X86_64_LIB + "/libc.so.6"})
        self.assertIsNone(fact(facts, "Jetson"))

    def test_sbsa_is_linux_aarch64_and_this_hosts_glibc_is_not_its(self):
        plan = self.resolve("--platform", "linux-sbsa")
        facts = plan["host_facts"]
        self.assertEqual(fact(facts, "platform"), {"value": "linux-aarch64", "origin": "--platform"})
        self.assertEqual(fact(facts, "glibc")["value"], "unknown")
        self.assertTrue(plan["ok"], plan.get("rejected"))  # a plan, naming the platform it is for
        self.assertEqual(plan["platform"], "linux-aarch64")

    def test_glibc_flag(self):
        facts = self.resolve("--glibc", "2.17")["host_facts"]
        self.assertEqual(fact(facts, "glibc"), {"value": "2.17", "origin": "--glibc"})
        facts = self.resolve("--glibc", " 2.28 ", "--platform", "linux-aarch64")["host_facts"]
        self.assertEqual(fact(facts, "glibc"), {"value": "2.28", "origin": "--glibc"})

    def test_bad_values_are_usage_errors(self):
        for args, flag in ((["--glibc", "x"], "--glibc"), (["--glibc", "2"], "--glibc"),
                           (["--glibc", "2.17.1"], "--glibc"), (["--platform", "ppc64le"], "--platform")):
            result = run("resolve", "-f", "torch", *self.GPU, *args)
            self.assertEqual(result.returncode, 2, args)
            self.assertIn(flag, result.stderr, args)
            self.assertIn("hint:", result.stderr, args)  # what to write instead
            self.assertEqual(result.stdout, "", args)

    def test_jetson_and_musl_are_facts(self):
        facts = self.resolve(root=jetson_host(self))["host_facts"]
        self.assertEqual(fact(facts, "Jetson"), {"value": "L4T R36.4.0", "origin": "detected"})
        self.assertEqual(fact(facts, "platform"), {"value": "linux-aarch64", "origin": "detected"})
        facts = self.resolve(root=fake_host(self, {"/lib/ld-musl-x86_64.so.1": "musl"}))["host_facts"]
        self.assertEqual(fact(facts, "C library"), {"value": "musl", "origin": "detected from the ld-musl loader"})
        self.assertIsNone(fact(facts, "glibc"))

    def test_text_report_names_platform_and_glibc(self):
        root = fake_host(self, {X86_64_LIB + "/libc.so.6": libc("2.28")})
        result = run("resolve", "-f", "torch", *self.GPU, "--sysroot", root)
        self.assertIn(result.returncode, (0, 3), result.stderr)
        request_line = result.stdout + result.stderr
        self.assertIn("platform linux-x86_64 (detected)", request_line)
        self.assertIn("glibc 2.28 (detected from ", request_line)

    def test_spec_takes_the_same_flags(self):
        root = fake_host(self, {X86_64_LIB + "/libc.so.6": libc("2.28")})
        result = run("spec", "--format", "pip", "-f", "torch", *self.GPU, "--platform", "linux-aarch64",
                     "--glibc", "2.34", "--sysroot", root)
        self.assertIn(result.returncode, (0, 3), result.stderr)
        self.assertIn("platform linux-aarch64 (--platform)", result.stdout + result.stderr)
        self.assertIn("glibc 2.34 (--glibc)", result.stdout + result.stderr)
        bad = run("spec", "--format", "pip", "-f", "torch", *self.GPU, "--glibc", "two")
        self.assertEqual(bad.returncode, 2)


class InstallPlatform(unittest.TestCase):
    def install(self, *args):
        venv = os.path.join(tempfile.mkdtemp(), "venv")
        self.addCleanup(shutil.rmtree, os.path.dirname(venv))
        result = run("install", "--framework", "torch", "--venv", venv, "--driver", "550.54.15", "--gpu", "9.0",
                     *args)
        self.assertFalse(os.path.exists(venv), "a refused install created the venv")
        return result

    def test_another_platform_is_refused_before_anything_is_done(self):
        here = this_platform()
        if here is None:
            self.skipTest("this machine is neither x86_64 nor aarch64")
        other = "linux-aarch64" if here == "linux-x86_64" else "linux-x86_64"
        for spelling in (other, "linux-sbsa" if other == "linux-aarch64" else "amd64"):
            for dry_run in ([], ["--dry-run"]):
                result = self.install("--platform", spelling, *dry_run)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertIn("cannot install " + other + " builds on this " + here + " host", result.stderr)
                self.assertIn("hint: drop --platform", result.stderr)
                self.assertIn("envsetup spec --format pip -f torch --platform " + other, result.stderr)

    def test_the_sysroots_platform_is_the_host_to_install_on(self):
        root = jetson_host(self)
        result = self.install("--platform", "linux-x86_64", "--dry-run", "--sysroot", root)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("cannot install linux-x86_64 builds on this linux-aarch64 host", result.stderr)

    def test_own_platform_and_glibc_flag_are_accepted(self):
        here = this_platform()
        if here is None:
            self.skipTest("this machine is neither x86_64 nor aarch64")
        result = self.install("--platform", here, "--glibc", "2.28", "--dry-run", "--json")
        self.assertNotIn("cannot install", result.stderr)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn('"event":"plan"', result.stdout)
        bad = self.install("--glibc", "2.x", "--dry-run")
        self.assertEqual(bad.returncode, 2, bad.stderr)
        self.assertIn("--glibc", bad.stderr)


if __name__ == "__main__":
    unittest.main()
