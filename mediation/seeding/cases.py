"""A story's rows: the case, its disputed matters, clocks, mediation record and meeting, certificate,
appeal with its matters and order, and the case log, numbered and written through the Writer."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter

from mediation.rules.catalogue import BODIES
from mediation.seeding.bodies import Bodies
from mediation.seeding.stories import Clock, Story
from mediation.seeding.writer import Writer
from mediation.timekeeping import LONDON

MEETING_TIMES = (dt.time(10, 0), dt.time(14, 0))  # two three-hour meetings a day per mediator or room
_SPREAD = 0x9E3779B1  # odd, so id * _SPREAD mod 2**32 is a bijection: references unique, not sequential

CASE_COLUMNS = (
    "id", "reference", "family", "local_authority", "icb", "mediation_service", "child_name",
    "child_date_of_birth", "decision", "decision_notice_sent", "sections", "scope", "arranged_by", "state",
    "next_due_date", "created_at", "updated_at", "wants_mediation", "contact_by", "contact_email",
    "postal_address", "received_on",
)  # fmt: skip
CLOCK_COLUMNS = (
    "id", "disagreement", "rule", "actor", "started_on", "due", "status", "citation", "rule_status",
    "explanation", "started_by", "stopped_on", "stop_reason", "version", "created_at", "updated_at",
)  # fmt: skip
AUDIT_COLUMNS = ("at", "actor_label", "action", "entity", "entity_id", "disagreement_id", "summary")


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON).astimezone(dt.UTC)


def _pdf(text: str) -> bytes:
    """A one-page PDF that says `text` (Helvetica, no images): a certificate as small as it can be."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


class CaseRows:
    def __init__(self, w: Writer, bodies: Bodies, rng: random.Random, now: dt.datetime) -> None:
        self.w, self.bodies, self.rng, self.now = w, bodies, rng, now
        self.busy: set[tuple[str, int, dt.date, int]] = set()  # (mediator|venue, id, day, slot) taken
        self.certificate_numbers: Counter[tuple[int, int]] = Counter()

    async def family(self, n: int, password_hash: str) -> int:
        aid = await self.w.next_id("account")
        await self.w.add(
            "account",
            ("id", "email", "password_hash", "full_name", "role", "family_relationship", "email_confirmed",
             "created_at"),
            (aid, f"family{aid}@families.example", password_hash, f"Parent {n}", "family", "parent_carer",
             True, self.now),
        )  # fmt: skip
        return aid

    async def case(self, story: Story, *, la: int, family: int, child: str, born: dt.date) -> None:
        w, case_id = self.w, await self.w.next_id("disagreement")
        service = self.bodies.la_service[la] if story.adviser_on else None
        icb = self.bodies.la_icb[la] if "health" in story.routing.scope else None
        body_due = [c.deadline.due for c in story.running() if c.actor in BODIES]
        by_post = self.rng.random() < 0.08
        await w.add(
            "disagreement",
            CASE_COLUMNS,
            (case_id, "SM-%08X" % (case_id * _SPREAD % 2**32), family, la, icb, service, child, born,
             story.decision, story.notice, ",".join(story.sections), ",".join(story.routing.scope),
             story.routing.arranged_by, story.state, min(body_due, default=None), _at(story.received),
             _at(story.steps[-1].on), story.choice == "mediate", "post" if by_post else "email",
             f"family{family}@families.example", "1 High Street\nAnytown\nAB1 2CD" if by_post else "",
             story.received),
        )  # fmt: skip
        for section in story.sections:
            await w.add(
                "disputed_matter",
                ("id", "disagreement", "section", "disagreement_text", "wanted_text"),
                (await w.next_id("disputed_matter"), case_id, section, "The provision is not specific enough",
                 "Specific, quantified provision"),
            )  # fmt: skip
        clock_ids = {}
        for clock in story.clocks:
            clock_ids[clock.rule] = await self._clock(case_id, clock)
        for step in story.steps:
            await w.add(
                "audit_event",
                AUDIT_COLUMNS,
                (_at(step.on), "system", step.action, "disagreement", str(case_id), case_id, step.summary),
            )
        if story.adviser_on:
            await self._mediation(story, case_id, family, service or 0)
        if story.appeal_on:
            await self._appeal(story, case_id, la, clock_ids)

    async def _clock(self, case_id: int, clock: Clock) -> int:
        cid = await self.w.next_id("statutory_clock")
        d = clock.deadline
        await self.w.add(
            "statutory_clock",
            CLOCK_COLUMNS,
            (cid, case_id, clock.rule, clock.actor, clock.started_on, d.due, clock.status, d.citation,
             d.status, json.dumps(list(d.explanation)), clock.started_by, clock.stopped_on, clock.stop_reason,
             1, _at(clock.started_on), _at(clock.stopped_on or clock.started_on))
        )  # fmt: skip
        return cid

    def _free(self, ids: list[int], family: int, day: dt.date) -> tuple[int, int] | None:
        """A mediator of the service free on `day` at a time the family is free too, and that slot."""
        start = self.rng.randrange(len(ids))
        for k in range(len(ids)):
            for slot in range(len(MEETING_TIMES)):
                key, theirs = (
                    ("mediator", ids[(start + k) % len(ids)], day, slot),
                    ("family", family, day, slot),
                )
                if key not in self.busy and theirs not in self.busy:
                    self.busy.update((key, theirs))
                    return key[1], slot
        return None

    async def _mediation(self, story: Story, case_id: int, family: int, service: int) -> None:
        w = self.w
        mediator = None
        if story.session_on:
            day, found = story.session_on, None
            while found is None:  # the first weekday on or after the planned one with a mediator free
                if day.weekday() < 5:
                    found = self._free(self.bodies.mediators[service], family, day)
                day += dt.timedelta(days=0 if found else 1)
            mediator, slot = found
            room = self._free_room(service, day, slot)
            await self._session(story, case_id, family, mediator, room, day, slot)
        await w.add(
            "mediation_record",
            ("id", "disagreement", "mediator", "adviser_contacted_on", "choice", "choice_on", "concluded_on",
             "outcome", "created_at", "updated_at"),
            (await w.next_id("mediation_record"), case_id, mediator, story.adviser_on, story.choice,
             story.mediation_requested_on or (story.adviser_on if story.choice else None),
             story.session_on if story.outcome else None, story.outcome, _at(story.adviser_on), self.now),  # type: ignore[arg-type]  # _mediation runs only when adviser_on is set
        )  # fmt: skip
        if story.certificate:
            await self._certificate(story, case_id, service, mediator)

    def _free_room(self, service: int, day: dt.date, slot: int) -> int | None:
        if self.rng.random() < 0.3:
            return None  # a remote meeting
        for room in self.bodies.venues[service]:
            key = ("venue", room, day, slot)
            if key not in self.busy:
                self.busy.add(key)
                return room
        return None

    async def _session(
        self,
        story: Story,
        case_id: int,
        family: int,
        mediator: int,
        room: int | None,
        day: dt.date,
        slot: int,
    ) -> None:
        w = self.w
        starts = dt.datetime.combine(day, MEETING_TIMES[slot], tzinfo=LONDON).astimezone(dt.UTC)
        ends = starts + dt.timedelta(hours=3)
        status = "held" if story.outcome else "booked"
        sid = await w.next_id("mediation_session")
        await w.add(
            "mediation_session",
            ("id", "disagreement", "mediator", "venue", "remote", "starts_at", "ends_at", "status", "uid",
             "sequence", "created_at", "updated_at"),
            (sid, case_id, mediator, room, room is None, starts, ends, status, f"session-{sid}@seed.example",
             0, self.now, self.now),
        )  # fmt: skip
        for role, account, name in (
            ("family", family, "The family"),
            ("la_officer", None, "SEND officer with authority to agree"),
            ("mediator", self.bodies.mediator_accounts[mediator], "Mediator"),
        ):
            await w.add(
                "session_attendee",
                ("id", "session", "role", "name", "account", "authority_to_agree", "starts_at", "ends_at",
                 "status"),
                (await w.next_id("session_attendee"), sid, role, name, account, role == "la_officer", starts,
                 ends, status),
            )  # fmt: skip

    async def _certificate(self, story: Story, case_id: int, service: int, mediator: int | None) -> None:
        w = self.w
        kind, issued = story.certificate or ("", story.notice)
        self.certificate_numbers[(service, issued.year)] += 1
        sequence = self.certificate_numbers[(service, issued.year)]
        number = f"IMS{service}-{issued.year}-{sequence:05d}"
        pdf = _pdf(f"Mediation certificate {number}")
        doc = await w.next_id("case_document")
        await w.add(
            "case_document",
            ("id", "disagreement", "kind", "filename", "content_type", "size", "sha256", "content",
             "uploaded_at"),
            (doc, case_id, "mediation_certificate", f"{number}.pdf", "application/pdf", len(pdf), "", pdf,
             _at(issued)),
        )  # fmt: skip
        await w.add(
            "mediation_certificate",
            ("id", "disagreement", "kind", "number", "service", "year", "sequence", "issued_on", "issued_by",
             "document", "html", "created_at"),
            (await w.next_id("mediation_certificate"), case_id, kind, number, service, issued.year, sequence,
             issued, self.bodies.mediator_accounts.get(mediator or 0), doc,
             f"<p>Mediation certificate {number}, issued on {issued.isoformat()}.</p>", _at(issued)),
        )  # fmt: skip

    async def _appeal(self, story: Story, case_id: int, la: int, clock_ids: dict[str, int]) -> None:
        w, aid = self.w, await self.w.next_id("tribunal_appeal")
        response_due = next((c.deadline.due for c in story.clocks if c.rule == "tribunal_la_response"), None)
        await w.add(
            "tribunal_appeal",
            ("id", "disagreement", "tribunal_reference", "lodged_on", "registered_on", "la_received_on",
             "response_computed", "response_sent_on", "hearing_on", "decision_on", "certificate_issued_on",
             "created_at", "updated_at"),
            (aid, case_id, f"EH{la:03d}/{story.appeal_on:%y}/{case_id:07d}", story.appeal_on,
             story.la_received_on, story.la_received_on, response_due, story.response_on,
             story.hearing_on if story.response_on else None, story.decided_on,
             story.certificate[1] if story.certificate else None, _at(story.appeal_on), self.now),  # type: ignore[arg-type]  # _appeal runs only when appeal_on is set
        )  # fmt: skip
        outcome = ("allowed" if story.order else "dismissed") if story.decided_on else ""
        for matter in story.sections or (story.decision,):
            await w.add(
                "appeal_matter",
                ("id", "appeal", "matter", "outcome", "outcome_on"),
                (await w.next_id("appeal_matter"), aid, matter, outcome, story.decided_on),
            )
        if story.order:
            rule, made = story.order
            clock = next(c for c in story.clocks if c.rule == rule)
            await w.add(
                "tribunal_obligation",
                ("id", "appeal", "disagreement", "kind", "order_type", "rule", "owed_by", "made_on", "due",
                 "clock", "status", "done_on", "created_at", "updated_at"),
                (await w.next_id("tribunal_obligation"), aid, case_id, "order", rule.removeprefix("order_"),
                 rule, la, made, clock.deadline.due, clock_ids[rule],
                 "open" if clock.status == "running" else clock.status, clock.stopped_on, _at(made),
                 self.now),
            )  # fmt: skip
