"""People who sign in, their failed sign-in attempts, server-side sessions and API tokens."""

from enum import StrEnum

from piccolo.columns import Boolean, Bytea, ForeignKey, Integer, Secret, Timestamptz, Varchar
from piccolo.columns.base import OnDelete

from mediation.db_typing import Table
from mediation.organisations.tables import Organisation


class Role(StrEnum):
    family = "family"
    la_coordinator = "la_coordinator"
    health_commissioner = "health_commissioner"
    mediator = "mediator"
    admin = "admin"


class FamilyRelationship(StrEnum):
    parent_carer = "parent_carer"
    young_person = "young_person"
    advocate = "advocate"


ROLE_LABELS = {
    Role.family: "Family (parent, carer, young person or advocate)",
    Role.la_coordinator: "Local authority mediation coordinator",
    Role.health_commissioner: "Health commissioner (ICB)",
    Role.mediator: "Mediator or mediation adviser",
    Role.admin: "Administrator",
}


class Account(Table):
    email = Varchar(length=254, unique=True)
    password_hash = Secret(length=255)
    full_name = Varchar(length=200)
    role = Varchar(length=30, choices=Role, index=True)
    # Staff belong to one organisation; families to none.
    organisation = ForeignKey(
        references=Organisation, on_delete=OnDelete.restrict, null=True, default=None, index=True
    )
    family_relationship = Varchar(length=30, null=True, default=None)
    email_confirmed = Boolean(default=False)
    active = Boolean(default=True)
    created_at = Timestamptz()
    last_sign_in_at = Timestamptz(null=True, default=None)
    # Set on accounts an admin creates with a temporary password: after signing in, the person can reach
    # only the change-password page (and sign out) until they choose their own (`web/auth.py: authorise`).
    must_change_password = Boolean(default=False)
    # Stored in each session at sign-in; a password change or reset moves it on, so every session started
    # before it (in the database or Redis alike) stops signing anyone in (`web/auth.py`).
    session_epoch = Integer(default=0)


class SignInAttempt(Table):
    """A log of evaluated sign-in attempts (the throttle itself counts in SignInThrottle)."""

    email = Varchar(length=254, index=True)
    client = Varchar(length=64, index=True)
    succeeded = Boolean(default=False)
    at = Timestamptz(index=True)


class SignInThrottle(Table):
    """One failure counter per bucket (an account from one client, one client, one account), claimed
    under a row lock before a password is checked, so concurrent guesses cannot pass the limit, and kept
    in the database so it holds across every app process (`accounts/throttle.py`)."""

    # SHA-256 of the bucket's key: the table holds no email or client address in clear.
    bucket = Varchar(length=64, unique=True)
    kind = Varchar(length=10)
    failures = Integer(default=0)
    window_started_at = Timestamptz()
    blocked_until = Timestamptz(null=True, default=None)
    updated_at = Timestamptz(index=True)


class LinkRequest(Table):
    """One emailed link asked for (a confirmation link sent again), per bucket: the address asked for and
    the client asking, each as a SHA-256 digest. Counted to limit how often a link can be asked for
    (`accounts/link_requests.py`), whether or not the address has an account."""

    bucket = Varchar(length=64, index=True)
    kind = Varchar(length=10)  # "address" or "client"
    at = Timestamptz(index=True)


class HttpSession(Table):
    """Server-side session data; any app process can serve any signed-in user."""

    key = Varchar(length=200, unique=True)
    data = Bytea()
    expires_at = Timestamptz(null=True, default=None, index=True)


class ApiToken(Table):
    """A bearer token for the API: only its SHA-256 digest is kept, so the table holds no usable token."""

    account = ForeignKey(references=Account, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=100)
    token_digest = Varchar(length=64, unique=True)
    # The first characters of the token, shown to admins so a person can tell their tokens apart.
    prefix = Varchar(length=16)
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(references=Account, on_delete=OnDelete.restrict, null=True, default=None)
