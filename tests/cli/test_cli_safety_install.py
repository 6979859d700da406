# SPDX-License-Identifier: Apache-2.0
"""Attacks on `envsetup install` / `remove` as a hostile mirror, another process or a careless
user would make them (issue 13, docs/security.md). Each test is named after its attack and
checks that nothing outside the prefix and its staging folder is created, changed or deleted,
and that nothing the user made is lost.

Run by CTest with ENVSETUP_BIN, ENVSETUP_TEST_SERVER and ENVSETUP_SOURCE_DIR set.
"""
import json
import os
import shutil
import tarfile
import time
import unittest

import mirror_tools as mt
from test_cli_install import InstallTestCase

EXIT_USAGE = 2
EXIT_INTEGRITY = 5
EXIT_INVALID_DATA = 7


def snapshot(root, skip=()):
    """{relative path: (kind, bytes or link target)} of everything under `root`, links not followed."""
    seen = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if os.path.join(folder, d) not in skip]
        for name in dirs + files:
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, root)
            if os.path.islink(path):
                seen[relative] = ("link", os.readlink(path))
            elif os.path.isdir(path):
                seen[relative] = ("dir", None)
            else:
                with open(path, "rb") as handle:
                    seen[relative] = ("file", handle.read())
    return seen


class CombinedArchives(InstallTestCase):
    def test_archives_harmless_alone_combine_into_a_link_out_of_the_prefix(self):
        # cuda_cudart ships `s -> .`; libcublas ships `s/t/l -> ../..` (inside its own tree);
        # cuda_nvcc ships `t/l/pwned`. Merged through links, `l` would point above the prefix
        # and `pwned` land beside it.
        mirror = self.copy_mirror()
        adds = {
            "cuda_cudart": lambda tar, top: mt.tar_entry(tar, f"{top}/s", "symlink", link="."),
            "libcublas": lambda tar, top: mt.tar_entry(tar, f"{top}/s/t/l", "symlink", link="../.."),
            "cuda_nvcc": lambda tar, top: mt.tar_entry(tar, f"{top}/t/l/pwned", data=b"escaped\n"),
        }
        for component, add in adds.items():
            top = self.entries[component]["top"]
            path = self.ws.path(f"{component}.tar.xz")
            mt.make_archive_with(path, top, lambda tar, add=add, top=top: add(tar, top))
            mt.repoint(mirror, component, path)
        canary = self.ws.path("canary")
        os.makedirs(os.path.join(canary, "t"))
        before = snapshot(canary)
        prefix = os.path.join(canary, "inner", "P")
        result = self.install(self.serve(mirror), prefix)
        self.assertExit(result, EXIT_INTEGRITY)
        self.assertIn("symlink", result.stderr)
        self.assertFalse(os.path.lexists(prefix))
        self.assertEqual(snapshot(canary, skip={os.path.join(canary, "inner")}), before)
        for folder, _, files in os.walk(self.ws.root):
            if not folder.startswith(self.ws.store):  # the store holds each archive's own tree
                self.assertNotIn("pwned", files, f"written in {folder}")

    def test_manifest_component_key_used_as_a_path(self):
        mirror = self.copy_mirror()
        path = mt.manifest_path(mirror, "cuda")
        with open(path) as handle:
            manifest = json.load(handle)
        manifest["../../../escaped"] = manifest.pop("cuda_cudart")
        with open(path, "w") as handle:
            json.dump(manifest, handle)
        prefix = self.ws.path("P")
        result = self.ws.run("install", "--cuda", mt.CUDA_VERSION, "--components", "../../../escaped",
                             "--mirror", self.serve(mirror), "--prefix", prefix, "--cache", self.ws.cache,
                             "--store", self.ws.store)
        self.assertNotEqual(result.returncode, 0, result.stdout)
        self.assertNotIn(result.returncode, (70,), result.stderr)
        self.assertFalse(os.path.lexists(prefix))
        for folder, _, files in os.walk(self.ws.root):
            self.assertNotIn("LICENSE", [f for f in files if "escaped" in folder], folder)


class HostileReceipts(InstallTestCase):
    def setUp(self):
        super().setUp()
        self.prefix = self.ws.path("area", "P")
        self.assertExit(self.install(self.serve(), self.prefix), 0)
        self.receipt_file = os.path.join(self.prefix, ".envsetup", "receipt.json")

    def edit_receipt(self, change):
        receipt = self.receipt(self.prefix)
        change(receipt)
        with open(self.receipt_file, "w") as handle:
            json.dump(receipt, handle)

    def test_remove_with_receipt_paths_outside_the_prefix(self):
        victim = self.ws.path("area", "victim.txt")
        with open(victim, "w") as handle:
            handle.write("keep\n")
        outside = self.ws.path("outside.txt")
        with open(outside, "w") as handle:
            handle.write("keep\n")
        self.edit_receipt(lambda r: r["files"].extend(["../victim.txt", outside]))
        before = snapshot(self.prefix)
        result = self.ws.run("remove", self.prefix, "--store", self.ws.store, timeout=30)
        self.assertExit(result, EXIT_INVALID_DATA)
        self.assertIn("receipt", result.stderr)
        self.assertTrue(os.path.isfile(victim) and os.path.isfile(outside))
        self.assertEqual(snapshot(self.prefix), before, "a damaged receipt must remove nothing")

    def test_remove_with_an_absolute_receipt_path_does_not_loop(self):
        self.edit_receipt(lambda r: r["files"].append("/"))
        started = time.monotonic()
        result = self.ws.run("remove", self.prefix, "--store", self.ws.store, timeout=30)
        self.assertLess(time.monotonic() - started, 20)
        self.assertExit(result, EXIT_INVALID_DATA)

    def test_remove_through_a_folder_symlink_in_the_prefix(self):
        # The user (or another tool) replaced P/lib by a link to another tree holding files of
        # the same names: remove must not delete that tree's files.
        other = self.ws.path("other-tree")
        shutil.copytree(os.path.join(self.prefix, "lib"), os.path.join(other, "lib"), symlinks=True)
        shutil.rmtree(os.path.join(self.prefix, "lib"))
        os.symlink(os.path.join(other, "lib"), os.path.join(self.prefix, "lib"))
        before = snapshot(other)
        result = self.ws.run("remove", self.prefix, "--store", self.ws.store)
        self.assertExit(result, 0)
        self.assertEqual(snapshot(other), before)
        self.assertIn("kept 1 file(s)", result.stdout)
        self.assertTrue(os.path.islink(os.path.join(self.prefix, "lib")))

    def test_remove_keeps_the_lock_file_it_holds(self):
        lock = self.ws.path("area", ".P.lock")
        self.assertTrue(os.path.isfile(lock))
        identity = os.stat(lock).st_ino
        self.assertExit(self.ws.run("remove", self.prefix, "--store", self.ws.store), 0)
        self.assertFalse(os.path.lexists(self.prefix))
        self.assertEqual(os.stat(lock).st_ino, identity, "the lock file was unlinked while held")

    def test_files_gone_from_an_installed_prefix_are_repaired(self):
        os.unlink(os.path.join(self.prefix, "include", "ok.h")) if os.path.exists(
            os.path.join(self.prefix, "include", "ok.h")) else None
        victim = sorted(f for f in self.receipt(self.prefix)["files"] if f.startswith("lib/"))[0]
        os.unlink(os.path.join(self.prefix, victim))
        result = self.install(self.serve(), self.prefix)
        self.assertExit(result, 0)
        self.assertNotIn("already installed", result.stdout)
        self.assertIn("repaired", result.stdout)
        self.assertComplete(self.prefix)

    def test_folders_named_like_staging_are_not_deleted(self):
        # `.P.staging-backup` is the user's; `.P.staging-9.staging-1` is another prefix's install.
        mine = self.ws.path("area", ".P.staging-backup")
        other = self.ws.path("area", ".P.staging-9.staging-1")
        for folder in (mine, other):
            os.makedirs(folder)
            with open(os.path.join(folder, "important.txt"), "w") as handle:
                handle.write("precious\n")
        self.assertExit(self.install(self.serve(), self.prefix, components="cuda_cccl"), 0)
        for folder in (mine, other):
            self.assertTrue(os.path.isfile(os.path.join(folder, "important.txt")), folder)

    def test_remove_keeps_a_file_the_user_put_in_place_of_an_installed_one(self):
        victim = sorted(f for f in self.receipt(self.prefix)["files"] if f.startswith("lib/") and
                        not os.path.islink(os.path.join(self.prefix, f)))[0]
        os.unlink(os.path.join(self.prefix, victim))
        with open(os.path.join(self.prefix, victim), "w") as handle:
            handle.write("mine\n")
        result = self.ws.run("remove", self.prefix, "--store", self.ws.store)
        self.assertExit(result, 0)
        with open(os.path.join(self.prefix, victim)) as handle:
            self.assertEqual(handle.read(), "mine\n")
        self.assertIn("kept 1 file(s)", result.stdout)

    def test_remove_with_a_fifo_in_the_prefix_keeps_it_and_says_so(self):
        fifo = os.path.join(self.prefix, "lib", "myfifo")
        os.mkfifo(fifo)
        result = self.ws.run("remove", self.prefix, "--store", self.ws.store)
        self.assertExit(result, 0)
        self.assertTrue(os.path.exists(fifo))
        self.assertIn("lib/myfifo", result.stdout)

    def test_remove_of_a_folder_that_is_no_prefix_leaves_no_lock_file(self):
        folder = self.ws.path("area", "project")
        os.makedirs(folder)
        result = self.ws.run("remove", folder, "--store", self.ws.store)
        self.assertExit(result, EXIT_USAGE)
        self.assertFalse(os.path.lexists(self.ws.path("area", ".project.lock")))

    def test_damaged_tree_record_in_the_store_is_an_error_not_a_crash(self):
        extracted = os.path.join(self.ws.store, "extracted-v1")
        for name in os.listdir(extracted):
            if name.endswith(".tree.json"):
                with open(os.path.join(extracted, name), "w") as handle:
                    handle.write('{"schema_version": "1", "entries": 5}')
        result = self.install(self.serve(), self.ws.path("area", "P2"))
        self.assertExit(result, 0)  # the trees are extracted again
        self.assertComplete(self.ws.path("area", "P2"))

    def test_symlink_to_an_installed_prefix_is_not_taken_for_it(self):
        link = self.ws.path("area", "Plink")
        os.symlink(self.prefix, link)
        result = self.install(self.serve(), link)
        self.assertExit(result, EXIT_USAGE)
        self.assertNotIn("already installed", result.stdout)

    def test_planted_symlink_as_the_prefix_is_refused(self):
        elsewhere = self.ws.path("elsewhere")
        os.makedirs(elsewhere)
        target = self.ws.path("area", "Q")
        os.symlink(elsewhere, target)
        result = self.install(self.serve(), target)
        self.assertExit(result, EXIT_USAGE)
        self.assertEqual(os.listdir(elsewhere), [])


def add_big_components(mirror, count=4, size=350_000):
    """Adds components big0..bigN-1 to the mirror's CUDA manifest: archives of `size`
    incompressible bytes, slow enough at a limited rate to be extracted while they download."""
    path = mt.manifest_path(mirror, "cuda")
    with open(path) as handle:
        manifest = json.load(handle)
    names = []
    for number in range(count):
        component = f"big{number}"
        top = f"{component}-{mt.PLATFORM}-1.0.{number}-archive"
        relative = f"{component}/{mt.PLATFORM}/{top}.tar.xz"
        archive = os.path.join(mirror, "cuda", "redist", relative)
        os.makedirs(os.path.dirname(archive))
        with tarfile.open(archive, "w:xz", preset=0) as tar:
            mt.tar_entry(tar, f"{top}/lib/lib{component}.so", data=os.urandom(size))
            mt.tar_entry(tar, f"{top}/LICENSE", data=b"License (test)\n")
        manifest[component] = {"name": component, "license": "test", "version": f"1.0.{number}",
                               mt.PLATFORM: {"relative_path": relative, **mt.digests(archive)}}
        names.append(component)
    with open(path, "w") as handle:
        json.dump(manifest, handle, indent=4)
    return ",".join(names)


class RacesWithTheUser(InstallTestCase):
    def wait_for_staging(self, prefix, process, limit=30):
        parent, name = os.path.split(prefix)
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and process.poll() is None:
            if any(n.startswith(f".{name}.staging-") for n in os.listdir(parent)):
                return True
            time.sleep(0.02)
        return False

    def test_upgrade_keeps_files_the_user_adds_while_it_downloads(self):
        prefix = self.ws.path("P")
        self.assertExit(self.install(self.serve(), prefix, components="cuda_cccl"), 0)
        slow = self.serve(None, "--rate", "400000")
        args = self.install_args(slow, prefix)
        args[args.index("--cache") + 1] = self.ws.path("cold-cache")
        process = self.ws.start(*args)
        self.assertTrue(self.wait_for_staging(prefix, process), "the install never began")
        notes = os.path.join(prefix, "notes.txt")
        with open(notes, "w") as handle:
            handle.write("mine\n")
        stdout, stderr = process.communicate(timeout=120)
        self.assertTrue(os.path.isfile(notes), f"the user's file was deleted\n{stdout}\n{stderr}")
        self.assertEqual(process.returncode, EXIT_USAGE, stderr)
        self.assertIn("notes.txt", stderr)
        self.assertTrue(os.path.isfile(os.path.join(prefix, "include/thrust/version.h")), "the old prefix changed")
        self.assertNoLeftovers(prefix)

    def test_two_installs_sharing_a_store_do_not_wait_on_each_other_forever(self):
        # Each install extracts some archives while they download, holding their store locks;
        # waiting on a lock the other holds, each would wait forever (seen on 2 cores).
        mirror = self.copy_mirror()
        components = add_big_components(mirror)
        url = self.serve(mirror, "--rate", "100000")
        processes = [self.ws.start("install", "--cuda", mt.CUDA_VERSION, "--components", components, "--mirror", url,
                                   "--prefix", self.ws.path(name), "--cache", self.ws.cache, "--store", self.ws.store,
                                   "--jobs", "2", "--json")
                     for name in ("DA", "DB")]
        for process in processes:
            try:
                stdout, stderr = process.communicate(timeout=90)
            except Exception:
                for other in processes:
                    other.kill()
                raise AssertionError("two installs sharing a store waited on each other")
            self.assertEqual(process.returncode, 0, stderr)
        for name in ("DA", "DB"):
            self.assertTrue(os.path.isfile(self.ws.path(name, "lib", "libbig3.so")))

    def test_install_remove_install_race_leaves_a_whole_prefix_or_none(self):
        url = self.serve(None, "--rate", "2000000")
        prefix = self.ws.path("P")
        for round_number in range(2):
            first = self.ws.start(*self.install_args(url, prefix))
            self.wait_for_staging(prefix, first)
            remover = self.ws.start("remove", prefix, "--store", self.ws.store)
            second = self.ws.start(*self.install_args(url, prefix))
            for process in (first, remover, second):
                stdout, stderr = process.communicate(timeout=120)
                self.assertIn(process.returncode, (0, EXIT_USAGE), f"round {round_number}: {stdout}\n{stderr}")
            self.assertExit(self.ws.run("--version"), 0)
            if os.path.lexists(prefix):
                self.assertComplete(prefix)
            self.assertNoLeftovers(prefix)


class SwappedCache(InstallTestCase):
    def test_archive_swapped_in_the_cache_after_it_was_verified_is_not_installed(self):
        # Another user of a shared cache renames other bytes over cuda_cudart's verified
        # archive while libcublas still trickles in; the install must read the file it verified.
        url = self.serve()
        self.assertExit(self.ws.run("fetch", "--cuda", mt.CUDA_VERSION, "--components", "cuda_cudart", "--mirror", url,
                                    "--cache", self.ws.cache), 0)
        cudart = self.entries["cuda_cudart"]
        trojan = self.ws.path("trojan.tar.xz")
        mt.write_archive(trojan, cudart["top"], {name: b"TROJAN\n" for name in cudart["files"]}, "license\n")
        slow = self.serve(None, "--fault", self.entries["libcublas"]["url_path"] + "=trickle:0:100000")
        prefix = self.ws.path("P")
        process = self.ws.start("install", "--cuda", mt.CUDA_VERSION, "--components", "cuda_cudart,libcublas",
                                "--mirror", slow, "--prefix", prefix, "--cache", self.ws.cache, "--store", self.ws.store)
        archive = os.path.join(self.ws.cache, "archives-v1", mt.sha256_of(mt.entry_path(self.mirror, cudart)))
        time.sleep(1.0)
        shutil.copyfile(trojan, archive + ".evil")
        os.rename(archive + ".evil", archive)
        stdout, stderr = process.communicate(timeout=120)
        self.assertEqual(process.returncode, 0, stderr)
        for name in cudart["files"]:
            path = os.path.join(prefix, name)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as handle:
                    self.assertNotEqual(handle.read(), b"TROJAN\n", name)


class TamperedStore(InstallTestCase):
    def extracted(self, component):
        sha256 = mt.sha256_of(mt.entry_path(self.mirror, self.entries[component]))
        return os.path.join(self.ws.store, "extracted-v1", sha256)

    def test_file_planted_in_an_extracted_tree_never_reaches_a_prefix(self):
        url = self.serve()
        self.assertExit(self.install(url, self.ws.path("P1")), 0)
        tree = self.extracted("cuda_cudart")
        with open(os.path.join(tree, "lib", "planted.so"), "w") as handle:
            handle.write("planted\n")
        self.assertExit(self.install(url, self.ws.path("P2")), 0)
        self.assertFalse(os.path.lexists(self.ws.path("P2", "lib", "planted.so")))
        self.assertComplete(self.ws.path("P2"))

    def test_extracted_tree_replaced_by_a_symlink(self):
        url = self.serve()
        self.assertExit(self.install(url, self.ws.path("P1")), 0)
        tree = self.extracted("cuda_cudart")
        evil = self.ws.path("evil")
        shutil.copytree(tree, evil, symlinks=True)
        with open(os.path.join(evil, "lib", "planted.so"), "w") as handle:
            handle.write("planted\n")
        before = snapshot(evil)
        shutil.rmtree(tree)
        os.symlink(evil, tree)
        self.assertExit(self.install(url, self.ws.path("P2")), 0)
        self.assertFalse(os.path.lexists(self.ws.path("P2", "lib", "planted.so")))
        self.assertEqual(snapshot(evil), before, "the link's target was changed")
        self.assertFalse(os.path.islink(tree))
        self.assertComplete(self.ws.path("P2"))


if __name__ == "__main__":
    unittest.main()
