"""Installs are reproducible: the lock files pin, with hashes, a version inside every range that
pyproject.toml asks for (scripts/setup.sh installs from requirements-dev.lock, lock.sh writes both)."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def _pins(lock: str) -> dict[str, str]:
    return {canonicalize_name(name): version for name, version in PIN.findall((ROOT / lock).read_text())}


def _unmet(requirements: list[str], pins: dict[str, str]) -> list[str]:
    unmet = []
    for line in requirements:
        requirement = Requirement(line)
        version = pins.get(canonicalize_name(requirement.name))
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            unmet.append(f"{requirement} (locked: {version})")
    return unmet


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("requirements.lock", PROJECT["dependencies"]),
        ("requirements-dev.lock", PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"]),
    ],
)
def test_the_lock_pins_every_dependency_inside_its_range(lock, requirements):
    assert _unmet(requirements, _pins(lock)) == [], f"run `bash scripts/lock.sh`: {lock} is out of date"


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_pin_carries_a_hash(lock):
    text = (ROOT / lock).read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert entries and all("--hash=sha256:" in entry for entry in entries if PIN.match(entry))
    assert len(_pins(lock)) == sum(1 for entry in entries if PIN.match(entry))


def test_a_range_the_lock_misses_is_reported():
    [unmet] = _unmet(["msgspec>=99"], _pins("requirements.lock"))
    assert unmet.startswith("msgspec>=99 (locked: 0.")
    assert _unmet(["no-such-package-here"], {}) == ["no-such-package-here (locked: None)"]
