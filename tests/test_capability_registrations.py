"""Where a lower capability still reaches a higher one at run time, the higher one registers itself into
the lower one when imported, and `mediation/capabilities.py` imports every such capability (the app and
the sweep command import it). Importing that module alone must register everything the lower ones need:
without it a case would load without its mediation or appeal, or an event would skip rows it changes."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import mediation.capabilities
from mediation.cases import events, repository
from mediation.offers import service as offers
from mediation.services import service as services

for event in events.REGISTERED_WRITES_NEEDED:
    assert events.registered_writes(event), event
assert repository._missing_facts() == [], repository._missing_facts()
assert set(offers.CODE_HOLDERS_NEEDED) <= set(offers._CODE_HOLDERS)
assert services.meetings_during is not None
print("registered")
"""


def test_importing_the_capabilities_module_alone_registers_every_hook() -> None:
    done = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "registered"


def test_without_the_registrations_the_lower_capability_refuses() -> None:
    refused = """
from mediation.cases import events, repository
try:
    events.registered_writes("withdrawn")
except RuntimeError as exc:
    print("refused:", exc)
assert repository._missing_facts() == ["advice", "scheduling", "tribunal"], repository._missing_facts()
"""
    done = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", refused], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "refused: 'withdrawn' needs the writes of mediation.sessions" in done.stdout
