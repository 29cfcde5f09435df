"""The case page: the disputed matters, parties, statutory clocks with their reasoning, and the timeline."""

from __future__ import annotations

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from mediation.cases.service import get_case
from mediation.rules.routing import DECISION_LABELS
from mediation.web.auth import current_user, requires_sign_in
from mediation.web.forms import client_of

STATUS_LABELS = {
    "P": "read in the primary legislation",
    "S": "from reliable secondary guidance",
    "U": "unconfirmed; check with an adviser",
}
ARRANGED_BY_LABELS = {
    "local_authority": "The local authority",
    "health_commissioner": "The health commissioner (integrated care board)",
    None: "Mediation does not apply",
}


@get("/cases/{reference:str}", name="case_page", guards=[requires_sign_in])
async def case_page(request: Request, reference: FromPath[str]) -> Template:
    user = current_user(request)
    assert user is not None
    case = await get_case(user, reference, client=client_of(request))
    if case is None:
        raise NotFoundException("Case not found")
    return Template(
        "cases/case.html",
        context={
            "case": case,
            "decision_labels": DECISION_LABELS,
            "status_labels": STATUS_LABELS,
            "arranged_by_label": ARRANGED_BY_LABELS.get(case.arranged_by, case.arranged_by),
        },
    )


ROUTES = [case_page]
