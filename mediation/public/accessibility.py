"""The accessibility statement (Public Sector Bodies (Websites and Mobile Applications) (No. 2)
Accessibility Regulations 2018, reg 8): public, linked from every page's footer."""

from __future__ import annotations

from litestar import get
from litestar.response import Template


@get("/accessibility", name="accessibility_statement", opt={"action": "accessibility_statement"})
async def accessibility_statement() -> Template:
    return Template("public/accessibility.html", context={"title": "Accessibility statement"})


ROUTES = [accessibility_statement]
