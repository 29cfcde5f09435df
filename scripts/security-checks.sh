#!/usr/bin/env bash
# Static and supply-chain checks, run by .ci/run: bandit fails on any high-severity finding in our code;
# pip-audit fails on any dependency with a known vulnerability. Both come with `pip install -e ".[dev]"`.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

echo "== bandit (high severity fails) =="
"$VENV/bin/bandit" -q -r mediation main.py --severity-level high

echo "== pip-audit (any known vulnerability fails) =="
# pip-audit asks PyPI's per-version JSON API. Where that API is not served (some mirrors), every package is
# "skipped" and nothing is audited: say so loudly rather than pass in silence. PIP_AUDIT_STRICT=1 makes a
# package that could not be audited fail the run (use it wherever pypi.org is reachable).
strict=()
[[ "${PIP_AUDIT_STRICT:-0}" == "1" ]] && strict=(--strict)
report=$(mktemp)
status=0
"$VENV/bin/pip-audit" --progress-spinner off --skip-editable "${strict[@]}" >"$report" 2>&1 || status=$?
cat "$report"
skipped=$(grep -c "could not be audited" "$report" || true)
if [[ "$skipped" -gt 0 ]]; then
  echo "WARNING: pip-audit could not audit $skipped installed packages (PyPI's per-version JSON API did not answer)."
fi
rm -f "$report"
exit "$status"
