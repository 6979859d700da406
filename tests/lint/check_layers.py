#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Fails when a module includes a module above it, or a third-party header (or the dlopen API)
escapes the files allowed to use it (docs/architecture.md, "Third-party libraries in one
place"). A project header that includes a third-party header, directly or through other project
headers, exposes it: including that header counts as including the third-party one.

Usage: check_layers.py [SOURCE_ROOT]   (checks SOURCE_ROOT/src/envsetup; tests are not checked)
Self-test: tests/lint/test_check_layers.py."""
import fnmatch
import pathlib
import re
import sys
from dataclasses import dataclass

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
    "binary": {"util", "core"},
    "lock": {"util", "core"},
    "config": {"util"},
    "pyindex": {"util", "core", "matrix"},
    "app": {"util", "core", "config", "binary", "lock", "matrix", "pyindex", "detect", "resolve", "fetch", "install", "specgen", "pyenv", "verify"},
    "cli": {"util", "core", "config", "binary", "lock", "matrix", "pyindex", "detect", "resolve", "fetch", "install", "specgen", "pyenv", "verify",
            "app"},
}


@dataclass(frozen=True)
class ThirdParty:
    name: str
    headers: tuple  # "dir/" matches every header under dir/; any other entry, that header or dir
    files: tuple  # globs, relative to src/envsetup, of the files allowed to include them

    def owns(self, header: str) -> bool:
        return any(header.startswith(h) if h.endswith("/") else header == h or header.startswith(h + "/")
                   or header.startswith(h + ".") for h in self.headers)

    def allows(self, relative: str) -> bool:
        return any(fnmatch.fnmatchcase(relative, pattern) for pattern in self.files)


THIRD_PARTY = (
    ThirdParty("CLI11", ("CLI/",), ("cli/*",)),
    # .cpp files only: never in a public header (json_reader.hpp is matrix's typed reader)
    ThirdParty("nlohmann/json", ("nlohmann/",),
               ("matrix/*.cpp", "matrix/json_reader.hpp", "fetch/*.cpp", "install/*.cpp", "pyenv/*.cpp",
                "verify/*.cpp", "pyindex/*.cpp", "app/*.cpp", "cli/*.cpp")),
    ThirdParty("OpenSSL", ("openssl/",), ("util/sha256.cpp", "util/signature.cpp")),
    ThirdParty("libcurl", ("curl/",), ("fetch/curl_*.cpp", "fetch/curl_*.hpp")),
    ThirdParty("libarchive", ("archive.h", "archive_entry.h"), ("install/extract.cpp", "install/wheel_reader.cpp")),
    ThirdParty("liblzma", ("lzma.h", "lzma/"),
               ("install/xz_decoder.cpp", "install/decode_pool.cpp", "install/decode_pool_state.hpp",
                "install/archive_stream.cpp")),
    ThirdParty("toml++", ("toml++/",), ("util/toml_reader.cpp",)),
    ThirdParty("Boost.Process", ("boost/process",), ("util/process.cpp",)),
    ThirdParty("dlopen", ("dlfcn.h",), ("util/dl_handle.cpp",)),
)
# The dlopen API declared by hand (without <dlfcn.h>) is still the dlopen API.
DL_CALL = re.compile(r"\bdl(open|mopen|sym|vsym|close|error|info|addr)\s*\(")
DL_OWNER = next(rule for rule in THIRD_PARTY if rule.name == "dlopen")
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')


def code_of(line: str) -> str:
    """The line without its // comment and string literals (good enough for this check)."""
    line = re.sub(r'"(\\.|[^"\\])*"', '""', line)
    return line.split("//", 1)[0]


def read_includes(root: pathlib.Path):
    """relative path -> [(line number, header)] for every source file under root."""
    includes = {}
    calls = {}
    for path in sorted(root.rglob("*.[hc]pp")):
        relative = path.relative_to(root).as_posix()
        includes[relative] = []
        calls[relative] = []
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            match = INCLUDE.match(line)
            if match:
                includes[relative].append((number, match.group(1)))
            elif DL_CALL.search(code_of(line)):
                calls[relative].append(number)
    return includes, calls


def exposed_by(includes) -> dict:
    """project header (as included: envsetup/...) -> {rule name: chain} of third-party libraries
    it exposes, followed through project headers."""
    exposed = {}

    def visit(relative: str, seen: frozenset) -> dict:
        key = "envsetup/" + relative
        if key in exposed:
            return exposed[key]
        found = {}
        for _, header in includes.get(relative, []):
            for rule in THIRD_PARTY:
                if rule.owns(header):
                    found.setdefault(rule.name, f"<{header}>")
            if header.startswith("envsetup/"):
                inner = header[len("envsetup/"):]
                if inner in includes and inner not in seen:
                    for name, chain in visit(inner, seen | {inner}).items():
                        found.setdefault(name, f"`{header}` -> {chain}")
        exposed[key] = found
        return found

    for relative in includes:
        if relative.endswith(".hpp"):
            visit(relative, frozenset({relative}))
    return exposed


def find_problems(source_root: pathlib.Path) -> list:
    root = source_root / "src" / "envsetup"
    includes, calls = read_includes(root)
    exposed = exposed_by(includes)
    rules = {rule.name: rule for rule in THIRD_PARTY}
    problems = []
    for relative, lines in includes.items():
        module = relative.split("/")[0]
        for number, header in lines:
            where = f"{root / relative}:{number}"
            if header.startswith("envsetup/"):
                target = header.split("/")[1]
                if target != module and target not in ALLOWED.get(module, set()):
                    problems.append(f"{where}: module `{module}` must not include `{header}`")
                for name, chain in exposed.get(header, {}).items():
                    if not rules[name].allows(relative):
                        problems.append(f"{where}: `{header}` exposes {name} ({chain}); "
                                        f"{name} belongs in {list(rules[name].files)} only")
            for rule in THIRD_PARTY:
                if rule.owns(header) and not rule.allows(relative):
                    problems.append(f"{where}: <{header}> ({rule.name}) belongs in {list(rule.files)} only")
        for number in calls[relative]:
            if not DL_OWNER.allows(relative):
                problems.append(f"{root / relative}:{number}: the dlopen API is used outside "
                                f"{list(DL_OWNER.files)} (load libraries with util::DlHandle)")
    return problems


def main(argv) -> int:
    source_root = pathlib.Path(argv[1] if len(argv) > 1 else ".")
    if not (source_root / "src" / "envsetup").is_dir():
        print(f"no src/envsetup under {source_root}")
        return 2
    problems = find_problems(source_root)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} layering problem(s) in {source_root / 'src' / 'envsetup'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
