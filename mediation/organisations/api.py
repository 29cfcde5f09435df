"""Organisations in the JSON API: readable by signed-in staff (public contact details only)."""

from __future__ import annotations

from litestar import get
from litestar.params import FromPath

from mediation.errors import NotFound
from mediation.organisations.service import (
    OrganisationDetail,
    OrganisationSummary,
    get_organisation,
    list_organisations,
)


@get(
    "/api/v1/organisations",
    name="api_organisations",
    tags=["organisations"],
    opt={"action": "view_organisations"},
)
async def api_organisations() -> list[OrganisationSummary]:
    return await list_organisations()


@get(
    "/api/v1/organisations/{org_id:int}",
    name="api_organisation",
    tags=["organisations"],
    opt={"action": "view_organisations"},
)
async def api_organisation(org_id: FromPath[int]) -> OrganisationDetail:
    org = await get_organisation(org_id)
    if org is None:
        raise NotFound("Organisation not found")
    return org


ROUTES = [api_organisations, api_organisation]
