"""The served log carries what an operator needs, not a library's every step (issue 15, part 6)."""

from __future__ import annotations

import logging

import pytest

import main


@pytest.fixture
def served_logging(monkeypatch):
    """What `python main.py` configures before uvicorn starts, with uvicorn itself not run."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in ("apscheduler", "weasyprint", "fontTools")}
    root.handlers = []
    monkeypatch.setattr(main.uvicorn, "run", lambda *args, **kwargs: None)
    main.serve()
    yield
    root.handlers, root.level = saved[0], saved[1]
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_the_scheduler_does_not_log_every_run_of_every_job(served_logging):
    runs = logging.getLogger("apscheduler.executors.default")
    assert not runs.isEnabledFor(logging.INFO)  # "Running job ..." / "... executed successfully"
    assert runs.isEnabledFor(logging.WARNING)  # a missed run is still reported


def test_pdf_rendering_steps_are_not_logged(served_logging):
    assert not logging.getLogger("weasyprint.progress").isEnabledFor(logging.INFO)
    assert not logging.getLogger("weasyprint").isEnabledFor(logging.INFO)
    assert logging.getLogger("weasyprint").isEnabledFor(logging.WARNING)


def test_the_service_still_logs_its_own_information(served_logging):
    assert logging.getLogger("mediation.jobs").isEnabledFor(logging.INFO)
