# SPDX-License-Identifier: Apache-2.0
"""The download cache and `envsetup mirror` under attack (issue 13): links and planted bytes
in the cache, a cache that cannot hold locks, `cache clean` racing a run that still needs its
archives, overflowing durations, a trickling mirror and manifests naming unsafe paths.

Each test is named after the attack it holds off. Run by CTest with ENVSETUP_BIN,
ENVSETUP_TEST_SERVER and ENVSETUP_SOURCE_DIR set.
"""
import fcntl
import json
import os
import shutil
import time

import mirror_tools as mt
from test_cli_fetch import RUNTIME, FetchTestCase


class CacheSafety(FetchTestCase):
    def cublas(self):
        entry = self.entries["libcublas"]
        path = mt.entry_path(self.mirror, entry)
        return entry, mt.sha256_of(path), os.path.getsize(path)

    def cache_file(self, *parts):
        return os.path.join(self.ws.cache, *parts)

    def archives_of(self, result):
        return {a["component"]: a for a in mt.json_lines(result.stdout)[-1]["archives"]}

    def test_part_file_symlink_is_not_followed(self):
        entry, sha256, _ = self.cublas()
        canary = self.ws.path("canary")
        with open(canary, "wb") as handle:
            handle.write(b"canary: must never change\n")
        os.makedirs(self.cache_file("partial-v1"))
        os.symlink(canary, self.cache_file("partial-v1", sha256 + ".part"))
        result = self.fetch(self.serve(), "--json")
        self.assertExit(result, 0)
        with open(canary, "rb") as handle:
            self.assertEqual(handle.read(), b"canary: must never change\n")
        self.assertFalse(self.archives_of(result)["libcublas"]["resumed"])
        self.assertCacheHolds(RUNTIME)

    def test_symlinked_archive_in_the_cache_is_not_trusted(self):
        self.assertExit(self.fetch(self.serve()), 0)
        entry, sha256, _ = self.cublas()
        archive = self.cache_file("archives-v1", sha256)
        outside = self.ws.path("outside-copy")
        shutil.copyfile(archive, outside)  # even the right bytes: a link is never the archive
        os.remove(archive)
        os.symlink(outside, archive)
        result = self.fetch(self.serve(), "--json")
        self.assertExit(result, 0)
        self.assertFalse(self.archives_of(result)["libcublas"]["from_cache"])
        self.assertFalse(os.path.islink(archive))
        self.assertEqual(mt.sha256_of(outside), sha256)
        self.assertCacheHolds(RUNTIME)

    def plant_same_size_bytes(self, keep_record):
        self.assertExit(self.fetch(self.serve()), 0)
        entry, sha256, size = self.cublas()
        archive = self.cache_file("archives-v1", sha256)
        before = os.stat(archive)
        with open(archive, "r+b") as handle:  # same inode, same size, other bytes
            handle.write(b"\0" * 4096)
        os.utime(archive, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the old mtime
        if not keep_record:
            os.remove(archive + ".json")
        self.assertEqual(os.path.getsize(archive), size)
        result = self.fetch(self.serve(), "--json")
        self.assertExit(result, 0)
        self.assertFalse(self.archives_of(result)["libcublas"]["from_cache"])
        self.assertEqual(mt.sha256_of(archive), sha256)
        self.assertCacheHolds(RUNTIME)

    def test_same_size_bytes_planted_under_the_record_are_rehashed_and_replaced(self):
        self.plant_same_size_bytes(keep_record=True)

    def test_same_size_bytes_planted_with_the_record_removed_are_rehashed_and_replaced(self):
        self.plant_same_size_bytes(keep_record=False)

    def test_legacy_cache_entry_without_identity_is_rehashed_and_recorded(self):
        self.assertExit(self.fetch(self.serve()), 0)
        entry, sha256, size = self.cublas()
        record = self.cache_file("archives-v1", sha256 + ".json")
        with open(record, "w") as handle:  # what older envsetup versions wrote
            json.dump({"name": entry["name"], "url": "http://old", "size": size}, handle)
        result = self.fetch(None, "--offline", "--json")
        self.assertExit(result, 0)
        self.assertTrue(self.archives_of(result)["libcublas"]["from_cache"])
        with open(record) as handle:
            document = json.load(handle)
        self.assertEqual(document["sha256"], sha256)
        self.assertEqual(document["identity"]["st_ino"], os.stat(record[:-5]).st_ino)

    def test_mirror_hard_link_does_not_alias_the_cache(self):
        out = self.ws.path("out")
        result = self.ws.run("mirror", out, "--mirror", self.serve(), "--cuda", "12.4", "--cudnn",
                             mt.CUDNN_VERSION, "--components", "runtime", "--cache", self.ws.cache)
        self.assertExit(result, 0)
        entry, sha256, _ = self.cublas()
        written = os.path.join(out, "cuda", "redist", entry["relative_path"])
        archive = self.cache_file("archives-v1", sha256)
        self.assertNotEqual(os.stat(written).st_ino, os.stat(archive).st_ino)
        self.assertEqual(os.stat(archive).st_nlink, 1)
        with open(written, "r+b") as handle:  # the user edits the mirror in place
            handle.write(b"edited")
        self.assertEqual(mt.sha256_of(archive), sha256)
        verify = self.ws.run("cache", "verify", "--cache", self.ws.cache)
        self.assertExit(verify, 0)
        self.assertIn("every archive matches its sha256", verify.stdout)

    def test_cache_that_is_a_file_fails_at_once_instead_of_waiting(self):
        not_a_folder = self.ws.path("cache-file")
        with open(not_a_folder, "w") as handle:
            handle.write("a file, not a folder\n")
        started = time.monotonic()
        result = self.fetch(self.serve(), cache=not_a_folder, timeout=30)
        self.assertExit(result, 1)
        self.assertLess(time.monotonic() - started, 20)
        self.assertIn("cache", result.stderr)
        self.assertIn("hint:", result.stderr)
        self.assertExit(self.ws.run("cache", "clean", "--cache", not_a_folder, timeout=30), 1)

    def test_locks_folder_that_is_a_file_fails_at_once_instead_of_waiting(self):
        os.makedirs(self.ws.cache)
        with open(self.cache_file("locks-v1"), "w") as handle:
            handle.write("not a folder\n")
        result = self.fetch(self.serve(), timeout=30)
        self.assertExit(result, 1)
        self.assertIn("locks-v1", result.stderr)
        self.assertIn("hint:", result.stderr)

    def test_lock_file_that_cannot_be_created_fails_at_once_instead_of_waiting(self):
        entry, sha256, _ = self.cublas()
        os.makedirs(self.cache_file("locks-v1", sha256 + ".lock"))  # a folder where the lock file goes
        result = self.fetch(self.serve(), timeout=30)
        self.assertExit(result, 1)
        self.assertIn("lock", result.stderr)
        self.assertIn(entry["name"], result.stderr)

    def test_cache_clean_skips_an_archive_a_running_install_has_pinned(self):
        self.assertExit(self.fetch(self.serve()), 0)
        entry, sha256, _ = self.cublas()
        archive = self.cache_file("archives-v1", sha256)
        # Another process holds the pin (the shared lock) an install keeps until it extracted.
        with open(self.cache_file("locks-v1", sha256 + ".pin"), "a+") as pin:
            fcntl.flock(pin, fcntl.LOCK_SH)
            result = self.ws.run("cache", "clean", "--cache", self.ws.cache, timeout=30)
            self.assertExit(result, 0)
            self.assertIn("in use", result.stderr)
            self.assertIn(entry["name"], result.stderr)
            self.assertTrue(os.path.exists(archive))
            self.assertEqual(mt.sha256_of(archive), sha256)
            verify = self.ws.run("cache", "verify", "--cache", self.ws.cache, timeout=30)
            self.assertExit(verify, 0)
            self.assertIn(entry["name"], verify.stderr)
        self.assertExit(self.ws.run("cache", "clean", "--cache", self.ws.cache), 0)
        self.assertFalse(os.path.exists(archive))

    def test_cache_clean_during_a_slow_run_keeps_the_archives_it_verified(self):
        # cudnn and cudart arrive at once; libcublas (300 kB) trickles in at 100 kB/s.
        url = self.serve(None, "--fault", self.entries["libcublas"]["url_path"] + "=trickle:0:100000")
        process = self.ws.start("fetch", "--cuda", "12.4", "--cudnn", mt.CUDNN_VERSION, "--components", "runtime",
                                "--mirror", url, "--cache", self.ws.cache)
        cudnn = self.cache_file("archives-v1", mt.sha256_of(mt.entry_path(self.mirror, self.entries["cudnn"])))
        deadline = time.monotonic() + 30
        while not os.path.exists(cudnn) and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        self.assertTrue(os.path.exists(cudnn))
        clean = self.ws.run("cache", "clean", "--cache", self.ws.cache, timeout=30)
        stdout, stderr = process.communicate(timeout=60)
        self.assertEqual(process.returncode, 0, stderr)
        self.assertExit(clean, 0)
        self.assertIn("in use", clean.stderr)
        self.assertCacheHolds(RUNTIME)

    def test_older_than_overflow_is_a_usage_error_and_deletes_nothing(self):
        self.assertExit(self.fetch(self.serve()), 0)
        for value in ("99999999999999999d", "9223372036854775807h", "40000d", "1e9d", "-1d", "d", "12x", " 1d"):
            result = self.ws.run("cache", "clean", "--older-than", value, "--cache", self.ws.cache)
            self.assertExit(result, 2, value)
            self.assertIn("--older-than", result.stderr)
        self.assertEqual(set(self.cached()), self.names(RUNTIME))
        kept = self.ws.run("cache", "clean", "--older-than", "36500d", "--cache", self.ws.cache)
        self.assertExit(kept, 0)
        self.assertEqual(set(self.cached()), self.names(RUNTIME))

    def test_trickling_mirror_fails_within_seconds_naming_the_stall(self):
        url = self.serve(None, "--fault", self.entries["libcublas"]["url_path"] + "=trickle:1000:20")
        started = time.monotonic()
        result = self.fetch(url, timeout=90)
        self.assertExit(result, 4)
        self.assertLess(time.monotonic() - started, 60)
        self.assertIn("stalled", result.stderr)
        self.assertIn(self.entries["libcublas"]["name"], result.stderr)

    def test_manifest_component_key_with_a_path_is_refused(self):
        for key in ("../../../etc", "a/b", ".hidden", "-rf", "x\ny"):
            mirror = self.copy_mirror("mirror-" + str(abs(hash(key))))
            path = mt.manifest_path(mirror, "cuda")
            with open(path) as handle:
                manifest = json.load(handle)
            manifest[key] = manifest["libcublas"]
            with open(path, "w") as handle:
                json.dump(manifest, handle)
            result = self.fetch(self.serve(mirror))
            self.assertExit(result, 5, key)
            self.assertIn("unsafe component key", result.stderr)
            self.assertNotIn("\n", result.stderr.split("unsafe component key", 1)[1].split("`")[1])
            self.assertEqual(self.cached(), {})

