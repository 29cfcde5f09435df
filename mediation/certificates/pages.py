"""A mediation certificate as an accessible HTML page (the PDF is the case document)."""

from __future__ import annotations

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template

from mediation.cases.lookup import visible_case
from mediation.certificates.service import certificate
from mediation.errors import NotFound


@get(
    "/cases/{reference:str}/mediation/certificates/{number:str}",
    name="mediation_certificate",
    opt={"action": "view_case"},
)
async def certificate_page(request: Request, reference: FromPath[str], number: FromPath[str]) -> Template:
    case = await visible_case(request, reference)
    found = await certificate(case.id, number)
    if found is None:
        raise NotFound("Certificate not found")
    return Template(
        "mediation/certificate.html",
        context={"title": f"Mediation certificate {number}", "case": case, "certificate": found},
    )


ROUTES = [certificate_page]
