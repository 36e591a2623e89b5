#!/usr/bin/env bash
# Gathers, on this Debian 12 machine, what tests/gpu/check.sh needs on a GPU machine that has
# PyTorch but cannot reach a package archive: the headers and libraries of spdlog, fmt,
# nlohmann-json, libpng, libjpeg-turbo, zlib and Gloo (Debian's layout, so their CMake packages
# still find themselves), and the Fashion-MNIST training set. Writes build-gpu-deps/ (about
# 35 MB; git ignores it), which the device tool carries next to the working tree.
# The libraries need glibc 2.34 and GCC 12's libstdc++ (Ubuntu 22.04, Debian 12 or later).
set -euo pipefail
cd "$(dirname "$0")/../.."
deps=${1:-build-gpu-deps}
arch=x86_64-linux-gnu
rm -rf "$deps"
mkdir -p "$deps/usr/include" "$deps/usr/lib/$arch/cmake" "$deps/usr/share/cmake" "$deps/fashion-mnist"

copy_headers() { for h in "$@"; do cp -a "/usr/include/$h" "$deps/usr/include/"; done; }
copy_headers spdlog fmt nlohmann png.h pngconf.h pnglibconf.h libpng16 turbojpeg.h zlib.h zconf.h gloo
# The shared libraries with their version links (-L copies the files the links name).
for pattern in libspdlog.so libfmt.so libpng16.so libpng.so libturbojpeg.so libz.so; do
  for f in /usr/lib/$arch/$pattern*; do
    [ -e "$f" ] && cp -aL "$f" "$deps/usr/lib/$arch/"
  done
done
cp -a /usr/lib/$arch/cmake/spdlog /usr/lib/$arch/cmake/fmt "$deps/usr/lib/$arch/cmake/"
cp -a /usr/share/cmake/nlohmann_json "$deps/usr/share/cmake/"
cp -a /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz \
      /usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz "$deps/fashion-mnist/"
du -sh "$deps"
