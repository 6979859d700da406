# SPDX-License-Identifier: Apache-2.0
"""`envsetup inspect VENV` and `envsetup doctor --venv` on a real venv (python3 -m venv) holding
distributions with real dist-info folders (METADATA + RECORD) whose libraries are copies of the
nvcc fixtures in tests/data/binary/: an "extension" built only for sm_80, and a fake torch
2.5.1+cu124 whose libtorch_cuda.so disagrees with the matrix (docs/inspect.md, docs/doctor.md).

Run by CTest with ENVSETUP_BIN (and ENVSETUP_SOURCE_DIR) set.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

BIN = os.environ["ENVSETUP_BIN"]
SOURCE = os.environ.get("ENVSETUP_SOURCE_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FIXTURES = os.path.join(SOURCE, "tests", "data", "binary")
HOPPER = {"ENVSETUP_GPUS": "9.0", "ENVSETUP_DRIVER_VERSION": "580.65.06"}


def run(*args, env=None, timeout=120):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ENVSETUP_") and k != "VIRTUAL_ENV"}
    full_env.update(env or {})
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=full_env, timeout=timeout)


def add_distribution(site, name, version, files):
    """Installs distribution `name` in `site`: {path below site: fixture name or text}, with a
    METADATA and a RECORD that lists every file."""
    dist_info = "%s-%s.dist-info" % (name, version)
    os.makedirs(os.path.join(site, dist_info))
    with open(os.path.join(site, dist_info, "METADATA"), "w") as f:
        f.write("Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version))
    for relative, content in files.items():
        target = os.path.join(site, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.isfile(os.path.join(FIXTURES, content)):
            shutil.copyfile(os.path.join(FIXTURES, content), target)
        else:
            with open(target, "w") as f:
                f.write(content)
    record = list(files) + [dist_info + "/METADATA", dist_info + "/RECORD"]
    with open(os.path.join(site, dist_info, "RECORD"), "w") as f:
        f.write("".join("%s,,\n" % path for path in record))


class InspectVenv(unittest.TestCase):
    def setUp(self):
        if not os.path.isfile(os.path.join(FIXTURES, "sass_sm80.so")):
            self.skipTest("the fixtures of tests/data/binary are not at " + FIXTURES)
        root = tempfile.mkdtemp(prefix="envsetup-inspect-venv-")
        self.addCleanup(shutil.rmtree, root, ignore_errors=True)
        self.venv = os.path.join(root, "venv")
        made = subprocess.run(["python3", "-m", "venv", "--without-pip", self.venv], capture_output=True, text=True)
        if made.returncode != 0:
            self.skipTest("python3 -m venv failed: " + made.stderr)
        self.site = subprocess.run([os.path.join(self.venv, "bin", "python"), "-c",
                                    "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   check=True, capture_output=True, text=True).stdout.strip()
        self.extension = os.path.join(self.site, "myext", "_C.cpython-311-x86_64-linux-gnu.so")
        add_distribution(self.site, "myext", "0.1.0", {
            "myext/__init__.py": "", "myext/_C.cpython-311-x86_64-linux-gnu.so": "sass_sm80.so",
            "myext/libhelper.so": "host_only.so"})

    def add_torch(self, library):
        self.torch_library = os.path.join(self.site, "torch", "lib", "libtorch_cuda.so")
        add_distribution(self.site, "torch", "2.5.1+cu124", {"torch/lib/libtorch_cuda.so": library})

    def inspect(self, *args, env=HOPPER):
        result = run("inspect", self.venv, "--json", *args, env=env)
        document = json.loads(result.stdout)
        return result.returncode, document

    def doctor(self, env=HOPPER):
        result = run("doctor", "--venv", self.venv, "--json", "--timeout", "60", env=env)
        document = json.loads(result.stdout)
        self.assertEqual(result.returncode, 6, result.stderr)  # no-kernel-image is an error
        return document, [f for f in document["findings"] if f["id"] == "no-kernel-image"]

    def test_packages_group_the_libraries(self):
        code, document = self.inspect()
        self.assertEqual(code, 6)
        self.assertEqual((document["gpus"], document["gpu_source"]), (["sm_90"], "detected"))
        package, = document["packages"]
        self.assertEqual((package["name"], package["version"]), ("myext", "0.1.0"))
        self.assertEqual(package["libraries"], [self.extension])
        self.assertEqual(package["coverage"], {"sm_90": "none"})
        library, = document["libraries"]
        self.assertEqual((library["package"], library["sass"]), ("myext", ["sm_80"]))
        self.assertEqual(document["without_cuda"], [os.path.join(self.site, "myext", "libhelper.so")])
        code, ampere = self.inspect("--gpu", "8.6")
        self.assertEqual((code, ampere["packages"][0]["coverage"]), (0, {"sm_86": "sass"}))
        text = run("inspect", self.venv, env=HOPPER)
        self.assertIn(self.extension + "  [myext]", text.stdout)

    def test_library_outside_every_record(self):
        os.makedirs(os.path.join(self.site, "stray"))
        shutil.copyfile(os.path.join(FIXTURES, "multi.so"), os.path.join(self.site, "stray", "libstray.so"))
        code, document = self.inspect()
        libraries = {lib["path"]: lib for lib in document["libraries"]}
        self.assertIsNone(libraries[os.path.join(self.site, "stray", "libstray.so")]["package"])
        self.assertEqual([p["name"] for p in document["packages"]], ["myext"])

    def test_doctor_no_kernel_image_for_an_extension(self):
        document, findings = self.doctor()
        finding, = findings
        self.assertEqual(finding["severity"], "error")
        self.assertIn("myext", finding["title"])
        self.assertIn("sm_90", finding["title"])
        self.assertIn("sm_80", finding["evidence"])
        self.assertIn('TORCH_CUDA_ARCH_LIST="9.0"', finding["fix"])
        self.assertIn("myext", finding["fix"])
        self.assertFalse(document["ok"])

    def test_doctor_ptx_jit_driver_too_old(self):
        shutil.copyfile(os.path.join(FIXTURES, "ptx_compute80.so"), self.extension)  # PTX ISA 9.0 only
        document, findings = self.doctor(env=dict(HOPPER, ENVSETUP_DRIVER_VERSION="550.54.15"))
        self.assertEqual(findings, [])
        too_old = [f for f in document["findings"] if f["id"] == "ptx-jit-driver-too-old"]
        self.assertEqual(len(too_old), 1, document["findings"])
        self.assertEqual(too_old[0]["severity"], "error")
        self.assertIn("myext", too_old[0]["title"])
        self.assertIn("compute_80", too_old[0]["evidence"])
        self.assertIn("CUDA 13.0", too_old[0]["fix"])
        with_new_driver, _ = self.doctor_findings()
        self.assertNotIn("ptx-jit-driver-too-old", with_new_driver)
        self.assertNotIn("no-kernel-image", with_new_driver)

    def doctor_findings(self):
        result = run("doctor", "--venv", self.venv, "--json", "--timeout", "60", env=HOPPER)
        return [f["id"] for f in json.loads(result.stdout)["findings"]], result.returncode

    def test_doctor_unreadable_library(self):
        with open(os.path.join(FIXTURES, "multi.so"), "rb") as f:
            head = f.read(4000)
        with open(os.path.join(self.site, "myext", "libbroken.so"), "wb") as f:
            f.write(head)
        document, _ = self.doctor()
        unreadable = [f for f in document["findings"] if f["id"] == "unreadable-library"]
        self.assertEqual(len(unreadable), 1, document["findings"])
        self.assertEqual(unreadable[0]["severity"], "warning")
        self.assertIn(os.path.join(self.site, "myext", "libbroken.so"), unreadable[0]["title"])
        self.assertIn("outside the file", unreadable[0]["evidence"])
        self.assertTrue(unreadable[0]["fix"])

    def test_torch_matrix_mismatch(self):
        self.add_torch("multi.so")  # sm_75 sm_80 sm_90 + compute_90; the matrix: sm_50 ... sm_90
        code, document = self.inspect()
        mismatch = [w for w in document["warnings"] if w["id"] == "matrix-mismatch"]
        self.assertEqual(len(mismatch), 1, document["warnings"])
        self.assertEqual(mismatch[0]["subject"], "torch 2.5.1+cu124")
        for target in ("sm_50", "sm_86", "compute_90"):
            self.assertIn(target, mismatch[0]["message"])
        torch, = [p for p in document["packages"] if p["name"] == "torch"]
        self.assertEqual((torch["version"], torch["libraries"], torch["coverage"]),
                         ("2.5.1+cu124", [self.torch_library], {"sm_90": "sass"}))
        text = run("inspect", self.venv, env=HOPPER)
        self.assertIn("[matrix-mismatch]", text.stdout)

    def test_doctor_framework_fix_is_the_resolver_build(self):
        self.add_torch("sass_sm80.so")
        document, findings = self.doctor()
        torch, = [f for f in findings if "torch" in f["title"]]
        self.assertIn("libtorch_cuda.so", torch["evidence"])
        # The resolver's pick for the GPUs (the newest torch the matrix knows), not necessarily 2.5.1.
        self.assertRegex(torch["fix"], r"envsetup install --framework torch==\d+\.\d+\.\d+ --venv %s --force"
                         % re.escape(self.venv))
        self.assertEqual(len(findings), 2, "one no-kernel-image finding per distribution")
        kernels = {c["name"]: c for c in document["checks"]}.get("framework:torch:kernels")
        self.assertIsNotNone(kernels, [c["name"] for c in document["checks"]])
        self.assertEqual(kernels["status"], "fail")
        self.assertIn("libtorch_cuda.so", kernels["detail"])


if __name__ == "__main__":
    unittest.main()
