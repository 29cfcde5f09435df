"""The admin's "pass open cases on now" button on the organisations page
(`templates/admin/organisations.html`): the succession is the cases' own use case (`succession.py`), so its
form posts here."""

from __future__ import annotations

from litestar import Request, post
from litestar.response import Redirect

from mediation.cases.succession import apply_successions
from mediation.web.auth import current_user


@post("/admin/organisations/successions", name="admin_successions", opt={"action": "administer"})
async def successions_apply(request: Request) -> Redirect:
    """Pass open cases to the successors whose day has come now, rather than at the next hourly run."""
    report = await apply_successions(actor=current_user(request))
    return Redirect(f"/admin/organisations?passed={report.passed}", status_code=303)


ROUTES = [successions_apply]
