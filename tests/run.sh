#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole test suite: a Release build with warnings as errors, then a Debug build with
# AddressSanitizer and UndefinedBehaviorSanitizer, each followed by every CTest test.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --workflow --preset release-test
cmake --workflow --preset asan-test
