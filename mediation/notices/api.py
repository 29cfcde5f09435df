"""Decision notices in the JSON API, through the same access rule as the pages."""

from __future__ import annotations

from litestar import Request, get
from litestar.params import FromPath, FromQuery

from mediation.errors import NotFound
from mediation.notices.batches import BatchView, get_batch
from mediation.notices.reading import NoticeDetail, NoticeSummary, get_notice, list_notices
from mediation.web.auth import current_user
from mediation.web.forms import client_of


@get(
    "/api/v1/notices",
    name="api_notices",
    tags=["notices"],
    summary="Notices you may see",
    opt={"action": "view_notices"},
)
async def api_notices(
    request: Request, limit: FromQuery[int] = 50, offset: FromQuery[int] = 0
) -> list[NoticeSummary]:
    """A family's notices (sent to its email address) or an LA coordinator's LA's, newest first."""
    user = current_user(request)
    assert user is not None
    return await list_notices(user, limit=max(1, min(limit, 200)), offset=max(0, offset))


@get(
    "/api/v1/notices/{reference:str}",
    name="api_notice",
    tags=["notices"],
    summary="One notice, with its dates and text as issued",
    opt={"action": "view_notices"},
)
async def api_notice(request: Request, reference: FromPath[str]) -> NoticeDetail:
    user = current_user(request)
    assert user is not None
    notice = await get_notice(user, reference, client=client_of(request))
    if notice is None:
        raise NotFound("Notice not found")
    return notice


@get(
    "/api/v1/notice-batches/{batch_id:int}",
    name="api_notice_batch",
    tags=["notices"],
    summary="A bulk-issue batch: counts and each row's outcome",
    opt={"action": "issue_notices"},
)
async def api_notice_batch(request: Request, batch_id: FromPath[int]) -> BatchView:
    user = current_user(request)
    assert user is not None
    batch = await get_batch(user, batch_id)
    if batch is None:
        raise NotFound("Batch not found")
    return batch


ROUTES = [api_notices, api_notice, api_notice_batch]
