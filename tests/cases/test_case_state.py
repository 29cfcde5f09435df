import pytest

from mediation.cases.state import apply_event
from mediation.cases.tables import Disagreement
from mediation.rules.errors import IllegalTransition
from tests.conftest import client_as
from tests.lodging.helpers import la_id, lodge, standard_answers

pytestmark = pytest.mark.anyio


async def _case(reference: str) -> dict:
    return await Disagreement.select().where(Disagreement.reference == reference).first()


async def test_a_legal_event_moves_the_case_and_is_on_its_timeline(app):
    family = await client_as(app, "family")
    _, reference = await lodge(family, standard_answers(await la_id()))
    case = await _case(reference)
    assert await apply_event(case, "request_mediation", actor=None) == "mediation_requested"
    assert (await _case(reference))["state"] == "mediation_requested"
    assert "Case moved to" in (await family.get(f"/cases/{reference}")).text
    await family.aclose()


async def test_an_illegal_event_is_refused_with_the_reason_and_nothing_changes(app):
    family = await client_as(app, "family")
    _, reference = await lodge(family, standard_answers(await la_id()))
    case = await _case(reference)
    with pytest.raises(IllegalTransition, match="a session must be arranged first"):
        await apply_event(case, "hold_mediation", actor=None)
    assert (await _case(reference))["state"] == "lodged"
    await family.aclose()


async def test_a_stale_copy_of_the_case_cannot_overwrite_a_newer_state(app):
    family = await client_as(app, "family")
    _, reference = await lodge(family, standard_answers(await la_id()))
    first, second = await _case(reference), await _case(reference)
    await apply_event(first, "request_mediation", actor=None)
    with pytest.raises(IllegalTransition, match="changed while you were working"):
        await apply_event(second, "give_mediation_advice", actor=None)
    await family.aclose()


def test_every_catalogue_rule_has_a_plain_english_clock_title():
    from mediation.clocks.service import RULE_TITLES
    from mediation.rules.catalogue import RULE_IDS

    assert set(RULE_IDS) - set(RULE_TITLES) == set()
