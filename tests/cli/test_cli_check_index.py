# SPDX-License-Identifier: Apache-2.0
"""`envsetup matrix check-index`, `resolve --check-index` and `install --framework` against
package indexes on 127.0.0.1 (PEP 503 HTML, PEP 691 JSON by content negotiation, file://),
listing real wheel file names. The matrix is the shipped one with torch cut to the 2.5
release plus an aarch64 cu124 variant, so every claim the test makes is in view.
Run by CTest with ENVSETUP_BIN and ENVSETUP_SOURCE_DIR set; no internet needed."""
import contextlib
import functools
import html
import http.server
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

import wheel_index

BIN = os.environ["ENVSETUP_BIN"]
SOURCE = pathlib.Path(os.environ.get("ENVSETUP_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
PYTHONS = ["cp39", "cp310", "cp311", "cp312", "cp313"]
HOST = ["--driver", "550.54.15", "--gpu", "8.9", "--platform", "linux-x86_64", "--glibc", "2.35"]


def names(version, local, pythons, platform="manylinux2014_x86_64"):
    return [f"torch-{version}+{local}-{py}-{py}-{platform}.whl" for py in pythons]


def index_files():
    """cu118 lacks 2.5.x (a variant with no wheel), cu124 2.5.1 lacks cp313 and aarch64,
    cu121 2.5.1 needs glibc 2.28."""
    return {
        "cu118": names("2.4.1", "cu118", PYTHONS),
        "cu121": names("2.5.0", "cu121", PYTHONS) + names("2.5.1", "cu121", PYTHONS, "manylinux_2_28_x86_64"),
        "cu124": names("2.5.0", "cu124", PYTHONS) + names("2.5.1", "cu124", PYTHONS[:-1])
        + names("2.5.0", "cu124", PYTHONS, "manylinux2014_aarch64") + ["torch-2.5.1+cu124.tar.gz"],
    }


def write_html(root: pathlib.Path, files):
    for local, listed in files.items():
        folder = root / local / "torch"
        folder.mkdir(parents=True, exist_ok=True)
        links = "\n".join(f'<a href="{html.escape(n.replace("+", "%2B"))}#sha256=00">{html.escape(n)}</a><br/>'
                          for n in listed)
        (folder / "index.html").write_text(f"<!DOCTYPE html><html><body>\n{links}\n</body></html>\n")


class JsonOrHtml(http.server.SimpleHTTPRequestHandler):
    """PEP 691: JSON when the client asks for it, the HTML page otherwise."""
    files = {}
    requests = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        type(self).requests.append(self.headers.get("Accept", ""))
        parts = [p for p in self.path.split("/") if p]
        if "application/vnd.pypi.simple.v1+json" in self.headers.get("Accept", "") and len(parts) == 3:
            listed = type(self).files.get(parts[1])
            if listed is None or parts[2] != "torch":
                self.send_error(404)
                return
            body = json.dumps({"meta": {"api-version": "1.1"}, "name": "torch",
                               "files": [{"filename": n, "url": n, "hashes": {}} for n in listed]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


@contextlib.contextmanager
def serve(root, handler_class):
    handler = functools.partial(handler_class, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def small_matrix(target: pathlib.Path):
    shutil.copytree(SOURCE / "matrix", target)
    torch = json.loads((target / "torch.json").read_text())
    torch["releases"] = [r for r in torch["releases"] if r["series"] == "2.5"]
    variants = torch["releases"][0]["variants"]
    arm = json.loads(json.dumps(next(v for v in variants if v["name"] == "cu124")))
    arm["platform"] = "linux-aarch64"
    variants.append(arm)
    (target / "torch.json").write_text(json.dumps(torch, indent=1))


EXPECTED = {
    ("2.5.0", "cu118", None, None),
    ("2.5.1", "cu118", None, None),
    ("2.5.1", "cu121", None, "linux-x86_64"),
    ("2.5.1", "cu124", "3.13", "linux-x86_64"),
    ("2.5.1", "cu124", None, "linux-aarch64"),
}


class CheckIndex(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = contextlib.ExitStack()
        cls.root = pathlib.Path(cls.stack.enter_context(tempfile.TemporaryDirectory(prefix="envsetup-index-")))
        cls.matrix = cls.root / "matrix"
        small_matrix(cls.matrix)
        write_html(cls.root / "whl", index_files())
        JsonOrHtml.files = index_files()
        cls.url = cls.stack.enter_context(serve(cls.root, JsonOrHtml))

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    def run_bin(self, *args):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "ENVSETUP_MATRIX"))}
        env["no_proxy"] = "127.0.0.1,localhost"
        return subprocess.run([BIN, *args], capture_output=True, text=True, env=env, timeout=120)

    def check(self, index):
        result = self.run_bin("matrix", "check-index", "--index", index, "--framework", "torch",
                              "--matrix", str(self.matrix), "--json")
        self.assertEqual(result.returncode, 6, result.stderr)
        report = json.loads(result.stdout)
        self.assertFalse(report["ok"])
        self.assertEqual(report["checked"], 8)
        seen = {(c["version"], c["variant"], c.get("python"), c.get("platform")) for c in report["contradictions"]}
        self.assertEqual(seen, EXPECTED)
        for c in report["contradictions"]:
            self.assertEqual(c["framework"], "torch")
            self.assertTrue(c["claim"] and c["found"])
        return report

    def test_html_index_contradictions(self):
        JsonOrHtml.requests.clear()
        self.check(f"{self.url}/whl/")
        self.assertTrue(all("application/vnd.pypi.simple.v1+json" in a for a in JsonOrHtml.requests))

    def test_json_index_gives_the_same_answer(self):
        report = self.check(f"{self.url}/whl")
        self.assertEqual(len(report["pages"]), 3)

    def test_file_tree(self):
        self.check((self.root / "whl").as_uri() + "/")

    def test_text_report_and_a_clean_index(self):
        result = self.run_bin("matrix", "check-index", "--index", f"{self.url}/whl/", "--framework", "torch",
                              "--matrix", str(self.matrix))
        self.assertEqual(result.returncode, 6, result.stderr)
        self.assertIn("no cp313 wheel for linux-x86_64", result.stdout)
        self.assertIn("no wheel for aarch64", result.stdout)
        self.assertIn("glibc 2.28", result.stdout)
        clean = self.root / "clean"
        full = {local: names("2.5.0", local, PYTHONS) + names("2.5.1", local, PYTHONS)
                + names("2.5.0", local, PYTHONS, "manylinux2014_aarch64")
                + names("2.5.1", local, PYTHONS, "manylinux_2_17_aarch64") for local in ("cu118", "cu121", "cu124")}
        write_html(clean, full)
        ok = self.run_bin("matrix", "check-index", "--index", clean.as_uri(), "--framework", "torch",
                          "--matrix", str(self.matrix), "--json")
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        self.assertEqual(json.loads(ok.stdout)["contradictions"], [])

    def test_unreachable_index_and_bad_flags(self):
        down = self.run_bin("matrix", "check-index", "--index", "http://127.0.0.1:9/whl/", "--framework", "torch",
                            "--matrix", str(self.matrix))
        self.assertEqual(down.returncode, 4, down.stderr)
        self.assertIn("cannot fetch", down.stderr)
        bad = self.run_bin("matrix", "check-index", "--index", "ftp://x/", "--framework", "torch")
        self.assertEqual(bad.returncode, 2, bad.stderr)
        unknown = self.run_bin("matrix", "check-index", "--framework", "nope", "--index", f"{self.url}/whl/")
        self.assertEqual(unknown.returncode, 2, unknown.stderr)

    def test_resolve_check_index_passes_over_a_missing_wheel(self):
        base = ["resolve", "-f", "torch==2.5.1", *HOST, "--matrix", str(self.matrix), "--json"]
        plain = self.run_bin(*base, "--python", "3.13")
        self.assertEqual(plain.returncode, 0, plain.stderr)
        self.assertEqual(json.loads(plain.stdout)["variant"], "cu124")
        checked = self.run_bin(*base, "--python", "3.13", "--check-index", "--index", f"{self.url}/whl/")
        self.assertEqual(checked.returncode, 0, checked.stderr)
        outcome = json.loads(checked.stdout)
        self.assertEqual(outcome["variant"], "cu121", checked.stdout)
        self.assertIn({"candidate": "torch 2.5.1 cu124",
                       "reason": "no cp313 wheel for torch 2.5.1+cu124 on the index"}, outcome["rejected"])
        self.assertTrue(any("checked against the package index" in n for n in outcome["notes"]))
        # Python 3.12 has its wheel: cu124 stays.
        kept = self.run_bin(*base, "--python", "3.12", "--check-index", "--index", f"{self.url}/whl/")
        self.assertEqual(json.loads(kept.stdout)["variant"], "cu124", kept.stdout)
        # An index that cannot be reached leaves the plan, with a note.
        down = self.run_bin(*base, "--python", "3.13", "--check-index", "--index", "http://127.0.0.1:9/whl/")
        self.assertEqual(down.returncode, 0, down.stderr)
        notes = json.loads(down.stdout)["notes"]
        self.assertTrue(any(n.startswith("not checked against the package index") for n in notes), notes)


PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
TAG = f"cp{sys.version_info.major}{sys.version_info.minor}"


class InstallFallsBack(unittest.TestCase):
    """Real pip: the cu124 index has no wheel for this interpreter, so install takes cu121."""

    def test_install_passes_over_a_missing_wheel_before_creating_anything(self):
        if sys.platform != "linux" or os.uname().machine != "x86_64":
            self.skipTest("dummy wheels are tagged manylinux2014_x86_64")
        with tempfile.TemporaryDirectory(prefix="envsetup-index-install-") as tmp:
            root = pathlib.Path(tmp)
            wheels = root / "wheels"
            other = "cp39" if TAG != "cp39" else "cp310"
            wheel_index.write_index(root / "srv" / "whl" / "cu124", [wheel_index.build_wheel(
                wheels / "cu124", "torch", "2.5.1+cu124", tag=f"{other}-{other}-manylinux2014_x86_64")])
            wheel_index.write_index(root / "srv" / "whl" / "cu121", [wheel_index.build_wheel(
                wheels / "cu121", "torch", "2.5.1+cu121", tag=f"{TAG}-{TAG}-manylinux2014_x86_64")])
            wheel_index.write_index(root / "srv" / "pypi", [wheel_index.build_wheel(wheels / "pypi", "numpy", "2.0.0")])
            with wheel_index.serve(root / "srv") as url:
                env = {k: v for k, v in os.environ.items()
                       if not k.startswith(("PIP_", "UV_", "ENVSETUP_MATRIX")) and k != "VIRTUAL_ENV"}
                env.update({"no_proxy": "127.0.0.1,localhost", "PIP_CONFIG_FILE": os.devnull,
                            "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_CACHE_DIR": "1",
                            "PIP_INDEX_URL": f"{url}/pypi/"})
                venv = root / "venv"
                command = [BIN, "install", "--framework", "torch==2.5.1", "--venv", str(venv), "--driver",
                           "550.54.15", "--gpu", "8.9", "--python", PYTHON, "--wheel-mirror", f"{url}/whl"]
                dry = subprocess.run([*command, "--dry-run"], capture_output=True, text=True, env=env, timeout=120)
                self.assertEqual(dry.returncode, 0, dry.stderr)
                self.assertIn("torch==2.5.1+cu121", dry.stdout)
                self.assertFalse(venv.exists())
                offline = subprocess.run([*command, "--dry-run", "--offline"], capture_output=True, text=True,
                                         env=env, timeout=120)
                self.assertIn("torch==2.5.1+cu124", offline.stdout + offline.stderr)
                self.assertIn("not checked against the package index", offline.stdout + offline.stderr)
                result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
                self.assertIn("installed torch 2.5.1+cu121", result.stdout)


if __name__ == "__main__":
    unittest.main()
