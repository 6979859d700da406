# SPDX-License-Identifier: Apache-2.0
"""The Debian package and `cmake --install` (cmake/Packaging.cmake, docs/packaging.md), tested the
way a user gets envsetup: build the .deb with cpack, unpack it with `dpkg-deb -x` and run the
binary from there; install with `cmake --install BUILD --prefix TMP` (the ~/.local case).

Run by CTest with ENVSETUP_BIN (in the build folder: the binary is written to
PROJECT_BINARY_DIR). The build writes package-files/expected.json: the paths below the prefix
that every install must hold, including man pages and completions when the build generates them.
An ASan build is not packaged: its classes skip (visibly).
"""

import glob
import gzip
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

BIN = os.path.abspath(os.environ["ENVSETUP_BIN"])
BUILD = os.path.dirname(BIN)


def cache_value(name):
    """The value of `name` in BUILD/CMakeCache.txt, or None."""
    try:
        with open(os.path.join(BUILD, "CMakeCache.txt"), encoding="utf-8") as cache:
            for line in cache:
                match = re.match(rf"{re.escape(name)}:[A-Z]+=(.*)$", line.rstrip("\n"))
                if match:
                    return match.group(1)
    except FileNotFoundError:
        return None
    return None


def expected_install():
    with open(os.path.join(BUILD, "package-files", "expected.json"), encoding="utf-8") as file:
        return json.load(file)


def skip_unless_packageable(*programs):
    """Raises SkipTest for a build that is not packaged or a host without `programs`."""
    if cache_value("CMAKE_HOME_DIRECTORY") is None:
        raise unittest.SkipTest(f"{BUILD} is not a CMake build folder")
    if (cache_value("ENVSETUP_SANITIZE") or "").upper() in ("ON", "TRUE", "1"):
        raise unittest.SkipTest("sanitizer build: only the release build is packaged")
    for program in programs:
        if shutil.which(program) is None:
            raise unittest.SkipTest(f"{program} is not installed")


def cmake_tool(name):
    """cpack / cmake of the CMake that configured BUILD."""
    command = cache_value("CMAKE_COMMAND") or "cmake"
    return os.path.join(os.path.dirname(command), name) if os.path.isabs(command) else name


class InstalledTree:
    """Checks shared by the .deb and `cmake --install`: `root` is the install prefix."""

    root = None
    zsh_place = "other"  # the key of expected.json's "zsh" for this prefix

    def test_expected_files_are_installed(self):
        missing = [path for path in expected_install()["paths"]
                   if not os.path.isfile(os.path.join(self.root, path))]
        self.assertEqual(missing, [], f"not installed below {self.root}")

    def test_man_pages_and_completions(self):
        if not expected_install()["generated_docs"]:
            self.skipTest("this build generates no man pages or completions "
                          "(no envsetup_generated_docs target)")
        pages = glob.glob(os.path.join(self.root, "share", "man", "man1", "*"))
        self.assertIn("envsetup.1.gz", [os.path.basename(page) for page in pages])
        for page in pages:
            self.assertTrue(page.endswith(".1.gz"), page)
            with gzip.open(page, "rt", encoding="utf-8") as text:
                self.assertIn(".TH", text.read())
        bash = os.path.join(self.root, "share", "bash-completion", "completions", "envsetup")
        with open(bash, encoding="utf-8") as script:
            self.assertIn("complete", script.read())

    def test_zsh_completion_where_zsh_looks(self):
        # Debian's zsh reads /usr/share/zsh/vendor-completions and
        # /usr/local/share/zsh/site-functions; a /usr/local install in vendor-completions
        # would never be found.
        expected = expected_install()
        if not expected["generated_docs"]:
            self.skipTest("this build generates no completions (no envsetup_generated_docs target)")
        for place, path in expected["zsh"].items():
            with self.subTest(place=place):
                self.assertEqual(os.path.isfile(os.path.join(self.root, path)), place == self.zsh_place, path)

    def test_binary_runs(self):
        binary = os.path.join(self.root, "bin", "envsetup")
        version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60)
        self.assertEqual(version.returncode, 0, version.stderr)
        self.assertIn("envsetup", version.stdout)
        detect = subprocess.run([binary, "detect", "--json"], capture_output=True, text=True,
                                timeout=120)
        # A missing or unreadable source is a warning, never a failure (cmd_detect.cpp).
        self.assertEqual(detect.returncode, 0, detect.stderr)
        self.assertIsInstance(json.loads(detect.stdout), dict)

    def test_matrix_and_templates_are_not_installed(self):
        # Both are compiled into the binary; an installed copy would only go stale.
        self.assertFalse(os.path.exists(os.path.join(self.root, "share", "envsetup")))


class DebianPackage(InstalledTree, unittest.TestCase):
    """cpack builds the .deb (as `cpack --preset release` does), into a temporary folder."""

    zsh_place = "/usr"

    @classmethod
    def setUpClass(cls):
        skip_unless_packageable("dpkg-deb", "dpkg-shlibdeps")
        cls.work = tempfile.mkdtemp(prefix="envsetup-deb-")
        built = subprocess.run([cmake_tool("cpack"), "--config", os.path.join(BUILD, "CPackConfig.cmake"),
                                "-G", "DEB", "-B", cls.work], capture_output=True, text=True, timeout=600)
        if built.returncode != 0:
            shutil.rmtree(cls.work)
            raise AssertionError(f"cpack failed:\n{built.stdout}\n{built.stderr}")
        debs = glob.glob(os.path.join(cls.work, "*.deb"))
        assert len(debs) == 1, debs
        cls.deb = debs[0]
        cls.unpacked = os.path.join(cls.work, "root")
        subprocess.run(["dpkg-deb", "-x", cls.deb, cls.unpacked], check=True, timeout=120)
        cls.root = os.path.join(cls.unpacked, "usr")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def field(self, name):
        return subprocess.run(["dpkg-deb", "-f", self.deb, name], capture_output=True, text=True,
                              check=True, timeout=60).stdout.strip()

    def test_control_fields(self):
        self.assertEqual(self.field("Package"), "envsetup")
        self.assertRegex(self.field("Version"), r"^\d+\.\d+\.\d+-1$")
        self.assertEqual(self.field("Section"), "utils")
        self.assertRegex(self.field("Maintainer"), r"^[^<>]+ <[^<>@]+@[^<>@]+>$")
        architecture = subprocess.run(["dpkg", "--print-architecture"], capture_output=True,
                                      text=True, check=True, timeout=60).stdout.strip()
        self.assertEqual(self.field("Architecture"), architecture)
        # Computed by dpkg-shlibdeps from the binary's libraries (libc6 at least, with a version).
        self.assertRegex(self.field("Depends"), r"(^|, )libc6 \(>= [^)]+\)")
        self.assertIn("python3-venv", self.field("Recommends"))
        self.assertIn("envsetup", os.path.basename(self.deb))

    def test_everything_is_below_usr_and_owned_by_root(self):
        listing = subprocess.run(["dpkg-deb", "-c", self.deb], capture_output=True, text=True,
                                 check=True, timeout=60).stdout.splitlines()
        for line in listing:
            fields = line.split()
            self.assertEqual(fields[1], "root/root", line)
            self.assertTrue(fields[5] in ("./", "./usr/") or fields[5].startswith("./usr/"), line)
            self.assertFalse(fields[0].startswith("l"), f"a link in the package: {line}")

    def test_copyright_is_machine_readable(self):
        with open(os.path.join(self.root, "share", "doc", "envsetup", "copyright"), encoding="utf-8") as file:
            text = file.read()
        self.assertTrue(text.startswith(
            "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"))
        self.assertIn("License: Apache-2.0\n", text)

    def test_lintian_reports_no_errors(self):
        if shutil.which("lintian") is None:
            self.skipTest("lintian is not installed (packaging/install-deps.sh installs it)")
        result = subprocess.run(["lintian", "--tag-display-limit", "0", self.deb],
                                capture_output=True, text=True, timeout=600)
        errors = [line for line in result.stdout.splitlines() if line.startswith("E:")]
        self.assertEqual(errors, [], result.stdout + result.stderr)
        # lintian exits 2 on a failure of its own (not on tags).
        self.assertNotEqual(result.returncode, 2, result.stderr)


class CmakeInstall(InstalledTree, unittest.TestCase):
    """`cmake --install BUILD --prefix TMP`: the ~/.local case of docs/packaging.md."""

    @classmethod
    def setUpClass(cls):
        skip_unless_packageable()
        cls.root = tempfile.mkdtemp(prefix="envsetup-install-")
        installed = subprocess.run([cmake_tool("cmake"), "--install", BUILD, "--prefix", cls.root],
                                   capture_output=True, text=True, timeout=300)
        if installed.returncode != 0:
            shutil.rmtree(cls.root)
            raise AssertionError(f"cmake --install failed:\n{installed.stdout}\n{installed.stderr}")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
