"""Report figures match a hand count, month by month, for an LA and for an ICB; on both engines."""

from __future__ import annotations

import datetime as dt

import pytest

from mediation.organisations.tables import Organisation
from mediation.reports.service import OrganisationRef, build_report, london_today

pytestmark = pytest.mark.anyio

D = dt.date
JUNE, AUGUST = D(2026, 6, 1), D(2026, 8, 31)


async def _ref(org_id: int) -> OrganisationRef:
    row = (
        await Organisation.select(Organisation.id, Organisation.name, Organisation.kind, Organisation.code)
        .where(Organisation.id == org_id)
        .first()
    )
    return OrganisationRef(**row)


def _figures(report) -> dict[str, tuple]:
    return {
        m.id: (m.value, m.total, [(b.value, b.total) if m.kind == "rate" else b.value for b in m.bars])
        for m in report.metrics
    }


async def test_the_local_authoritys_figures_match_the_hand_count(figures):
    report = await build_report(await _ref(figures.la), JUNE, AUGUST, london_today())
    assert [b.label for b in report.metrics[0].bars] == ["Jun 2026", "Jul 2026", "Aug 2026"]
    assert _figures(report) == {
        "certificates_on_time": (2, 3, [(1, 1), (1, 2), (0, 0)]),
        "mediations_on_time": (1, 2, [(1, 1), (0, 0), (0, 1)]),
        "deemed_certificates": (2, None, [0, 1, 1]),
        "agreements": (2, None, [1, 0, 1]),
        "appeals_after_mediation": (1, None, [0, 1, 0]),
        "orders_on_time": (2, 3, [(1, 1), (1, 1), (0, 1)]),
        "open_breaches": (3, None, [1, 0, 2, 0]),  # LA, ICB, mediation adviser, mediator
    }
    rates = {m.id: m.percent for m in report.metrics if m.kind == "rate"}
    assert rates == {"certificates_on_time": 67, "mediations_on_time": 50, "orders_on_time": 67}


async def test_the_icbs_figures_count_only_the_cases_it_is_a_party_to(figures):
    report = await build_report(await _ref(figures.icb), JUNE, AUGUST, london_today())
    assert {k: v[:2] for k, v in _figures(report).items()} == {
        "certificates_on_time": (0, 0),
        "mediations_on_time": (1, 2),
        "deemed_certificates": (1, None),
        "agreements": (1, None),
        "appeals_after_mediation": (0, None),
        "orders_on_time": (0, 1),
        "open_breaches": (1, None),
    }


async def test_a_range_of_one_partial_month_puts_everything_in_one_bar(figures):
    from_13th = _figures(
        await build_report(await _ref(figures.la), D(2026, 7, 13), D(2026, 7, 31), london_today())
    )
    assert from_13th["certificates_on_time"] == (1, 2, [(1, 2)])  # 13 Jul late, 22 Jul on time
    assert from_13th["appeals_after_mediation"] == (1, None, [1])
    from_14th = _figures(
        await build_report(await _ref(figures.la), D(2026, 7, 14), D(2026, 7, 31), london_today())
    )
    assert from_14th["certificates_on_time"] == (1, 1, [(1, 1)])  # the day before the range is out
