#!/usr/bin/env bash
# Regenerate the Python lock files from the ranges in pyproject.toml (run after changing a dependency).
# uv keeps every version already pinned in the lock unless a range forces a change (`--upgrade-package NAME`
# to move one on purpose). The output is pip's hash-checked requirements format, so installing needs only pip
# (scripts/setup.sh); uv is needed here only: `pip install uv` into any virtualenv, or UV=/path/to/uv.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-uv}
common=(--quiet --generate-hashes --universal --python-version 3.11 --custom-compile-command "bash scripts/lock.sh")
"$UV" pip compile pyproject.toml "${common[@]}" "$@" -o requirements.lock
"$UV" pip compile pyproject.toml --extra dev "${common[@]}" "$@" -o requirements-dev.lock
