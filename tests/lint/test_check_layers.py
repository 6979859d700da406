#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Self-test of check_layers.py: small fake source trees in a temporary folder, one per rule,
each asserting that the rule fires where it must and stays quiet where it must not. CTest runs
it as `layering_selftest`, so a lint that stops catching anything fails by itself."""
import pathlib
import subprocess
import sys
import tempfile
import unittest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import check_layers  # noqa: E402


class FakeTree:
    def __init__(self, files: dict):
        self._dir = tempfile.TemporaryDirectory(prefix="envsetup-lint-")
        self.root = pathlib.Path(self._dir.name)
        for relative, text in files.items():
            path = self.root / "src" / "envsetup" / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)

    def problems(self) -> list:
        return check_layers.find_problems(self.root)

    def close(self):
        self._dir.cleanup()


def include(header: str) -> str:
    return f"// SPDX-License-Identifier: Apache-2.0\n#include <{header}>\n\nint f();\n"


class CheckLayers(unittest.TestCase):
    def problems_of(self, files: dict) -> list:
        tree = FakeTree(files)
        self.addCleanup(tree.close)
        return tree.problems()

    def assert_fires(self, files: dict, file: str, text: str):
        problems = self.problems_of(files)
        self.assertTrue(any(file in p and text in p for p in problems),
                        f"no problem about {file} mentioning {text!r} in {problems}")

    def assert_quiet(self, files: dict):
        self.assertEqual(self.problems_of(files), [])

    def test_a_clean_tree_passes(self):
        self.assert_quiet({"util/strings.hpp": "#pragma once\n", "core/version.cpp": include("envsetup/util/strings.hpp")})

    def test_a_module_including_a_module_above_it_fails(self):
        self.assert_fires({"core/version.cpp": include("envsetup/app/doctor.hpp")}, "core/version.cpp",
                          "must not include `envsetup/app/doctor.hpp`")
        self.assert_fires({"install/extract.cpp": include("envsetup/fetch/cache.hpp")}, "install/extract.cpp",
                          "must not include")
        self.assert_quiet({"app/doctor.cpp": include("envsetup/install/extract.hpp")})

    # (header, a file allowed to include it, a file that is not)
    CASES = [
        ("CLI/CLI.hpp", "cli/run.cpp", "app/doctor.cpp"),
        ("nlohmann/json.hpp", "fetch/cache.cpp", "fetch/cache.hpp"),
        ("nlohmann/json.hpp", "matrix/json_reader.hpp", "matrix/model.hpp"),
        ("nlohmann/json.hpp", "verify/worker_json.cpp", "detect/parsers_json.cpp"),
        ("nlohmann/json.hpp", "cli/output.cpp", "util/strings.cpp"),
        ("openssl/evp.h", "util/sha256.cpp", "util/fs.cpp"),
        ("openssl/sha.h", "util/sha256.cpp", "fetch/cache.cpp"),
        ("curl/curl.h", "fetch/curl_session.cpp", "fetch/cache.cpp"),
        ("curl/multi.h", "fetch/curl_session.hpp", "app/fetch_command.cpp"),
        ("archive.h", "install/extract.cpp", "install/receipt.cpp"),
        ("archive_entry.h", "install/extract.cpp", "app/archive_extraction.cpp"),
        ("lzma.h", "install/xz_decoder.cpp", "install/extract.cpp"),
        ("lzma.h", "install/decode_pool.cpp", "util/fs.cpp"),
        ("toml++/toml.h", "util/toml_reader.cpp", "lock/lockfile_toml.cpp"),
        ("toml++/toml.h", "util/toml_reader.cpp", "util/toml_reader.hpp"),
        ("boost/process.hpp", "util/process.cpp", "util/fs.cpp"),
        ("boost/process/v2.hpp", "util/process.cpp", "pyenv/venv.cpp"),
        ("dlfcn.h", "util/dl_handle.cpp", "detect/gpu_libraries.cpp"),
        ("dlfcn.h", "util/dl_handle.cpp", "util/dl_handle.hpp"),
        ("dlfcn.h", "util/dl_handle.cpp", "verify/cuda_driver.cpp"),
    ]

    def test_each_third_party_header_stays_in_its_files(self):
        for header, allowed, forbidden in self.CASES:
            with self.subTest(header=header, allowed=allowed, forbidden=forbidden):
                self.assert_quiet({allowed: include(header)})
                self.assert_fires({forbidden: include(header)}, forbidden, f"<{header}>")

    def test_every_rule_is_exercised_here(self):
        covered = {rule.name for rule in check_layers.THIRD_PARTY for header, _, _ in self.CASES if rule.owns(header)}
        self.assertEqual(covered, {rule.name for rule in check_layers.THIRD_PARTY})

    def test_quoted_and_spaced_includes_count(self):
        self.assert_fires({"app/doctor.cpp": '#  include "dlfcn.h"\n'}, "app/doctor.cpp", "<dlfcn.h>")

    def test_a_commented_out_include_does_not_count(self):
        self.assert_quiet({"detect/gpu_libraries.cpp": "// #include <dlfcn.h> is not needed here\n"})

    def test_a_header_exposing_a_third_party_header_counts_for_its_includers(self):
        files = {
            "install/decode_pool_state.hpp": include("lzma.h"),
            "install/xz_decoder.cpp": include("envsetup/install/decode_pool_state.hpp"),
            "install/extract.cpp": include("envsetup/install/decode_pool_state.hpp"),
        }
        problems = self.problems_of(files)
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("install/extract.cpp", problems[0])
        self.assertIn("exposes liblzma", problems[0])

    def test_exposure_is_followed_through_chains_of_headers(self):
        files = {
            "fetch/curl_session.hpp": include("curl/curl.h"),
            "fetch/curl_wrapper.hpp": include("envsetup/fetch/curl_session.hpp"),
            "fetch/downloader.hpp": include("envsetup/fetch/curl_wrapper.hpp"),
            "app/fetch_command.cpp": include("envsetup/fetch/downloader.hpp"),
        }
        problems = self.problems_of(files)
        for file in ("fetch/downloader.hpp", "app/fetch_command.cpp"):
            self.assertTrue(any(file in p and "exposes libcurl" in p for p in problems), (file, problems))
        self.assertFalse(any("curl_wrapper.hpp:" in p for p in problems), problems)

    def test_include_cycles_between_headers_terminate(self):
        files = {
            "util/a.hpp": include("envsetup/util/b.hpp") + "#include <dlfcn.h>\n",
            "util/b.hpp": include("envsetup/util/a.hpp"),
        }
        self.assertTrue(self.problems_of(files))

    def test_the_dlopen_api_declared_by_hand_fails(self):
        declared = 'extern "C" void* dlopen(const char*, int);\nvoid* h = dlopen("x", 2);\n'
        self.assert_fires({"detect/gpu_libraries.cpp": declared}, "detect/gpu_libraries.cpp", "dlopen API")
        self.assert_fires({"verify/x.cpp": "auto s = ::dlsym (h, name);\n"}, "verify/x.cpp", "dlopen API")
        self.assert_quiet({"util/dl_handle.cpp": declared})

    def test_the_word_dlopen_in_comments_and_strings_is_not_a_call(self):
        self.assert_quiet({"verify/cuda_driver.hpp": '// dlopen()s `library`\nauto m = "dlopen(x) failed";\n'})

    def test_the_command_line_exit_codes(self):
        script = HERE / "check_layers.py"
        for files, expected in (({"util/dl_handle.cpp": include("dlfcn.h")}, 0),
                                ({"util/fs.cpp": include("dlfcn.h")}, 1)):
            tree = FakeTree(files)
            self.addCleanup(tree.close)
            run = subprocess.run([sys.executable, str(script), str(tree.root)], capture_output=True, text=True)
            self.assertEqual(run.returncode, expected, run.stdout + run.stderr)
        with tempfile.TemporaryDirectory() as empty:
            run = subprocess.run([sys.executable, str(script), empty], capture_output=True, text=True)
            self.assertEqual(run.returncode, 2, "a tree without src/envsetup must not pass as clean")

    def test_the_allowed_files_exist_in_the_real_tree(self):
        # A renamed or split file leaves a rule pointing at nothing: update the rule and the docs.
        root = HERE.parent.parent / "src" / "envsetup"
        files = [p.relative_to(root).as_posix() for p in root.rglob("*.[hc]pp")]
        for rule in check_layers.THIRD_PARTY:
            for pattern in rule.files:
                with self.subTest(rule=rule.name, pattern=pattern):
                    self.assertTrue(any(check_layers.fnmatch.fnmatchcase(f, pattern) for f in files))


if __name__ == "__main__":
    unittest.main()
