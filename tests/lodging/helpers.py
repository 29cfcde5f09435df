"""Walk the lodging journey through HTTP as a family would."""

from __future__ import annotations

import re

import httpx

from mediation.organisations.tables import Organisation

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def la_id() -> int:
    row = await Organisation.select(Organisation.id).where(Organisation.code == "E06000042").first()
    return row["id"]


async def start_draft(client: httpx.AsyncClient) -> int:
    token = client.cookies.get("csrftoken")
    response = await client.post("/lodge", data={"_csrf_token": token})
    assert response.status_code == 303, response.text
    match = re.match(r"/lodge/(\d+)/who", response.headers["location"])
    assert match
    return int(match.group(1))


async def answer(client: httpx.AsyncClient, draft: int, step: str, data: dict, files: dict | None = None):
    payload = {**data, "_csrf_token": client.cookies.get("csrftoken")}
    return await client.post(f"/lodge/{draft}/{step}", data=payload, files=files)


def standard_answers(la: int, decision: str = "plan_contents", sections: list[str] | None = None) -> list:
    sections = ["B", "F"] if sections is None else sections
    steps = [
        ("who", {"lodged_by": "parent_carer"}),
        (
            "child",
            {
                "child_name": "Ada Lovelace",
                "dob-day": "10",
                "dob-month": "12",
                "dob-year": "2015",
                "local_authority": str(la),
            },
        ),
        ("decision", {"decision": decision, "notice-day": "2", "notice-month": "11", "notice-year": "2026"}),
    ]
    if decision == "plan_contents":
        steps.append(("sections", {"sections": sections}))
        details = {}
        for s in sections:
            details[f"{s}-disagree"] = f"The plan's section {s} is wrong"
            details[f"{s}-wanted"] = f"Section {s} put right"
        if {"C", "G"} & set(sections):
            details["health_provision"] = "Weekly physiotherapy"
        steps.append(("details", details))
    if decision != "disability_discrimination":
        steps.append(("mediation", {"wants_mediation": "yes"}))
    steps += [
        ("access", {"access": ["interpreter", "remote"], "interpreter_language": "Polish"}),
        ("contact", {"contact_by": "email", "contact_email": "family@example.com"}),
    ]
    return steps


async def lodge(client: httpx.AsyncClient, steps: list) -> tuple[int, str]:
    draft = await start_draft(client)
    for step, data in steps:
        response = await answer(client, draft, step, data)
        assert response.status_code == 303, (step, response.status_code, response.text[-3000:])
    response = await answer(client, draft, "check", {})
    assert response.status_code == 303, response.text[-3000:]
    confirmation = await client.get(f"/lodge/{draft}/confirmation")
    assert confirmation.status_code == 200
    reference = re.search(r"<strong>(SM-[0-9A-F]{8})</strong>", confirmation.text)
    assert reference, confirmation.text
    return draft, reference.group(1)
