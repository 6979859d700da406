# SPDX-License-Identifier: Apache-2.0
"""`envsetup gc`, the names `list` shows, and `remove`/`env` by name: the real binary with a
toolkit installed from mirror_tools' synthetic NVIDIA mirror on 127.0.0.1. gc removes only
the store trees and cached archives nothing refers to, returns the store to empty after the
last prefix goes, and never follows a link planted in the store or the cache.

Run by CTest with ENVSETUP_BIN, ENVSETUP_TEST_SERVER and ENVSETUP_SOURCE_DIR set.
"""
import json
import os
import unittest

import mirror_tools as mt
from mirror_tools import MirrorTestCase

NAME = f"cuda-{mt.CUDA_VERSION}-cudnn-{mt.CUDNN_VERSION}"


class GcAndNames(MirrorTestCase):
    def setUp(self):
        super().setUp()
        self.url = self.serve()

    def install(self, *extra):
        result = self.ws.run("install", "--cuda", mt.CUDA_VERSION, "--cudnn", mt.CUDNN_VERSION, "--components",
                             "runtime,cuda_nvcc", "--mirror", self.url, "--cache", self.ws.cache, "--store",
                             self.ws.store, *extra)
        self.assertExit(result, 0)
        return result

    def gc(self, *extra):
        result = self.ws.run("gc", "--store", self.ws.store, "--cache", self.ws.cache, "--json", *extra)
        self.assertExit(result, 0)
        return json.loads(result.stdout)

    def extracted(self):
        return sorted(os.listdir(os.path.join(self.ws.store, "extracted-v1")))

    def archives(self):
        return sorted(os.listdir(os.path.join(self.ws.cache, "archives-v1")))

    def test_gc_keeps_what_a_prefix_uses_and_empties_the_store_after_the_last_remove(self):
        self.install()  # the default prefix, STORE/toolkits/NAME
        prefix = os.path.join(self.ws.store, "toolkits", NAME)
        trees = [n for n in self.extracted() if len(n) == 64]
        self.assertEqual(len(trees), 4)
        nothing = self.gc()
        self.assertEqual((nothing["store"]["count"], nothing["cache"]["count"], nothing["bytes"]), (0, 0, 0))
        self.assertEqual(nothing["kept"]["prefixes"], 1)

        # `list` shows the name and the disk use; `env` and `remove` take the name.
        listed = self.ws.run("list", "--store", self.ws.store)
        self.assertExit(listed, 0)
        self.assertIn("disk use", listed.stdout)
        self.assertIn(NAME, listed.stdout)
        entry = json.loads(self.ws.run("list", "--json", "--store", self.ws.store).stdout)[0]
        self.assertEqual((entry["name"], entry["prefix"]), (NAME, prefix))
        self.assertGreater(entry["bytes"], 0)
        env = self.ws.run("env", NAME, "--store", self.ws.store)
        self.assertExit(env, 0)
        self.assertIn(f'export CUDA_HOME="{prefix}"', env.stdout)

        dry = self.gc("--dry-run")  # a dry run after the remove below would list the same
        self.assertEqual(dry["store"]["count"], 0)
        removed = self.ws.run("remove", NAME, "--store", self.ws.store)
        self.assertExit(removed, 0)
        self.assertIn(f"removed {prefix}", removed.stdout)
        self.assertFalse(os.path.lexists(prefix))

        preview = self.gc("--dry-run")
        self.assertTrue(preview["dry_run"])
        self.assertEqual((preview["store"]["count"], preview["cache"]["count"]), (4, 4))
        self.assertEqual(len(self.archives()), 8)  # nothing removed yet: 4 archives + records
        text = self.ws.run("gc", "--store", self.ws.store, "--cache", self.ws.cache)
        self.assertExit(text, 0)
        self.assertIn("removed 4 extracted tree(s)", text.stdout)
        self.assertIn("removed 4 cached archive(s)", text.stdout)
        self.assertIn("freed ", text.stdout)
        # The store is empty again: lock files (never unlinked, zero bytes) are all that stays.
        self.assertEqual([n for n in self.extracted() if not n.endswith(".lock")], [])
        self.assertEqual(self.archives(), [])
        self.assertEqual([n for n in os.listdir(os.path.join(self.ws.store, "toolkits")) if not n.endswith(".lock")],
                         [])
        again = self.gc()
        self.assertEqual((again["store"]["count"], again["cache"]["count"]), (0, 0))

    def test_gc_keeps_the_trees_another_prefix_shares(self):
        first, second = self.ws.path("P1"), self.ws.path("P2")
        self.install("--prefix", first)
        self.install("--prefix", second)
        self.assertExit(self.ws.run("remove", first, "--store", self.ws.store), 0)
        kept = self.gc()
        self.assertEqual((kept["store"]["count"], kept["cache"]["count"]), (0, 0))
        self.assertEqual(kept["kept"]["prefixes"], 1)
        self.assertTrue(os.path.isfile(os.path.join(second, "lib", "libcudart.so.12.4.127")))

    def test_gc_never_follows_a_link_and_leaves_foreign_files(self):
        self.install("--prefix", self.ws.path("P"))
        canary = self.ws.path("outside")
        os.makedirs(canary)
        with open(os.path.join(canary, "precious"), "w") as handle:
            handle.write("keep me\n")
        store = os.path.join(self.ws.store, "extracted-v1")
        os.symlink(canary, os.path.join(store, "e" * 64))
        os.symlink(canary, os.path.join(self.ws.cache, "archives-v1", "f" * 64))
        with open(os.path.join(store, "my-notes.txt"), "w") as handle:
            handle.write("mine\n")
        result = self.gc()
        self.assertEqual(result["store"]["removed"], ["e" * 64])
        self.assertEqual(result["cache"]["removed"], ["f" * 64])
        self.assertEqual(os.listdir(canary), ["precious"])
        self.assertFalse(os.path.lexists(os.path.join(store, "e" * 64)))
        self.assertTrue(os.path.isfile(os.path.join(store, "my-notes.txt")))
        self.assertTrue(os.path.isfile(os.path.join(self.ws.path("P"), "lib", "libcudart.so.12.4.127")))

    def test_a_name_that_is_also_a_folder_here_is_refused(self):
        self.install()
        os.makedirs(self.ws.path("here", NAME))
        result = self.ws.run("remove", NAME, "--store", self.ws.store, cwd=self.ws.path("here"))
        self.assertExit(result, 2)
        self.assertIn("is both an installed prefix's name and a folder here", result.stderr)
        self.assertTrue(os.path.isdir(os.path.join(self.ws.store, "toolkits", NAME)))

    def test_gc_on_a_machine_without_store_or_cache_creates_nothing(self):
        result = self.gc()
        self.assertEqual(result["bytes"], 0)
        self.assertFalse(os.path.exists(self.ws.store))
        self.assertFalse(os.path.exists(self.ws.cache))
        bad = self.ws.run("gc", "--store", self.ws.store, "--lock", self.ws.path("missing.lock"))
        self.assertExit(bad, 1)
        self.assertIn("missing.lock", bad.stderr)


if __name__ == "__main__":
    unittest.main()
