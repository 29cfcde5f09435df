"""`POST /api/v1/cases` (api-contract.md "Cases through the API"): lodge a disagreement through the API,
for a family or by LA staff for one (`api_lodging.py: lodge_from_api`, the same `create_case` as the
journey). Reading and listing cases stay with `cases/api.py`."""

from __future__ import annotations

import hashlib
from typing import Annotated

import msgspec
from litestar import Request, Response, post
from litestar.params import HeaderParameter, JSONBody

from mediation.cases.lookup import user_of
from mediation.cases.schemas import LodgeRequest
from mediation.cases.service import CaseDetail, case_detail
from mediation.lodging.api_lodging import lodge_from_api
from mediation.web.errors import UNDECODABLE_BODY_IS_422
from mediation.web.forms import client_of


@post(
    "/api/v1/cases",
    name="api_lodge",
    tags=["cases"],
    status_code=201,
    summary="Lodge a disagreement (a family for itself, or LA staff for a family)",
    description="Send the same request again with the same `Idempotency-Key` header and the first case is "
    "returned: one case, however many times it is sent. `wants_mediation: true` records that the family "
    "told the arranging body it wants mediation on `received_on`.",
    opt={"action": "lodge_by_api"},
    exception_handlers=UNDECODABLE_BODY_IS_422,
)
async def api_lodge(
    request: Request,
    data: JSONBody[LodgeRequest],
    idempotency_key: Annotated[str | None, HeaderParameter(name="Idempotency-Key", max_length=200)] = None,
) -> Response[CaseDetail]:
    user = user_of(request)
    body_hash = hashlib.sha256(msgspec.json.encode(data)).hexdigest()
    case, replayed = await lodge_from_api(user, data, idempotency_key=idempotency_key, body_hash=body_hash)
    detail = await case_detail(user, case, client=client_of(request))
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return Response(detail, status_code=201, headers=headers)


ROUTES = [api_lodge]
