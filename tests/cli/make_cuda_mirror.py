#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Packs parts of a real CUDA tree into NVIDIA-layout redist archives plus a manifest.

    make_cuda_mirror.py CUDA_ROOT OUT_DIR VERSION

writes OUT_DIR/cuda/redist/redistrib_VERSION.json and one
<component>/linux-x86_64/<component>-linux-x86_64-<version>-archive.tar.gz per component,
each with the top folder NVIDIA uses and a LICENSE file: a loopback mirror for end-to-end
install tests (the real archives cannot be downloaded here).
"""
import hashlib
import io
import json
import os
import sys
import tarfile

# component -> paths (relative to CUDA_ROOT) it ships; a folder ships everything below it.
COMPONENTS = {
    "cuda_cudart": ["@top-level-headers", "include/cooperative_groups",
                    "lib/libcudart.so", "lib/libcudart.so.13", "lib/libcudart_static.a", "lib/libcudadevrt.a",
                    "lib/libculibos.a"],
    "cuda_crt": ["include/crt"],
    "cuda_nvcc": ["bin/nvcc", "bin/nvcc.profile", "bin/ptxas", "bin/fatbinary", "bin/nvlink", "bin/cudafe++",
                  "bin/bin2c", "bin/crt"],
    "libnvvm": ["nvvm", "lib/libnvvm.so", "lib/libnvvm.so.4"],
    "cuda_cccl": ["include/cccl"],
}


# Math-library headers the runtime does not ship.
OTHER_LIBRARIES = ("cudnn", "cublas", "cufft", "cusolver", "cusparse", "curand", "nccl", "nvrtc", "cupti",
                   "nvJitLink", "nvblas", "npp", "nvjpeg", "cufile")


def add(tar, root, relative, top):
    if relative == "@top-level-headers":
        include = os.path.join(root, "include")
        for entry in sorted(os.listdir(include)):
            if os.path.isfile(os.path.join(include, entry)) and not entry.startswith(OTHER_LIBRARIES):
                add(tar, root, os.path.join("include", entry), top)
        return
    path = os.path.join(root, relative)
    if not os.path.lexists(path):
        return
    if os.path.isdir(path) and not os.path.islink(path):
        for entry in sorted(os.listdir(path)):
            add(tar, root, os.path.join(relative, entry), top)
        return
    tar.add(path, arcname=f"{top}/{relative}", recursive=False)


def main():
    root, out, version = sys.argv[1], sys.argv[2], sys.argv[3]
    redist = os.path.join(out, "cuda", "redist")
    manifest = {"release_date": "2025-10-09", "release_label": version, "release_product": "cuda"}
    for component, paths in COMPONENTS.items():
        component_version = version + ".1"
        top = f"{component}-linux-x86_64-{component_version}-archive"
        # gzip keeps building the mirror fast; extraction tests cover xz.
        relative = f"{component}/linux-x86_64/{top}.tar.gz"
        target = os.path.join(redist, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with tarfile.open(target, "w:gz", compresslevel=1) as tar:
            for path in paths:
                add(tar, root, path, top)
            info = tarfile.TarInfo(f"{top}/LICENSE")
            text = f"License of {component} (test mirror)\n".encode()
            info.size = len(text)
            tar.addfile(info, io.BytesIO(text))
        data = open(target, "rb").read()
        manifest[component] = {
            "name": component, "license": "CUDA Toolkit", "version": component_version,
            "linux-x86_64": {"relative_path": relative, "sha256": hashlib.sha256(data).hexdigest(),
                             "md5": hashlib.md5(data).hexdigest(), "size": str(len(data))},
        }
    with open(os.path.join(redist, f"redistrib_{version}.json"), "w") as handle:
        json.dump(manifest, handle, indent=2)


if __name__ == "__main__":
    main()
