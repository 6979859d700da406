# SPDX-License-Identifier: Apache-2.0
"""Runs command-line test classes for CTest, so that a skip shows as a skip.

    cli_test_runner.py --list MODULE...   prints MODULE.Class for every test class defined in
                                          the modules (configure time: no binary, no network)
    cli_test_runner.py MODULE.Class...    runs them (unittest, verbose); prints one
                                          `SKIPPED <test>: <reason>` line per skipped case;
                                          exits 0 when all passed, 1 on a failure, and
                                          SKIP_EXIT_CODE when every case it ran was skipped

tests/CMakeLists.txt registers each class as a CTest test with SKIP_RETURN_CODE SKIP_EXIT_CODE.
"""
import importlib
import inspect
import os
import sys
import unittest

SKIP_EXIT_CODE = 77

# What the modules read at import; listing runs nothing, so placeholders do.
_LISTING_ENVIRONMENT = ("ENVSETUP_BIN", "ENVSETUP_TEST_SERVER", "ENVSETUP_SOURCE_DIR", "ENVSETUP_FAKE_CUDA")


def test_classes(module_name):
    """Names of the TestCase classes defined in `module_name` that hold at least one test."""
    module = importlib.import_module(module_name)
    loader = unittest.TestLoader()
    names = []
    for name, value in vars(module).items():
        if (inspect.isclass(value) and issubclass(value, unittest.TestCase) and value.__module__ == module_name
                and loader.getTestCaseNames(value)):
            names.append(f"{module_name}.{name}")
    return names


class _Recording(unittest.TextTestResult):
    """Remembers the id of every test started, to tell "all skipped" from "some skipped"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.started = set()

    def startTest(self, test):
        self.started.add(test.id())
        super().startTest(test)


def run(names):
    suite = unittest.TestLoader().loadTestsFromNames(names)
    runner = unittest.TextTestRunner(verbosity=2, resultclass=_Recording, stream=sys.stdout)
    result = runner.run(suite)
    whole = set()  # tests (or classes, when setUpClass skipped) skipped as a whole
    for test, reason in result.skipped:
        print(f"SKIPPED {test.id()}: {reason}")
        if not isinstance(test, unittest.case._SubTest):
            whole.add(test.id())
    sys.stdout.flush()
    if not result.wasSuccessful():
        return 1
    if result.skipped and result.started <= whole:
        print(f"every case of {' '.join(names)} was skipped")
        return SKIP_EXIT_CODE
    return 0


def main(argv):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    if argv[:1] == ["--list"]:
        for variable in _LISTING_ENVIRONMENT:
            os.environ.setdefault(variable, "/nonexistent")
        for module_name in argv[1:]:
            for name in test_classes(module_name):
                print(name)
        return 0
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    # Plans carry a note when the matrix is older than 120 days; the built-in matrix ages with
    # the calendar, so outputs compared with goldens would change by themselves. Tests of the
    # note set the variable themselves.
    os.environ.setdefault("ENVSETUP_MATRIX_MAX_AGE_DAYS", "0")
    return run(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
