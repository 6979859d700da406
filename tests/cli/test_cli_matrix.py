"""`envsetup matrix show` / `matrix validate` with the v2 schema (sass/ptx/arch_list, platform,
glibc, per-capability driver floors). Run by CTest with ENVSETUP_BIN and ENVSETUP_SOURCE_DIR set.
"""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

BIN = os.environ["ENVSETUP_BIN"]
SOURCE = os.environ["ENVSETUP_SOURCE_DIR"]
FIXTURE = os.path.join(SOURCE, "tests", "data", "matrix-minimal")


def run(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=60)


class MatrixShowV2(unittest.TestCase):
    def test_json_variant_has_sets_notation_platform_glibc(self):
        result = run("matrix", "show", "--matrix", FIXTURE, "--framework", "demo", "--json")
        self.assertEqual(result.returncode, 0, result.stderr)
        demo = json.loads(result.stdout)["frameworks"][0]
        cu130 = [v for v in demo["releases"][1]["variants"] if v["name"] == "cu130"][0]
        self.assertEqual(cu130["sass"], ["sm_75", "sm_80", "sm_90", "sm_100", "sm_120"])
        self.assertEqual(cu130["ptx"], ["compute_120"])
        self.assertEqual(cu130["arch_list"], {"notation": "bazel",
                                              "text": "sm_75,sm_80,sm_90,sm_100,compute_120"})
        self.assertEqual(cu130["platform"], "linux-x86_64")
        self.assertEqual(cu130["glibc"], "2.28")
        self.assertNotIn("targets", cu130)
        self.assertEqual(demo["platform_gaps"][0]["platform"], "linux-aarch64")

    def test_table_shows_sets_and_glibc(self):
        result = run("matrix", "show", "--matrix", FIXTURE, "--framework", "demo")
        self.assertEqual(result.returncode, 0, result.stderr)
        line = [l for l in result.stdout.splitlines() if "cu118" in l][0]
        self.assertIn("sm_60 sm_70 sm_80", line)
        self.assertIn("compute_80", line)
        self.assertIn("torch: 6.0;7.0;8.0+PTX", line)
        self.assertIn("2.17", line)
        self.assertIn("no build for linux-aarch64", result.stdout)

    def test_gpus_show_per_capability_floors(self):
        result = run("matrix", "show", "--domain", "gpus", "--json")
        self.assertEqual(result.returncode, 0, result.stderr)
        architectures = {a["name"]: a for a in json.loads(result.stdout)["gpu_architectures"]}
        floors = {c["capability"]: c["min_driver"]
                  for c in architectures["Ampere"]["compute_capabilities"]}
        self.assertEqual(floors["8.6"], "455.23")
        self.assertEqual(architectures["Pascal"]["last_driver_branch"], 580)
        self.assertIsNone(architectures["Turing"]["last_driver_branch"])


class MatrixValidateV2(unittest.TestCase):
    def copy_with(self, file, old, new):
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        for name in os.listdir(FIXTURE):
            shutil.copy(os.path.join(FIXTURE, name), directory)
        path = os.path.join(directory, file)
        with open(path) as handle:
            text = handle.read()
        self.assertIn(old, text)
        with open(path, "w") as handle:
            handle.write(text.replace(old, new, 1))
        return directory

    def test_old_targets_key_is_refused_with_pointer(self):
        directory = self.copy_with("demo.json", '"sass": ["sm_70", "sm_80", "sm_90"], "ptx": [],',
                                   '"sass": ["sm_70", "sm_80", "sm_90"], "ptx": [], '
                                   '"targets": ["sm_70", "sm_80", "sm_90"],')
        result = run("matrix", "validate", directory)
        self.assertEqual(result.returncode, 7)
        self.assertIn("demo.json /releases/0/variants/1/targets: variant `cu121`", result.stderr)
        self.assertIn("compute_XY in TensorFlow/JAX flags means SASS and PTX", result.stderr)

    def test_schema_version_1_is_retired(self):
        directory = self.copy_with("cuda.json", '"schema_version": 2', '"schema_version": 1')
        result = run("matrix", "validate", directory)
        self.assertEqual(result.returncode, 7)
        self.assertIn("schema_version 1 is retired", result.stderr)
        self.assertIn("docs/matrix-format.md", result.stderr)


if __name__ == "__main__":
    unittest.main()
