#!/usr/bin/env bash
# One command on a fresh machine: install, then run the main job on the
# embedded defaults (`npm start`). Needs Node.js >= 20 with npm (Node 22 comes
# with the dependencies) and, on Linux with glibc < 2.39, python3 for Chroma.
set -euo pipefail
cd "$(dirname "$0")/.."
# onnxruntime-node fetches its CUDA provider from NuGet during install, which
# fails offline; CPU is the default, GPUs opt in (docs/gpu.md).
ONNXRUNTIME_NODE_INSTALL="${ONNXRUNTIME_NODE_INSTALL:-skip}" npm install --no-audit --no-fund
npm start
