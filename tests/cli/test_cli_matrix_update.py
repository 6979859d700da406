"""`envsetup matrix bundle` / `matrix update` / `matrix show --source` (docs/matrix-updates.md):
signed bundles served from a loopback HTTP server, throwaway keys, each refusal leaving the
installed updates byte-identical, a killed update, --offline with file://. Run by CTest with
ENVSETUP_BIN and ENVSETUP_SOURCE_DIR set.
"""

import functools
import http.server
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

BIN = os.environ["ENVSETUP_BIN"]
SOURCE = os.environ["ENVSETUP_SOURCE_DIR"]
MATRIX = os.path.join(SOURCE, "matrix")

# Throwaway Ed25519 keys made with `openssl genpkey -algorithm ed25519` for these tests only.
KEY_A = """-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIDeBMzO9ErQfZ/0zSAcD9TMFjcsDd8Z7vrcSfUEObAs4
-----END PRIVATE KEY-----
"""
PUB_A = """-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA9t4TmerezdlrcvCTlKWiBhn8k38zL51TW8ToDMj9qCY=
-----END PUBLIC KEY-----
"""
KEY_B = """-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g
-----END PRIVATE KEY-----
"""
PROXY_VARIABLES = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the bundle folder; records each path; trickles the files named in `slow`."""

    def __init__(self, *args, state, **kwargs):
        self.state = state
        super().__init__(*args, directory=state["root"], **kwargs)

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.state["requests"].append(self.path)
        name = self.path.rsplit("/", 1)[-1]
        if name in self.state["slow"]:
            with open(os.path.join(self.state["root"], self.path.lstrip("/")), "rb") as f:
                data = f.read()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            for i in range(0, len(data), 2048):
                self.wfile.write(data[i:i + 2048])
                self.wfile.flush()
                time.sleep(0.2)
            return
        super().do_GET()


class MatrixUpdate(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.keys = os.path.join(self.tmp, "keys")
        os.makedirs(self.keys)
        for name, text in (("a.pem", KEY_A), ("a.pub", PUB_A), ("b.pem", KEY_B)):
            with open(os.path.join(self.keys, name), "w") as f:
                f.write(text)
        self.served = os.path.join(self.tmp, "www")
        os.makedirs(self.served)
        self.env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES and k != "ENVSETUP_MATRIX"}
        self.env.update({"HOME": os.path.join(self.tmp, "home"), "XDG_DATA_HOME": os.path.join(self.tmp, "data"),
                         "XDG_CONFIG_HOME": os.path.join(self.tmp, "config"), "ENVSETUP_TEST_FAST_RETRY": "1",
                         "no_proxy": "127.0.0.1,localhost"})
        self.store = os.path.join(self.tmp, "data", "envsetup", "matrix-updates")
        self.state = {"root": self.served, "requests": [], "slow": set()}
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, state=self.state))
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        self.url = "http://127.0.0.1:%d/" % self.server.server_address[1]

    def run_envsetup(self, *args, timeout=60):
        return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout, env=self.env)

    def bundle(self, name, generated, key="a.pem", directory=MATRIX):
        out = os.path.join(self.served, name)
        result = self.run_envsetup("matrix", "bundle", directory, "--key", os.path.join(self.keys, key),
                                   "-o", out, "--generated", generated, "--json")
        self.assertEqual(result.returncode, 0, result.stderr)
        return out

    def update(self, name, *extra):
        return self.run_envsetup("matrix", "update", "--from", self.url + name + "/",
                                 "--key", os.path.join(self.keys, "a.pub"), *extra)

    def snapshot(self):
        files = {}
        for root, dirs, names in os.walk(self.store):
            for name in names + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    files[os.path.relpath(path, self.store)] = f.read()
            for d in dirs:
                files[os.path.relpath(os.path.join(root, d), self.store) + "/"] = b""
        return files

    def source(self):
        result = self.run_envsetup("matrix", "show", "--source", "--json")
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)

    def install_first(self):
        self.bundle("v1", "2026-12-20T00:00:00Z")
        result = self.update("v1")
        self.assertEqual(result.returncode, 0, result.stderr)
        return self.snapshot()

    def resign(self, folder, manifest):
        """Writes `manifest` and signs it with key A through the openssl CLI (skips without it)."""
        if shutil.which("openssl") is None:
            self.skipTest("openssl CLI not found")
        path = os.path.join(folder, "manifest.json")
        with open(path, "w") as f:
            json.dump(manifest, f, indent=2)
        subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", os.path.join(self.keys, "a.pem"), "-rawin",
                        "-in", path, "-out", path + ".sig"], check=True, capture_output=True)

    def assert_refused(self, result, exit_code, text, before):
        self.assertEqual(result.returncode, exit_code, result.stdout + result.stderr)
        self.assertIn(text, result.stderr)
        self.assertIn("hint:", result.stderr)
        self.assertEqual(self.snapshot(), before, "a refusal changed the installed updates")

    def test_update_accepted_then_named_everywhere(self):
        self.assertEqual(self.source()["source"], "embedded")
        self.install_first()
        source = self.source()
        self.assertEqual(source["source"], "update")
        self.assertEqual(source["generated"], "2026-12-20T00:00:00Z")
        self.assertTrue(source["path"].startswith(self.store))
        with open(os.path.join(self.served, "v1", "manifest.json"), "rb") as f:
            import hashlib
            self.assertEqual(source["sha256"], hashlib.sha256(f.read()).hexdigest())
        text = self.run_envsetup("matrix", "show", "--source")
        self.assertIn("source     update " + source["path"], text.stdout)
        resolved = self.run_envsetup("resolve", "-f", "torch==2.5.1", "--driver", "550.54.15", "--gpu", "8.9",
                                     "--python", "3.11", "--json")
        self.assertEqual(resolved.returncode, 0, resolved.stderr)
        self.assertEqual(json.loads(resolved.stdout)["matrix"],
                         {"source": "update", "path": source["path"], "generated": "2026-12-20T00:00:00Z",
                          "sha256": source["sha256"]})

    def test_same_bundle_again_is_up_to_date_without_downloading_files(self):
        before = self.install_first()
        self.state["requests"].clear()
        result = self.update("v1")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("already up to date", result.stdout)
        self.assertEqual(sorted(self.state["requests"]), ["/v1/manifest.json", "/v1/manifest.json.sig"])
        self.assertEqual(self.snapshot(), before)

    def test_tampered_file_is_refused(self):
        before = self.install_first()
        out = self.bundle("v2", "2026-12-21T00:00:00Z")
        with open(os.path.join(out, "cuda.json"), "a") as f:
            f.write(" ")
        self.assert_refused(self.update("v2"), 5, "`cuda.json` differs from the signed manifest", before)

    def test_tampered_signature_is_refused(self):
        before = self.install_first()
        out = self.bundle("v2", "2026-12-21T00:00:00Z")
        with open(os.path.join(out, "manifest.json.sig"), "r+b") as f:
            data = bytearray(f.read())
            data[5] ^= 1
            f.seek(0)
            f.write(data)
        self.assert_refused(self.update("v2"), 5, "bad signature", before)

    def test_tampered_manifest_is_refused(self):
        before = self.install_first()
        out = self.bundle("v2", "2026-12-21T00:00:00Z")
        path = os.path.join(out, "manifest.json")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("2026-12-21", "2026-12-29"))
        self.assert_refused(self.update("v2"), 5, "bad signature", before)

    def test_wrong_key_is_refused(self):
        before = self.install_first()
        self.bundle("v2", "2026-12-21T00:00:00Z", key="b.pem")
        self.assert_refused(self.update("v2"), 5, "unknown key", before)

    def test_rollback_is_refused(self):
        before = self.install_first()
        self.bundle("old", "2026-12-10T00:00:00Z")
        self.assert_refused(self.update("old"), 5, "refusing to roll the matrix back", before)
        # older than the embedded matrix, with nothing installed
        shutil.rmtree(self.store)
        self.bundle("older", "2020-01-01T00:00:00Z")
        result = self.update("older")
        self.assertEqual(result.returncode, 5, result.stderr)
        self.assertIn("the matrix in effect (embedded)", result.stderr)
        self.assertEqual(self.source()["source"], "embedded")

    def test_schema_too_new_is_refused(self):
        before = self.install_first()
        out = self.bundle("v2", "2026-12-21T00:00:00Z")
        with open(os.path.join(out, "manifest.json")) as f:
            manifest = json.load(f)
        manifest["schema_version"] = 3
        self.resign(out, manifest)
        self.assert_refused(self.update("v2"), 7, "newer than this envsetup reads", before)

    def test_bad_json_is_refused(self):
        before = self.install_first()
        out = self.bundle("v2", "2026-12-21T00:00:00Z")
        with open(os.path.join(out, "manifest.json")) as f:
            manifest = json.load(f)
        with open(os.path.join(out, "torch.json"), "w") as f:
            f.write("{ not json")
        import hashlib
        manifest["files"]["torch.json"] = {"sha256": hashlib.sha256(b"{ not json").hexdigest(), "size": 10}
        self.resign(out, manifest)
        self.assert_refused(self.update("v2"), 7, "is invalid", before)
        with open(os.path.join(out, "manifest.json"), "w") as f:
            f.write("{ not json")
        self.assert_refused(self.update("v2"), 7, "not a matrix bundle manifest", before)

    def test_killed_update_leaves_the_previous_matrix(self):
        before = self.install_first()
        self.bundle("v2", "2026-12-21T00:00:00Z")
        self.state["slow"] = {"torch.json"}
        process = subprocess.Popen([BIN, "matrix", "update", "--from", self.url + "v2/", "--key",
                                    os.path.join(self.keys, "a.pub")], env=self.env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.time() + 30
        while "/v2/torch.json" not in self.state["requests"] and time.time() < deadline:
            time.sleep(0.05)
        self.assertIn("/v2/torch.json", self.state["requests"])
        time.sleep(0.3)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(self.source()["generated"], "2026-12-20T00:00:00Z")
        self.state["slow"] = set()
        result = self.update("v2")  # the lock a killed update held is free again
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.source()["generated"], "2026-12-21T00:00:00Z")

    def test_offline_reads_file_urls_only(self):
        out = self.bundle("v1", "2026-12-20T00:00:00Z")
        result = self.run_envsetup("matrix", "update", "--offline", "--from", self.url + "v1/")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("--offline reads matrix bundles from file:// URLs only", result.stderr)
        os.makedirs(os.path.join(self.tmp, "config", "envsetup", "keys"))
        shutil.copy(os.path.join(self.keys, "a.pub"), os.path.join(self.tmp, "config", "envsetup", "keys", "lab.pem"))
        result = self.run_envsetup("matrix", "update", "--offline", "--from", "file://" + out, "--json")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(json.loads(result.stdout)["installed"])
        self.assertEqual(self.source()["source"], "update")

    def test_old_matrix_adds_a_plan_note(self):
        self.env["ENVSETUP_MATRIX_MAX_AGE_DAYS"] = "120"
        out = self.bundle("old", "2020-01-02T00:00:00Z")
        result = self.run_envsetup("resolve", "-f", "torch==2.5.1", "--driver", "550.54.15", "--gpu", "8.9",
                                   "--python", "3.11", "--matrix", out)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("the matrix is from 2020-01-02; newer releases may exist: envsetup matrix update",
                      result.stdout)
        source = self.run_envsetup("matrix", "show", "--source", "--matrix", out)
        self.assertIn("source     directory " + out, source.stdout)
        self.assertIn("generated  2020-01-02T00:00:00Z", source.stdout)
        # A matrix younger than the limit, and a limit of 0 (never), give no note.
        self.env["ENVSETUP_MATRIX_MAX_AGE_DAYS"] = "100000"
        fresh = self.run_envsetup("resolve", "-f", "torch==2.5.1", "--driver", "550.54.15", "--gpu", "8.9",
                                  "--python", "3.11", "--matrix", out)
        self.assertNotIn("the matrix is from", fresh.stdout)
        self.env["ENVSETUP_MATRIX_MAX_AGE_DAYS"] = "0"
        never = self.run_envsetup("resolve", "-f", "torch==2.5.1", "--driver", "550.54.15", "--gpu", "8.9",
                                  "--python", "3.11", "--matrix", out)
        self.assertNotIn("the matrix is from", never.stdout)
        self.env["ENVSETUP_MATRIX_MAX_AGE_DAYS"] = "soon"
        self.assertEqual(self.run_envsetup("matrix", "show", "--source").returncode, 2)


if __name__ == "__main__":
    unittest.main()
