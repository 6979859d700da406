# SPDX-License-Identifier: Apache-2.0
"""Dummy wheels and PEP 503 "simple" indexes served on 127.0.0.1, for tests that run real pip.

A dummy wheel is a real, installable wheel whose package only records its own version:
`import torch; torch.__version__ == "2.5.1+cu124"`.
"""
import base64
import contextlib
import csv
import functools
import hashlib
import html
import http.server
import io
import pathlib
import re
import threading
import zipfile


def normalize(name: str) -> str:
    """PEP 503 project name normalization."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()


def build_wheel(out_dir, name: str, version: str, requires=(), module_source: str | None = None,
                tag: str = "py3-none-any", provides_extras=(), extra_files=None) -> pathlib.Path:
    """Writes `<name>-<version>-<tag>.whl` into out_dir and returns its path. The wheel installs
    package `<name>` (an `__init__.py` with `__version__`, or `module_source`) and declares
    `requires` as Requires-Dist (markers allowed: 'jaxlib==0.4.30; extra == "cuda12"') and
    `provides_extras` as Provides-Extra. `extra_files` ({path in the wheel: bytes}) are
    installed too (a CUDA library under `<name>/lib/`, say)."""
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    dist = re.sub(r"[-.]+", "_", name)
    info = f"{dist}-{version}.dist-info"
    source = module_source if module_source is not None else f'__version__ = "{version}"\n'
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += "".join(f"Provides-Extra: {extra}\n" for extra in provides_extras)
    metadata += "".join(f"Requires-Dist: {requirement}\n" for requirement in requires)
    files = {
        f"{dist}/__init__.py": source.encode(),
        f"{info}/METADATA": metadata.encode(),
        f"{info}/WHEEL": f"Wheel-Version: 1.0\nGenerator: envsetup-tests\nRoot-Is-Purelib: true\nTag: {tag}\n".encode(),
    }
    files.update(extra_files or {})
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for path, data in files.items():
        writer.writerow([path, _record_hash(data), len(data)])
    writer.writerow([f"{info}/RECORD", "", ""])
    files[f"{info}/RECORD"] = record.getvalue().encode()
    wheel = out_dir / f"{dist}-{version}-{tag}.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return wheel


def write_index(index_dir, wheels) -> None:
    """Makes index_dir a PEP 503 simple index of `wheels` (paths): index_dir/<project>/index.html
    links to the wheel (copied to index_dir/<project>/) with its sha256, plus index_dir/index.html."""
    index_dir = pathlib.Path(index_dir)
    projects: dict[str, list[pathlib.Path]] = {}
    for wheel in map(pathlib.Path, wheels):
        projects.setdefault(normalize(wheel.name.split("-")[0]), []).append(wheel)
    for project, files in projects.items():
        folder = index_dir / project
        folder.mkdir(parents=True, exist_ok=True)
        links = []
        for wheel in files:
            data = wheel.read_bytes()
            (folder / wheel.name).write_bytes(data)
            digest = hashlib.sha256(data).hexdigest()
            href = html.escape(wheel.name.replace("+", "%2B")) + "#sha256=" + digest
            links.append(f'<a href="{href}">{html.escape(wheel.name)}</a><br/>')
        (folder / "index.html").write_text("<!DOCTYPE html><html><body>\n" + "\n".join(links) + "\n</body></html>\n")
    existing = sorted(p.name for p in index_dir.iterdir() if p.is_dir()) if index_dir.exists() else []
    index_dir.mkdir(parents=True, exist_ok=True)
    body = "\n".join(f'<a href="{name}/">{name}</a><br/>' for name in existing)
    (index_dir / "index.html").write_text("<!DOCTYPE html><html><body>\n" + body + "\n</body></html>\n")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output readable
        pass


@contextlib.contextmanager
def serve(root):
    """Serves folder `root` over HTTP on 127.0.0.1 (a free port) for the `with` block; yields
    the base URL without a trailing slash, e.g. http://127.0.0.1:41234."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
