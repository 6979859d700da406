#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Summarizes a folder of per-host envsetup results, one line per host, failures first.

    envsetup_fleet_summary.py DIR [--expect N] [--json]

DIR holds one `<host>.json` per host: either the raw output of `envsetup verify --json` (the
Slurm job of docs/fleet.md) or the result the Ansible role writes with envsetup_report_dir
({"host", "ok", "failed_step", "install", "verify", ...}). A file that is not such JSON counts
as a failed host. `--expect N`: fewer than N files is a failure too (a node that never ran).
Exit 0 when every host passed, 1 otherwise, 2 for a bad command line.
"""
import argparse
import json
import pathlib
import sys


def host_result(path):
    """(host, ok, reason) for one result file."""
    host = path.stem
    try:
        document = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as error:
        return host, False, f"unreadable result: {error}"
    if not isinstance(document, dict):
        return host, False, "unreadable result: not a JSON object"
    if "verify" in document or "install" in document:  # the Ansible role's result
        host = str(document.get("host") or host)
        install = document.get("install") or {}
        if install and not install.get("ok", False):
            return host, False, "install: " + error_text(install)
        verify = document.get("verify")
        if verify is None:
            if document.get("ok"):
                return host, True, "installed; verify switched off" if install else "ok"
            return host, False, f"failed at: {document.get('failed_step') or 'unknown step'}"
        document = verify
    if "error" in document:
        return host, False, "verify: " + error_text(document)
    failed = [c for c in document.get("checks", []) if c.get("status") == "fail"]
    if failed or not document.get("ok", False):
        return host, False, "; ".join(f"{c.get('name')}: {c.get('detail')}" for c in failed) or "not ok"
    passed = sum(1 for c in document.get("checks", []) if c.get("status") == "pass")
    return host, True, f"{passed} check(s) passed"


def error_text(document):
    error = document.get("error") or {}
    return str(error.get("message") or "failed")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=pathlib.Path)
    parser.add_argument("--expect", type=int, default=0, help="the number of hosts that must have a result")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        parser.error(f"{args.folder} is not a folder")
    results = [host_result(path) for path in sorted(args.folder.glob("*.json"))]
    missing = max(0, args.expect - len(results))
    failed = [r for r in results if not r[1]]
    if args.json:
        print(json.dumps({"ok": not failed and not missing, "hosts": len(results), "failed": len(failed),
                          "missing": missing,
                          "results": [{"host": h, "ok": ok, "detail": d} for h, ok, d in results]}, indent=2))
    else:
        width = max([len(h) for h, _, _ in results] + [4])
        for host, ok, detail in sorted(results, key=lambda r: (r[1], r[0])):
            print(f"{'ok  ' if ok else 'FAIL'}  {host:<{width}}  {detail}")
        print(f"{len(results) - len(failed)} of {len(results)} host(s) passed"
              + (f"; {missing} expected host(s) have no result" if missing else ""))
    return 0 if not failed and not missing else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
