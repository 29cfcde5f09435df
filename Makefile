# The two commands in the README. Each sets up whatever is missing first (scripts/setup.sh is idempotent).
.PHONY: setup run test lint

setup:
	@bash scripts/setup.sh

run: setup
	.venv/bin/python main.py

test: setup
	.venv/bin/python -m pytest

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy --strict mediation/rules
	.venv/bin/mypy
