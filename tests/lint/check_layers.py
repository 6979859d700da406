#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Fails when a module includes a module above it, or a third-party header outside the one
module allowed to use it (docs/architecture.md)."""
import pathlib
import re
import sys

# module -> modules it may include (itself always allowed)
ALLOWED = {
    "util": set(),
    "core": {"util"},
    "matrix": {"util", "core"},
    "detect": {"util", "core", "matrix"},
    "resolve": {"util", "core", "matrix"},
    "fetch": {"util", "core"},
    "install": {"util", "core"},
    "specgen": {"util", "core"},
    "pyenv": {"util", "core"},
    "verify": {"util", "core"},
    "app": {"util", "core", "matrix", "detect", "resolve", "fetch", "install", "specgen", "pyenv", "verify"},
    "cli": {"util", "core", "matrix", "detect", "resolve", "fetch", "install", "specgen", "pyenv", "verify",
            "app"},
}
# third-party header prefix -> modules allowed to include it
THIRD_PARTY = {
    "CLI/": {"cli"},
    "nlohmann/": {"matrix", "fetch", "install", "pyenv", "verify", "app", "cli"},
    "openssl/": {"util"},
    "curl/": {"fetch"},
    "archive.h": {"install"},
    "archive_entry.h": {"install"},
    "lzma.h": {"install"},
    "boost/process": {"util"},
}
INCLUDE = re.compile(r'#include\s*[<"]([^>"]+)[>"]')


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".") / "src" / "envsetup"
    problems = []
    for path in sorted(root.rglob("*.[hc]pp")):
        module = path.relative_to(root).parts[0]
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = INCLUDE.search(line)
            if not match:
                continue
            header = match.group(1)
            where = f"{path}:{number}"
            if header.startswith("envsetup/"):
                target = header.split("/")[1]
                if target != module and target not in ALLOWED.get(module, set()):
                    problems.append(f"{where}: module `{module}` must not include `{header}`")
            for prefix, modules in THIRD_PARTY.items():
                if header.startswith(prefix) and module not in modules:
                    problems.append(f"{where}: `{header}` belongs in {sorted(modules)} only")
            if header.startswith("curl/") and not path.name.startswith("curl_"):
                problems.append(f"{where}: <curl/...> outside fetch/curl_*")
            if header.startswith("nlohmann/") and path.suffix == ".hpp" and path.name != "json_reader.hpp":
                problems.append(f"{where}: nlohmann/json in a public header")
    for problem in problems:
        print(problem)
    print(f"{len(problems)} layering problem(s) in {root}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
