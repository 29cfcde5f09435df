"""The service's own log: what an operator needs, without the libraries' chatter.

APScheduler writes two INFO lines for every run of every job (the outbox every 5-30 s, notice batches
every 20 s) and WeasyPrint one per rendering step; at WARNING they still report a missed run or a
broken document.
"""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
QUIET_LIBRARIES = {
    "apscheduler": logging.WARNING,
    "weasyprint": logging.WARNING,
    "fontTools": logging.WARNING,
}


def configure_logging(level: int = logging.INFO) -> None:
    """The root log at `level` on stderr, the chatty libraries held at WARNING."""
    logging.basicConfig(level=level, format=FORMAT)
    for name, quiet in QUIET_LIBRARIES.items():
        logging.getLogger(name).setLevel(quiet)
