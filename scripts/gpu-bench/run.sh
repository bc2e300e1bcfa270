#!/usr/bin/env bash
# Runs the GPU benchmark from the packed folder (scripts/gpu-bench/pack.sh) with
# the packed Node binary; no Node, npm or registry needed. From the repository
# root, on the GPU machine:
#   bash scripts/gpu-bench/run.sh [benchmark flags…]    (flags: scripts/bench-gpu.ts)
# Here, on SwiftShader (VK_ICD_FILENAMES set: the loaders are already installed):
#   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json bash scripts/gpu-bench/run.sh --quick --paper-steps 2000
# Environment: GPU_BENCH_PACK (the packed folder, default .gpu-bench),
# GPU_BENCH_RT (where Node and Dawn are unpacked, default /tmp/icl-gpu-bench),
# GPU_BENCH_DEBS=auto|1|0 (unpack the loaders' .debs into /: auto does so only
# where ldconfig finds no libvulkan.so.1, never over a system that has one).
set -euo pipefail
cd "$(dirname "$0")/../.."
PACK=${GPU_BENCH_PACK:-.gpu-bench}
RT=${GPU_BENCH_RT:-/tmp/icl-gpu-bench}
[ -f "$PACK/MANIFEST.txt" ] || { echo "no $PACK/MANIFEST.txt: run 'npm run bench:gpu -- pack' first (and carry $PACK)" >&2; exit 2; }

debs=${GPU_BENCH_DEBS:-auto}
if [ "$debs" = auto ]; then
  # No grep -q: ldconfig could die of SIGPIPE, which pipefail would read as not found.
  if ldconfig -p | grep 'libvulkan\.so\.1 ' >/dev/null; then debs=0; else debs=1; fi
fi
if [ "$debs" = 1 ]; then
  echo "unpacking the Vulkan and EGL loaders into /" >&2
  for f in "$PACK"/debs/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi

# NVIDIA's driver is mounted under /usr/local/nvidia, outside the loader's search path:
# point the loaders at it unless a Vulkan driver is chosen (as SwiftShader is here) or
# NVIDIA's is installed where the loader looks (a CPU driver there would hide the GPU).
nvidia=/usr/local/nvidia/share
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia/vulkan/icd.d/nvidia_icd.json" ] &&
  ! ls /usr/share/vulkan/icd.d/nvidia*.json /etc/vulkan/icd.d/nvidia*.json >/dev/null 2>&1; then
  export VK_DRIVER_FILES=$nvidia/vulkan/icd.d/nvidia_icd.json VK_ICD_FILENAMES=$nvidia/vulkan/icd.d/nvidia_icd.json
  export __EGL_VENDOR_LIBRARY_FILENAMES=$nvidia/glvnd/egl_vendor.d/10_nvidia.json
  echo "Vulkan driver: $VK_DRIVER_FILES" >&2
fi

# xz where there is one, else Python's tarfile.
untar() {
  if command -v xz >/dev/null; then tar -C "$2" -xJf "$1"
  else python3 -c 'import sys, tarfile; t = tarfile.open(sys.argv[1]); t.extractall(sys.argv[2], **({"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}))' "$1" "$2"; fi
}
if ! cmp -s "$PACK/MANIFEST.txt" "$RT/MANIFEST.txt"; then
  echo "unpacking Node and Dawn into $RT" >&2
  rm -rf "$RT" && mkdir -p "$RT/node_modules"
  untar "$PACK"/node-v*-linux-x64.tar.xz "$RT"
  untar "$PACK/webgpu.tar.xz" "$RT/node_modules"
  cp "$PACK/MANIFEST.txt" "$RT/"
fi
# The bundle sits beside node_modules/webgpu, which it imports.
cp "$PACK/bench-gpu.mjs" "$RT/bench-gpu.mjs"
echo "node $("$RT/bin/node" --version) ($RT/bin/node)" >&2
exec "$RT/bin/node" "$RT/bench-gpu.mjs" "$@"
