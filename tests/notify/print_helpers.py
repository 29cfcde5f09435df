"""Letters in a print queue for tests: a case whose family asked for post, its certificate letter rendered
at once (without running the whole delivery batch of a shared database)."""

from __future__ import annotations

import datetime as dt
import io

import pikepdf

from mediation import timekeeping
from mediation.advice.service import record_advice
from mediation.certificates.service import issue_certificate
from mediation.notify.letters import print_letter
from mediation.notify.tables import Notification
from tests.mediation.helpers import World, make_world


async def print_now(notification_id: int, now: dt.datetime | None = None) -> None:
    """Claim this one letter as the delivery job does and render it into the print queue."""
    claimed = await (
        Notification.update(
            {Notification.status: "sending", Notification.attempts: Notification.attempts + 1}
        )
        .where((Notification.id == notification_id) & (Notification.status == "pending"))
        .returning(*Notification.all_columns())
    )
    assert claimed, "the letter was not waiting to be printed"
    assert await print_letter(claimed[0], now or dt.datetime.now(dt.UTC))


async def certificate_letter(*, large_print: bool = False) -> tuple[World, int]:
    """A family who asked for post declines mediation; the service's certificate goes out as a letter
    (with the certificate enclosed) into the mediation service's print queue. (world, letter id)"""
    world = await make_world(wants_mediation=False, notice_days_ago=40, contact_by="post")
    if large_print:
        from mediation.cases.tables import Disagreement

        await Disagreement.update({Disagreement.large_print: True}).where(Disagreement.id == world.case_id)
    today = timekeeping.today()
    await record_advice(await world.case(), contacted_on=today, choice="decline", actor=world.mediator)
    await issue_certificate(await world.case(), today, actor=world.mediator)
    row = (
        await Notification.select(Notification.id)
        .where(
            (Notification.disagreement_id == world.case_id) & Notification.dedupe_key.like("certificate:%")
        )
        .first()
    )
    assert row is not None
    await print_now(row["id"])
    return world, int(row["id"])


def structure(pdf: bytes) -> dict[str, object]:
    """What a screen reader gets from a PDF: catalogue marks and the structure tree's tags and alt texts."""
    document = pikepdf.open(io.BytesIO(pdf))
    root = document.Root
    tags: list[str] = []
    alts: list[str] = []

    def walk(node: pikepdf.Dictionary) -> None:
        if "/S" in node:
            tags.append(str(node.S))
            if str(node.S) == "/Figure":
                alts.append(str(node.get("/Alt", "")))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:  # an element, not marked content
                walk(kid)

    if "/StructTreeRoot" in root:
        walk(root.StructTreeRoot)
    preferences = root.get("/ViewerPreferences", {})
    return {
        "tagged": "/StructTreeRoot" in root and bool(root.get("/MarkInfo", {}).get("/Marked", False)),
        "lang": str(root.get("/Lang", "")),
        "title": str(document.docinfo.get("/Title", "")),
        "display_title": bool(preferences.get("/DisplayDocTitle", False)),
        "tags": tags,
        "alts": alts,
        "pages": len(document.pages),
        "pdfua": str(document.open_metadata().get("pdfuaid:part", "")),
    }
