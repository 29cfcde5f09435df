"""The national bodies: the 153 LAs and the ICBs from data/, their links, contacts and staff, and the
independent mediation services with their mediators, working hours and venues."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import random
from pathlib import Path

from mediation.seeding.writer import Writer

DATA = Path(__file__).resolve().parent / "data"
SERVICES = 40  # independent mediation services, each commissioned by a few neighbouring LAs
CONTACTS = (
    ("send_team", "SEND Team"),
    ("send_manager", "Head of SEND"),
    ("mediation_adviser", "Mediation adviser"),
    ("sendiass", "SENDIASS"),
    ("disagreement_resolution", "Disagreement resolution service"),
)
NAMES = ("Alex", "Sam", "Jo", "Chris", "Priya", "Amir", "Grace", "Tom", "Aisha", "Ben", "Chloe", "Dev")
SURNAMES = ("Patel", "Smith", "Jones", "Khan", "Taylor", "Brown", "Evans", "Ahmed", "Wilson", "Clarke")


@dataclasses.dataclass
class Bodies:
    la_ids: list[int]  # in the file's order
    la_codes: list[str]
    la_names: list[str]
    la_weights: list[int]
    la_icb: dict[int, int]  # LA id -> its main ICB's id
    la_service: dict[int, int]  # LA id -> the mediation service it commissions
    coordinators: dict[int, list[int]]  # LA id -> coordinator account ids
    coordinator_emails: dict[int, str]  # LA id -> its first coordinator's address
    mediators: dict[int, list[int]]  # service id -> mediator profile ids
    venues: dict[int, list[int]]  # service id -> venue ids
    mediator_accounts: dict[int, int]  # mediator profile id -> account id


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def local_authorities() -> list[dict[str, str]]:
    return _rows("local_authorities.csv")


def icbs() -> list[dict[str, str]]:
    return _rows("icbs.csv")


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-").replace("--", "-")


async def _existing_codes(w: Writer) -> dict[str, int]:
    sql = "SELECT code, id FROM organisation"
    rows = await w.conn.fetch(sql) if w.db.engine == "postgres" else w.conn.execute(sql).fetchall()
    return {row[0]: int(row[1]) for row in rows}


async def _org(w: Writer, now: dt.datetime, kind: str, code: str, name: str) -> int:
    if code in w.existing:  # already there (a demo's council): used as it is, with its own contacts
        return -w.existing[code]
    oid = await w.next_id("organisation")
    domain = f"{_slug(name)}.example"
    await w.add(
        "organisation",
        ("id", "name", "kind", "code", "email", "phone", "address", "active", "created_at"),
        (oid, name, kind, code, f"send@{domain}", "0300 123 4567", f"{name}\nCivic Centre", True, now),
    )
    return oid


async def _contact(w: Writer, org: int, purpose: str, name: str, email: str) -> None:
    await w.add(
        "organisation_contact",
        ("id", "organisation", "purpose", "name", "email", "phone"),
        (await w.next_id("organisation_contact"), org, purpose, name, email, "0300 123 4567"),
    )


async def _account(
    w: Writer, now: dt.datetime, password_hash: str, email: str, role: str, org: int | None
) -> int:
    aid = await w.next_id("account")
    name = f"{random.choice(NAMES)} {random.choice(SURNAMES)}"  # noqa: S311 - sample data
    await w.add(
        "account",
        (
            "id",
            "email",
            "password_hash",
            "full_name",
            "role",
            "organisation",
            "email_confirmed",
            "created_at",
        ),
        (aid, email, password_hash, name, role, org, True, now),
    )
    return aid


async def write_bodies(w: Writer, rng: random.Random, password_hash: str, now: dt.datetime) -> Bodies:
    w.existing = await _existing_codes(w)
    icb_ids = {}
    for row in icbs():
        oid = await _org(w, now, "icb", row["code"], row["name"])
        icb_ids[row["code"]] = abs(oid)
        domain = f"{row['code'].lower()}.nhs.example"
        if oid > 0:
            await _contact(w, oid, "designated_officer", "Designated Clinical Officer", f"dco@{domain}")
        for n in range(1, 4):
            await _account(w, now, password_hash, f"officer{n}@{domain}", "health_commissioner", oid)
    service_ids = []
    for n in range(1, SERVICES + 1):
        oid = await _org(w, now, "mediation_service", f"IMS-{n:03d}", f"Independent SEND Mediation {n}")
        service_ids.append(abs(oid))
    bodies = Bodies(
        [], [], [], [], {}, {}, {}, {}, {s: [] for s in service_ids}, {s: [] for s in service_ids}, {}
    )
    for index, row in enumerate(local_authorities()):
        found = await _org(w, now, "local_authority", row["code"], row["name"])
        oid = abs(found)
        bodies.la_ids.append(oid)
        bodies.la_codes.append(row["code"])
        bodies.la_names.append(row["name"])
        bodies.la_weights.append(int(row["weight"]))
        for code in row["icbs"].split(";") if found > 0 else ():
            await w.add(
                "la_icb_link",
                ("id", "local_authority", "icb"),
                (await w.next_id("la_icb_link"), oid, icb_ids[code]),
            )
        bodies.la_icb[oid] = icb_ids[row["icbs"].split(";")[0]]
        bodies.la_service[oid] = service_ids[index % SERVICES]
        domain = f"{_slug(row['name'])}.example"
        for purpose, label in CONTACTS if found > 0 else ():
            await _contact(w, oid, purpose, label, f"{purpose.replace('_', '.')}@{domain}")
        # Staff follow caseload: from 2 coordinators in the smallest LA to 12 in the largest.
        staff = [
            await _account(w, now, password_hash, f"coordinator{n}@{domain}", "la_coordinator", oid)
            for n in range(1, 2 + min(int(row["weight"]) // 3, 10) + 1)
        ]
        bodies.coordinators[oid] = staff
        bodies.coordinator_emails[oid] = f"coordinator1@{domain}"
    for n, service in enumerate(service_ids, 1):
        await _mediators(w, rng, now, password_hash, bodies, service, n)
    return bodies


async def _mediators(
    w: Writer, rng: random.Random, now: dt.datetime, password_hash: str, bodies: Bodies, service: int, n: int
) -> None:
    domain = f"independent-send-mediation-{n}.example"
    for m in range(1, rng.randint(6, 14) + 1):
        account = await _account(w, now, password_hash, f"mediator{m}@{domain}", "mediator", service)
        pid = await w.next_id("mediator_profile")
        await w.add(
            "mediator_profile",
            ("id", "account", "service", "active", "created_at", "updated_at"),
            (pid, account, service, True, now, now),
        )
        bodies.mediators[service].append(pid)
        bodies.mediator_accounts[pid] = account
        for weekday in range(5):
            await w.add(
                "working_hours",
                ("id", "mediator", "weekday", "starts", "ends"),
                (await w.next_id("working_hours"), pid, weekday, dt.time(9, 0), dt.time(17, 0)),
            )
    for v in range(1, rng.randint(2, 4) + 1):
        vid = await w.next_id("venue")
        await w.add(
            "venue",
            (
                "id",
                "service",
                "name",
                "address",
                "capacity",
                "step_free",
                "hearing_loop",
                "quiet_room",
                "active",
            ),
            (
                vid,
                service,
                f"Meeting room {v}",
                f"Community Centre {v}",
                8,
                True,
                v % 2 == 0,
                v % 3 == 0,
                True,
            ),
        )
        bodies.venues[service].append(vid)
