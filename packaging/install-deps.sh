#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs everything needed to build, test and benchmark envsetup on Debian 12 (run as root).
# This is the one list of build dependencies: add new ones here.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config
  # libraries envsetup links
  libcurl4-openssl-dev libarchive-dev liblzma-dev nlohmann-json3-dev libcli11-dev libboost-dev xz-utils
  libboost-filesystem-dev libssl-dev libtomlplusplus-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev libcpp-httplib-dev python3 python3-venv python3-yaml hyperfine
  # the Debian package (cpack: dpkg-shlibdeps, file) and its test (lintian)
  dpkg-dev file lintian
  # the man pages' test (groff -ww, man -l) and the completion scripts' tests (bash, zsh, fish)
  groff-base man-db bash zsh fish
  # the Ansible role's test (tests/cli/test_cli_ansible.py runs ansible-playbook)
  ansible
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages are installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: error: missing packages: ${missing[*]}" >&2
  echo "  hint: run this script as root (or with sudo)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
