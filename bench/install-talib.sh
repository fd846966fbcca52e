#!/usr/bin/env bash
# Installs the npm `talib` package (TA-Lib's C source with a Node binding) into this checkout's node_modules
# without adding it to package.json: only the golden-fixture generator and the benchmark's TA-Lib comparison
# need it. talib@2.0.5's published tarball ships stale macOS objects that break the build on Linux, so we unpack
# it, delete them, repack and install that tarball, which then compiles from source (about 30 s; needs a C/C++
# toolchain, python3 and make). See stages/indicators/golden/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack talib@2.0.5 --silent >/dev/null && tar xzf talib-2.0.5.tgz)
rm -f "$work"/package/src/lib/temp/csr/*.o "$work"/package/src/lib/lib/*.a
rm -rf "$work"/package/build
(cd "$work" && tar czf talib-2.0.5-linux-src.tgz package)
# --no-save keeps package.json and package-lock.json unchanged; talib declares node >= 24 but builds and runs on 20.
npm install --no-save --foreground-scripts "$work/talib-2.0.5-linux-src.tgz"
node -e "require('talib'); console.log('talib installed')"
