# SPDX-License-Identifier: Apache-2.0
"""`envsetup inspect` as a user runs it (docs/inspect.md): single libraries, objects and folders
built from the committed nvcc fixtures in tests/data/binary/ (make_fixtures.sh says what each
holds), GPUs and drivers given or faked, wheels made with zipfile at test time (never extracted),
and hostile input: truncated and patched libraries, zip bombs, symlinks and FIFOs.

The venv side (packages, doctor --venv, the matrix check) is in test_cli_inspect_venv.py.
Run by CTest with ENVSETUP_BIN (and ENVSETUP_SOURCE_DIR) set.
"""
import json
import os
import shutil
import struct
import subprocess
import tempfile
import unittest
import zipfile

BIN = os.environ["ENVSETUP_BIN"]
SOURCE = os.environ.get("ENVSETUP_SOURCE_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FIXTURES = os.path.join(SOURCE, "tests", "data", "binary")
OLD_DRIVER = "550.54.15"  # CUDA 12.4: cannot JIT the PTX ISA 9.0 that nvcc 13.0 wrote
NEW_DRIVER = "580.65.06"  # CUDA 13.0


def fixture(name):
    return os.path.join(FIXTURES, name)


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def run(*args, env=None, cwd=None, timeout=60):
    """The binary with no ENVSETUP_* overrides of the caller's environment, plus `env`."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ENVSETUP_") and k != "VIRTUAL_ENV"}
    full_env.update(env or {})
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=full_env, cwd=cwd, timeout=timeout)


def section_header(data, wanted):
    """(offset of the section header, sh_offset, sh_size) of section `wanted` in an ELF64 file."""
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    names_at, = struct.unpack_from("<Q", data, shoff + shstrndx * shentsize + 24)
    for index in range(shnum):
        header = shoff + index * shentsize
        name_offset, = struct.unpack_from("<I", data, header)
        start = names_at + name_offset
        if data[start:data.index(b"\0", start)] == wanted:
            offset, size = struct.unpack_from("<QQ", data, header + 24)
            return header, offset, size
    raise AssertionError("no section %r" % wanted)


class InspectCase(unittest.TestCase):
    def setUp(self):
        if not os.path.isfile(fixture("multi.so")):
            self.skipTest("the fixtures of tests/data/binary are not at " + FIXTURES)
        self.root = tempfile.mkdtemp(prefix="envsetup-inspect-")
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        self.nowhere = os.path.join(self.root, "empty-sysroot")  # nothing to detect below it
        os.mkdir(self.nowhere)

    def inspect(self, *args, code=None, env=None, **kwargs):
        """`inspect ARGS --json` with detection pointed at an empty sysroot; the parsed report."""
        result = run("inspect", *args, "--json", "--sysroot", self.nowhere, env=env, **kwargs)
        if code is not None:
            self.assertEqual(result.returncode, code, result.stdout[-3000:] + result.stderr)
        document = json.loads(result.stdout)
        self.assertEqual(document["ok"], result.returncode == 0, document)
        return document

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def copy(self, name, *dest):
        os.makedirs(os.path.dirname(self.path(*dest)), exist_ok=True)
        shutil.copyfile(fixture(name), self.path(*dest))
        return self.path(*dest)


def by_path(document):
    return {library["path"]: library for library in document["libraries"]}


class InspectFiles(InspectCase):
    def test_single_library_json_shape(self):
        document = self.inspect(fixture("multi.so"), "--gpu", "8.6", "--driver", NEW_DRIVER, code=0)
        self.assertEqual(document["gpus"], ["sm_86"])
        self.assertEqual(document["gpu_source"], "--gpu")
        self.assertEqual((document["driver"], document["driver_cuda"]), (NEW_DRIVER, "13.0"))
        for key in ("libraries", "packages", "without_cuda", "warnings", "errors"):
            self.assertIsInstance(document[key], list, key)
        library, = document["libraries"]
        self.assertEqual(library["path"], fixture("multi.so"))
        self.assertIsNone(library["package"])
        self.assertEqual(library["sass"], ["sm_75", "sm_80", "sm_90"])
        self.assertEqual(library["ptx"], [{"target": "compute_90", "isa": "9.0"}])
        self.assertEqual(library["toolkits"], ["13.0.88"])
        self.assertEqual(library["sections"], [".nv_fatbin"])
        self.assertFalse(library["relocatable"])
        self.assertEqual(library["units"], 1)
        self.assertIn("zstd", library["compression"])  # PTX is always compressed by nvcc 13
        self.assertEqual(library["coverage"], {"sm_86": "sass"})
        detail, = library["coverage_detail"]
        self.assertEqual((detail["gpu"], detail["how"], detail["target"]), ("sm_86", "sass", "sm_80"))
        self.assertEqual(detail["units_without_code"], 0)

    def test_targets_of_each_fixture(self):
        expected = {"sm90a.so": (["sm_90a"], []), "sm100f.so": (["sm_100f"], []),
                    "ptx_compute90a.so": ([], ["compute_90a"]), "both_80.so": (["sm_80"], ["compute_80"])}
        for name, (sass, ptx) in expected.items():
            with self.subTest(name=name):
                library, = self.inspect(fixture(name), "--gpu", "9.0")["libraries"]
                self.assertEqual(library["sass"], sass)
                self.assertEqual([p["target"] for p in library["ptx"]], ptx)
        self.assertEqual(self.inspect(fixture("zstd_sm80.so"), "--gpu", "8.0")["libraries"][0]["compression"], ["zstd"])
        self.assertEqual(self.inspect(fixture("lz4_sm80.so"), "--gpu", "8.0")["libraries"][0]["compression"], ["lz4"])

    def test_family_and_arch_specific_rules(self):
        document = self.inspect(fixture("sm100f.so"), fixture("sm90a.so"), "--gpu", "10.3,12.0", "--gpu", "9.0")
        libraries = by_path(document)
        self.assertEqual(libraries[fixture("sm100f.so")]["coverage"],
                         {"sm_103": "sass", "sm_120": "none", "sm_90": "none"})
        self.assertEqual(libraries[fixture("sm90a.so")]["coverage"],
                         {"sm_103": "none", "sm_120": "none", "sm_90": "sass"})

    def test_object_file(self):
        library, = self.inspect(fixture("rdc_sm80.o"), "--gpu", "8.9", code=0)["libraries"]
        self.assertTrue(library["relocatable"])
        self.assertEqual(library["sections"], ["__nv_relfatbin"])
        self.assertEqual(library["coverage"], {"sm_89": "sass"})

    def test_gpu_repeated_comma_separated_and_spellings(self):
        document = self.inspect(fixture("multi.so"), "--gpu", "8.6,sm_90", "--gpu", "120", "--gpu", "9.0",
                                "--driver", OLD_DRIVER, code=6)
        self.assertEqual(document["gpus"], ["sm_86", "sm_90", "sm_120"])  # 9.0 given twice: once
        detail = {d["gpu"]: d for d in document["libraries"][0]["coverage_detail"]}
        self.assertEqual(detail["sm_90"]["target"], "sm_90")
        self.assertEqual((detail["sm_120"]["how"], detail["sm_120"]["target"]), ("ptx-jit", "compute_90"))
        self.assertFalse(detail["sm_120"]["driver_can_jit"])

    def test_driver_old_and_new_for_ptx_isa_9(self):
        old = self.inspect(fixture("ptx_compute80.so"), "--gpu", "9.0", "--driver", OLD_DRIVER, code=6)
        self.assertEqual(old["driver_cuda"], "12.4")
        detail, = old["libraries"][0]["coverage_detail"]
        self.assertEqual((detail["how"], detail["target"], detail["ptx_isa"]), ("ptx-jit", "compute_80", "9.0"))
        self.assertEqual((detail["jit_needs_cuda"], detail["driver_can_jit"]), ("13.0", False))
        new = self.inspect(fixture("ptx_compute80.so"), "--gpu", "9.0", "--driver", NEW_DRIVER, code=0)
        self.assertTrue(new["libraries"][0]["coverage_detail"][0]["driver_can_jit"])
        unknown = self.inspect(fixture("ptx_compute80.so"), "--gpu", "9.0", code=0)  # no driver: may JIT
        self.assertIsNone(unknown["driver"])
        self.assertIsNone(unknown["libraries"][0]["coverage_detail"][0]["driver_can_jit"])
        text = run("inspect", fixture("ptx_compute80.so"), "--gpu", "9.0", "--driver", OLD_DRIVER)
        self.assertEqual(text.returncode, 6)
        self.assertIn("driver 550.54.15 (CUDA 12.4)", text.stdout)
        self.assertIn("too old to JIT it, it needs CUDA 13.0", text.stdout)

    def test_detected_gpu_and_driver_from_overrides(self):
        env = {"ENVSETUP_GPUS": "8.0", "ENVSETUP_DRIVER_VERSION": NEW_DRIVER}
        result = run("inspect", fixture("sass_sm80.so"), "--json", env=env)
        document = json.loads(result.stdout)
        self.assertEqual((document["gpus"], document["gpu_source"], document["driver"]),
                         (["sm_80"], "detected", NEW_DRIVER))
        self.assertEqual(result.returncode, 0)
        given = run("inspect", fixture("sass_sm80.so"), "--json", "--gpu", "9.0", env=env)
        self.assertEqual(json.loads(given.stdout)["gpus"], ["sm_90"])  # --gpu replaces the detected GPUs
        self.assertEqual(given.returncode, 6)

    def test_no_gpu_lists_targets_without_coverage(self):
        document = self.inspect(fixture("sass_sm80.so"), code=0)
        self.assertEqual(document["gpus"], [])
        self.assertEqual([w["id"] for w in document["warnings"]], ["no-gpu"])
        library, = document["libraries"]
        self.assertEqual((library["sass"], library["coverage"], library["coverage_detail"]), (["sm_80"], {}, []))
        text = run("inspect", fixture("sass_sm80.so"), "--sysroot", self.nowhere)
        self.assertEqual(text.returncode, 0)
        self.assertIn("GPUs: none", text.stdout)
        self.assertIn("SASS: sm_80", text.stdout)
        self.assertIn("[no-gpu]", text.stdout)

    def test_text_output(self):
        result = run("inspect", fixture("multi.so"), fixture("host_only.so"), "--gpu", "8.6", "--gpu", "7.0")
        self.assertEqual(result.returncode, 6, result.stderr)
        for line in ("GPUs: sm_86 sm_70 (--gpu)", "SASS: sm_75 sm_80 sm_90", "PTX:  compute_90 (ISA 9.0)",
                     "1 unit(s) in .nv_fatbin", "built with CUDA 13.0.88", "sm_86: sass (sm_80)",
                     "sm_70: none", "no kernel image is available", "1 other library holds no CUDA code."):
            self.assertIn(line, result.stdout)

    def test_usage_errors(self):
        library = fixture("multi.so")
        for args in (["inspect"], ["inspect", self.path("missing.so")], ["inspect", library, "--gpu", "banana"],
                     ["inspect", library, "--driver", "new"], ["inspect", library, "--bogus"]):
            with self.subTest(args=args[1:]):
                self.assertEqual(run(*args).returncode, 2)
        fifo = self.path("lib.so")
        os.mkfifo(fifo)
        self.assertEqual(run("inspect", fifo, "--gpu", "8.0", timeout=20).returncode, 2)


class InspectFolders(InspectCase):
    def test_folder_walk(self):
        self.copy("sass_sm80.so", "tree", "libx.so.12")
        self.copy("rdc_sm80.o", "tree", "deep", "er", "k.o")
        self.copy("host_only.so", "tree", "host.so")
        self.copy("multi.so", "tree", "not_a_library.txt")
        document = self.inspect(self.path("tree"), "--gpu", "8.0", code=0)
        self.assertEqual(sorted(by_path(document)),
                         [self.path("tree", "deep", "er", "k.o"), self.path("tree", "libx.so.12")])
        self.assertEqual(document["without_cuda"], [self.path("tree", "host.so")])

    def test_corrupt_libraries_are_errors_the_others_listed(self):
        data = read_bytes(fixture("multi.so"))
        self.copy("sass_sm80.so", "lib", "good.so")
        with open(self.path("lib", "truncated.so"), "wb") as f:
            f.write(data[:len(data) // 2])
        patched = bytearray(data)
        header, _, _ = section_header(data, b".nv_fatbin")
        struct.pack_into("<Q", patched, header + 24, len(data) + 4096)
        with open(self.path("lib", "past_eof.so"), "wb") as f:
            f.write(patched)
        document = self.inspect(self.path("lib"), "--gpu", "8.0", code=5)
        self.assertEqual(list(by_path(document)), [self.path("lib", "good.so")])
        errors = {e["path"]: e["error"] for e in document["errors"]}
        self.assertEqual(sorted(errors), [self.path("lib", "past_eof.so"), self.path("lib", "truncated.so")])
        for error in errors.values():
            self.assertEqual(error["kind"], "integrity", error)
            self.assertTrue(error["message"] and error["hints"], error)
        text = run("inspect", self.path("lib"), "--gpu", "8.0")
        self.assertEqual(text.returncode, 5)
        self.assertIn("error: " + self.path("lib", "truncated.so"), text.stdout)
        self.assertIn("hint: ", text.stdout)
        # A library that cannot run beats a corrupt one: exit 6.
        self.copy("sm90a.so", "lib", "wrong_arch.so")
        self.inspect(self.path("lib"), "--gpu", "8.0", code=6)

    def test_symlinks_not_followed_fifo_no_hang_non_elf_skipped(self):
        self.copy("sass_sm80.so", "d", "real.so")
        os.symlink(fixture("sm90a.so"), self.path("d", "link.so"))
        os.symlink(FIXTURES, self.path("d", "linked_dir"))
        os.mkfifo(self.path("d", "lib.so"))
        with open(self.path("d", "libfake.so"), "w") as f:
            f.write("INPUT(-lfake)  /* a linker script, not an ELF */\n")
        document = self.inspect(self.path("d"), "--gpu", "8.0", code=0, timeout=20)
        self.assertEqual(list(by_path(document)), [self.path("d", "real.so")])
        everything = json.dumps(document)
        self.assertNotIn("sm_90a", everything)
        self.assertNotIn("linked_dir", everything)
        self.assertEqual(document["errors"], [])


class InspectWheels(InspectCase):
    NAME = "flash_attn-2.6.3+cu123torch2.4-cp311-cp311-linux_x86_64.whl"

    def make_wheel(self, name=None):
        wheel = self.path("wheels", name or self.NAME)
        os.makedirs(os.path.dirname(wheel), exist_ok=True)
        with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as z:
            z.write(fixture("sass_sm80.so"), "flash_attn/flash_attn_2_cuda.so")
            z.write(fixture("multi.so"), "flash_attn/lib/libmulti.so.1")
            z.write(fixture("host_only.so"), "flash_attn/host.so")
            z.writestr("flash_attn/libfake.so", "not an ELF file\n")
            z.writestr("flash_attn/__init__.py", "")
            z.writestr("flash_attn-2.6.3+cu123torch2.4.dist-info/METADATA", "Name: flash_attn\nVersion: 2.6.3\n")
        return wheel

    def test_wheel_read_without_extracting(self):
        wheel = self.make_wheel()
        temp, cwd = self.path("tmp"), self.path("cwd")
        os.mkdir(temp)
        os.mkdir(cwd)
        before = sorted(os.listdir(os.path.dirname(wheel)))
        document = self.inspect(wheel, "--gpu", "9.0", "--driver", NEW_DRIVER, code=6, cwd=cwd,
                                env={"TMPDIR": temp, "HOME": cwd})
        self.assertEqual(os.listdir(temp), [], "inspect wrote below TMPDIR")
        self.assertEqual(os.listdir(cwd), [], "inspect wrote in the working folder")
        self.assertEqual(sorted(os.listdir(os.path.dirname(wheel))), before)
        libraries = by_path(document)
        cuda_so, multi = wheel + "!flash_attn/flash_attn_2_cuda.so", wheel + "!flash_attn/lib/libmulti.so.1"
        self.assertEqual(sorted(libraries), sorted([cuda_so, multi]))
        self.assertEqual(libraries[cuda_so]["coverage"], {"sm_90": "none"})
        self.assertEqual(libraries[multi]["sass"], ["sm_75", "sm_80", "sm_90"])
        self.assertEqual(libraries[multi]["toolkits"], ["13.0.88"])  # read from the streamed cubin note
        self.assertEqual(document["without_cuda"], [wheel + "!flash_attn/host.so"])
        self.assertEqual(document["errors"], [], "a non-ELF libfake.so is not a corrupt library")
        package, = document["packages"]
        self.assertEqual((package["name"], package["version"]), ("flash_attn", "2.6.3+cu123torch2.4"))
        self.assertEqual(sorted(package["libraries"]), sorted([cuda_so, multi]))
        self.assertEqual(package["coverage"], {"sm_90": "none"})  # the worst of its libraries
        self.assertEqual({lib["package"] for lib in document["libraries"]}, {"flash_attn"})

    def test_truncated_and_non_zip_wheels(self):
        good = self.make_wheel()
        data = read_bytes(good)
        truncated = self.path("wheels", "trunc-1.0-py3-none-any.whl")
        with open(truncated, "wb") as f:
            f.write(data[:len(data) * 2 // 3])
        text = self.path("wheels", "text-1.0-py3-none-any.whl")
        with open(text, "w") as f:
            f.write("<html>404 Not Found</html>\n")
        for wheel in (truncated, text):
            with self.subTest(wheel=os.path.basename(wheel)):
                document = self.inspect(wheel, fixture("multi.so"), "--gpu", "9.0", "--driver", NEW_DRIVER)
                self.assertIn(wheel, [e["path"] for e in document["errors"]], document["errors"])
                self.assertIn(fixture("multi.so"), by_path(document))
                result = run("inspect", wheel, fixture("multi.so"), "--gpu", "9.0", "--driver", NEW_DRIVER)
                self.assertEqual(result.returncode, 5, result.stdout)
                self.assertIn("error: " + wheel + ": ", result.stdout)

    def test_zip_bomb_entry(self):
        bomb = self.path("wheels", "bomb-1.0-py3-none-any.whl")
        os.makedirs(os.path.dirname(bomb))
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            z.write(fixture("sass_sm80.so"), "bomb/ok.so")
            with z.open("bomb/libzero.so", "w", force_zip64=True) as entry:
                zeros = b"\0" * (1 << 24)
                for _ in range(64):  # 1 GiB of zeros, about 1 MiB deflated
                    entry.write(zeros)
        self.assertLess(os.path.getsize(bomb), 4 << 20)
        result = run("inspect", bomb, fixture("multi.so"), "--gpu", "8.0", "--driver", NEW_DRIVER, "--json",
                     env={"TMPDIR": self.path("wheels")}, timeout=60)
        self.assertEqual(result.returncode, 5, result.stderr)
        document = json.loads(result.stdout)
        self.assertIn(fixture("multi.so"), by_path(document))
        self.assertIn(bomb + "!bomb/ok.so", by_path(document), "the entry before the bomb is still read")
        paths = [e["path"] for e in document["errors"]]
        self.assertEqual(len(paths), 1, document["errors"])
        self.assertTrue(paths[0].startswith(bomb), paths)
        self.assertIn("limit", json.dumps(document["errors"]))
        self.assertEqual(sorted(os.listdir(self.path("wheels"))), [os.path.basename(bomb)])

    def make_liar(self):
        """A wheel whose one entry (multi.so, deflated) declares 100 bytes."""
        wheel = self.path("wheels", "liar-1.0-py3-none-any.whl")
        os.makedirs(os.path.dirname(wheel))
        with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as z:
            z.write(fixture("multi.so"), "liar/libliar.so")
        data = bytearray(read_bytes(wheel))
        struct.pack_into("<I", data, 22, 100)  # local header: uncompressed size
        struct.pack_into("<I", data, data.index(b"PK\x01\x02") + 24, 100)  # central directory: the same
        with open(wheel, "wb") as f:
            f.write(data)
        return wheel

    def test_entry_larger_than_declared(self):
        wheel = self.make_liar()
        document = self.inspect(wheel, fixture("sass_sm80.so"), "--gpu", "8.0")
        self.assertNotIn(wheel + "!liar/libliar.so", by_path(document), "an entry that lies about its size was read")
        self.assertTrue(any(e["path"].startswith(wheel) for e in document["errors"]), document)
        self.assertIn(fixture("sass_sm80.so"), by_path(document))
        self.assertEqual(document["errors"][0]["error"]["kind"], "integrity")

    def test_wheel_stream_error_reported_once_and_clean(self):
        """Product bug (app/inspect_wheel.cpp, install/wheel_reader.cpp): an entry whose data is
        larger than declared is reported twice (for `W!entry` and again for `W`), and libarchive's
        message keeps its trailing newline (shown as a literal `\\n` in the text output)."""
        document = self.inspect(self.make_liar(), "--gpu", "8.0", code=5)
        for error in document["errors"]:
            for text in [error["error"]["message"], *error["error"]["causes"]]:
                self.assertEqual(text, text.strip(), "BUG: error text with a trailing newline: %r" % text)
        self.assertEqual(len(document["errors"]), 1, "BUG: one broken entry reported more than once: %s"
                         % [e["path"] for e in document["errors"]])


if __name__ == "__main__":
    unittest.main()
