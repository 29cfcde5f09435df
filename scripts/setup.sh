#!/usr/bin/env bash
# One idempotent set-up for a fresh clone: Debian packages, the Python virtualenv, GOV.UK Frontend assets.
# Each step is skipped when its result is already there, so `make run` / `make test` stay fast after the first time.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(chromium fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils wrk)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: please install these Debian packages (browser tests need them): ${missing[*]}" >&2
  fi
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# Exact, hash-checked versions from the lock (scripts/lock.sh writes it from pyproject.toml's ranges), then the
# project itself without resolving anything again; tests/test_lock_file.py fails when the two disagree.
if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ] || [ requirements-dev.lock -nt .venv/.installed ]; then
  echo "setup: installing Python packages from requirements-dev.lock"
  .venv/bin/pip install -q --require-hashes -r requirements-dev.lock
  .venv/bin/pip install -q --no-deps -e .
  .venv/bin/pip check
  touch .venv/.installed
fi

if [ ! -f node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css ] || [ ! -f node_modules/axe-core/axe.min.js ] || [ package.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing GOV.UK Frontend assets and axe-core for the browser tests (npm)"
  npm install --no-audit --no-fund --loglevel=error
fi

# Serve only what GOV.UK's CSS, JS and page template reference; the GDS Transport font is licensed for
# gov.uk domains only, so it is not copied (app.css falls back to Arial, as GOV.UK advises).
dist=node_modules/govuk-frontend/dist/govuk
target=mediation/static/govuk
if [ ! -f "$target/govuk-frontend.min.css" ] || [ "$dist/govuk-frontend.min.css" -nt "$target/govuk-frontend.min.css" ]; then
  rm -rf "$target"
  mkdir -p "$target"
  cp "$dist/govuk-frontend.min.css" "$dist/govuk-frontend.min.js" "$target/"
  cp -r "$dist/assets/images" "$target/images"
  cp "$dist/assets/manifest.json" "$target/manifest.json"
fi
