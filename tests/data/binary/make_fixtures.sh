#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the CUDA binary fixtures that tests/unit/test_binary_*.cpp read, with nvcc 13.0.
# Usage: make_fixtures.sh [OUTPUT_DIR [FILE...]]   (default: the folder of this script, every file)
# The committed outputs let the tests run without a toolkit; the tests also call this script
# into a temporary folder when nvcc is present and compare what they read from both builds.
# Exits 77 (and says so) when nvcc is absent.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
shift || true
only=" $* "
# Whether to build fixture $1 (all when no FILE was named).
want() { [[ $only == "  " || $only == *" $1 "* ]]; }
nvcc=${NVCC:-/usr/local/cuda-13.0/bin/nvcc}
if [[ ! -x $nvcc ]]; then
  echo "make_fixtures.sh: $nvcc not found; skipping (set NVCC to another nvcc 13.0)" >&2
  exit 77
fi
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One tiny kernel; its host stub needs no CUDA runtime to link into a shared library.
cat >"$work/k.cu" <<'CU'
__global__ void add(float* a, const float* b, int n)
{
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) a[i] += b[i];
}
extern "C" void launch(float* a, const float* b, int n) { add<<<(n + 255) / 256, 256>>>(a, b, n); }
CU

# Shared libraries: stripped, no separate code segment, to keep them small.
lib() {
  local name=$1
  shift
  want "$name" || return 0
  "$nvcc" -Xcompiler -fPIC -shared -cudart=none -Xlinker -s -Xlinker -z,noseparate-code "$@" \
    "$work/k.cu" -o "$out/$name"
}

lib sass_sm80.so -gencode arch=compute_80,code=sm_80
lib ptx_compute80.so -gencode arch=compute_80,code=compute_80
lib both_80.so -gencode arch=compute_80,code=[sm_80,compute_80]
lib multi.so -gencode arch=compute_75,code=sm_75 -gencode arch=compute_80,code=sm_80 \
  -gencode arch=compute_90,code=[sm_90,compute_90]
lib sm90a.so -gencode arch=compute_90a,code=sm_90a
lib ptx_compute90a.so -gencode arch=compute_90a,code=compute_90a
lib sm100f.so -gencode arch=compute_100f,code=sm_100f
lib zstd_sm80.so -gencode arch=compute_80,code=sm_80 -Xfatbin=-compress-all
lib lz4_sm80.so -gencode arch=compute_80,code=sm_80 -Xfatbin=-compress-mode=speed -Xfatbin=-compress-all
lib debug_sm80.so -gencode arch=compute_80,code=sm_80 -G

# A relocatable object (-rdc): its fatbin lives in __nv_relfatbin.
want rdc_sm80.o && "$nvcc" -rdc=true -c -Xcompiler -fPIC -gencode arch=compute_80,code=sm_80 "$work/k.cu" -o "$out/rdc_sm80.o"

# A library without CUDA code.
printf 'int host_only(int x) { return x + 1; }\n' >"$work/h.cpp"
want host_only.so && g++ -shared -fPIC -s -Wl,-z,noseparate-code "$work/h.cpp" -o "$out/host_only.so"

echo "make_fixtures.sh: done in $out"
