# SPDX-License-Identifier: Apache-2.0
"""`envsetup install` against archives a hostile mirror serves with valid hashes: symlink loops
(which once ended in an uncaught exception, exit 70) and files named .tar.xz that are not
(plain tar, zip, .tar.gz, .xz with bytes after it), on both decoding paths
(ENVSETUP_PARALLEL_XZ=0 leaves .xz to liblzma on the reading thread).

Run by CTest with ENVSETUP_BIN, ENVSETUP_TEST_SERVER and ENVSETUP_SOURCE_DIR set.
"""
import gzip
import io
import lzma
import os
import shutil
import tarfile
import unittest
import zipfile

import mirror_tools as mt
from test_cli_install import InstallTestCase


class SafetyArchiveCase(InstallTestCase):
    def install_with(self, component, data, env=None):
        """Installs from a private mirror whose `component` archive holds `data` (bytes, with
        sha256, md5 and size recomputed): what a compromised mirror can serve."""
        shutil.rmtree(self.ws.path("mirror"), True)
        shutil.rmtree(self.ws.path("P"), True)
        mirror = self.copy_mirror()
        bad = self.ws.path("bad.tar.xz")
        with open(bad, "wb") as handle:
            handle.write(data)
        mt.repoint(mirror, component, bad)
        prefix = self.ws.path("P")
        return prefix, self.ws.run(*self.install_args(self.serve(mirror), prefix), env=env)

    def tar_bytes(self, top, add):
        """An uncompressed tar in NVIDIA's layout (top folder, include/ok.h, LICENSE) plus `add(tar)`."""
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
            mt.tar_entry(tar, f"{top}/LICENSE", data=b"License (test archive)\n")
            mt.tar_entry(tar, f"{top}/include/ok.h", data=b"/* harmless */\n")
            add(tar)
        return raw.getvalue()

    def assertNothingInstalled(self, prefix):
        self.assertFalse(os.path.lexists(prefix))
        self.assertNoLeftovers(prefix)


class SymlinkLoops(SafetyArchiveCase):
    """Links that loop are inert data: the install either places them as links or refuses the
    archive as unsafe (exit 5); it never crashes (exit 70) and writes nothing through them."""

    LOOPS = {
        "two links pointing at each other": [("lib/a", "b"), ("lib/b", "a")],
        "a link to itself": [("lib/x", "x")],
        "a folder link to its own folder": [("lib/self", ".")],
        "a folder link loop": [("lib/d1", "d2/sub"), ("lib/d2", "d1/sub")],
        "a chain into a loop": [("lib/libloop.so", "libloop.so.1"), ("lib/libloop.so.1", "libloop.so")],
    }

    def test_symlink_loop_in_an_archive_does_not_crash_the_install(self):
        for parallel in ("1", "0"):
            for what, links in self.LOOPS.items():
                with self.subTest(what, parallel_xz=parallel):
                    top = self.entries["cuda_cudart"]["top"]

                    def add(tar):
                        for name, target in links:
                            mt.tar_entry(tar, f"{top}/{name}", "symlink", link=target, mode=0o777)
                    data = lzma.compress(self.tar_bytes(top, add), preset=0)
                    prefix, result = self.install_with("cuda_cudart", data, env={"ENVSETUP_PARALLEL_XZ": parallel})
                    self.assertIn(result.returncode, (0, 5), f"{what}\n{result.stdout}\n{result.stderr}")
                    self.assertNotIn("internal error", result.stderr.lower())
                    if result.returncode == 0:
                        for name, target in links:
                            self.assertEqual(os.readlink(os.path.join(prefix, name)), target, what)
                    else:
                        self.assertIn("unsafe entry", result.stderr)
                        self.assertNothingInstalled(prefix)


class NotTarXz(SafetyArchiveCase):
    """A file named .tar.xz must be .xz data holding a tar and nothing else (exit 5, integrity).

    Needs the app layer to pass install::archive_kind_for_name(<archive file name>) as
    ExtractLimits::expected (both extraction call sites)."""

    def cases(self, top):
        tar = self.tar_bytes(top, lambda tar: None)
        zipped = io.BytesIO()
        with zipfile.ZipFile(zipped, "w") as archive:
            archive.writestr(f"{top}/LICENSE", "License (test archive)\n")
        return {
            "plain tar": tar,
            "zip": zipped.getvalue(),
            "tar.gz": gzip.compress(tar, mtime=0),
            "xz with trailing garbage": lzma.compress(tar, preset=0) + b"trailing garbage",
            "xz with a tar after it": lzma.compress(tar, preset=0) + tar,
            "xz holding a zip": lzma.compress(zipped.getvalue(), preset=0),
        }

    def test_plain_tar_zip_and_xz_with_trailing_garbage_are_not_tar_xz(self):
        top = self.entries["cuda_cudart"]["top"]
        for parallel in ("1", "0"):
            for what, data in self.cases(top).items():
                with self.subTest(what, parallel_xz=parallel):
                    prefix, result = self.install_with("cuda_cudart", data, env={"ENVSETUP_PARALLEL_XZ": parallel})
                    self.assertExit(result, 5, what)
                    self.assertIn("is not a valid .tar.xz archive", result.stderr)
                    self.assertIn(self.entries["cuda_cudart"]["name"], result.stderr)
                    self.assertNothingInstalled(prefix)


if __name__ == "__main__":
    unittest.main()
