"""The schema as it stood when the migrations were squashed (issue 16, before any production database):
every table and column, in the order a table's foreign keys need. Indexes on more than one column,
partial and expression indexes, the audit log's triggers and PostgreSQL's constraints are raw DDL in the
migrations that follow (Piccolo runs a migration's raw steps before its tables, so they cannot go here).

Columns list only the options that differ from the column type's defaults (Piccolo fills the rest in, as
the generated migrations spelled out). `piccolo migrations new mediation --auto` compares the tables with
this and reports no changes; new columns and tables go in new, small migrations after these.
"""

from enum import Enum

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete
from piccolo.columns.column_types import (
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    JSON,
    Secret,
    Text,
    Time,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

ID = "2026-12-01T17:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "initial schema"


# The tables foreign keys point at; Piccolo needs a class, and only its name and primary key are used.
class Organisation(Table, tablename="organisation"):
    pass


class Notification(Table, tablename="notification"):
    pass


class Account(Table, tablename="account"):
    pass


class Disagreement(Table, tablename="disagreement"):
    pass


class MediatorProfile(Table, tablename="mediator_profile"):
    pass


class Venue(Table, tablename="venue"):
    pass


class NoticeTemplate(Table, tablename="notice_template"):
    pass


class CaseDocument(Table, tablename="case_document"):
    pass


class NoticeBatch(Table, tablename="notice_batch"):
    pass


class TribunalAppeal(Table, tablename="tribunal_appeal"):
    pass


class StatutoryClock(Table, tablename="statutory_clock"):
    pass


class MediationSession(Table, tablename="mediation_session"):
    pass


class DecisionNotice(Table, tablename="decision_notice"):
    pass


class MeetingPoll(Table, tablename="meeting_poll"):
    pass


# Closed lists of values (Varchar choices), as they were when squashed.
Channel = Enum("Channel", {"email": "email", "letter": "letter"})
ClockStatus = Enum("ClockStatus", {"running": "running", "met": "met", "cancelled": "cancelled"})
ContactPurpose = Enum(
    "ContactPurpose",
    {
        "mediation_adviser": "mediation_adviser",
        "sendiass": "sendiass",
        "disagreement_resolution": "disagreement_resolution",
        "send_team": "send_team",
        "send_manager": "send_manager",
        "designated_officer": "designated_officer",
    },
)
DeliveryStatus = Enum(
    "DeliveryStatus",
    {"pending": "pending", "sending": "sending", "sent": "sent", "failed": "failed", "printed": "printed"},
)
OrganisationKind = Enum(
    "OrganisationKind",
    {"local_authority": "local_authority", "icb": "icb", "mediation_service": "mediation_service"},
)
Role = Enum(
    "Role",
    {
        "family": "family",
        "la_coordinator": "la_coordinator",
        "health_commissioner": "health_commissioner",
        "mediator": "mediator",
        "admin": "admin",
    },
)
RowStatus = Enum(
    "RowStatus", {"queued": "queued", "issuing": "issuing", "issued": "issued", "failed": "failed"}
)
SessionStatus = Enum("SessionStatus", {"booked": "booked", "held": "held", "cancelled": "cancelled"})

# Table class -> (table name, [(column, column type, options that differ from the type's defaults)])
TABLES = {
    "Organisation": (
        "organisation",
        [
            ("name", Varchar, {"length": 200}),
            ("kind", Varchar, {"length": 30, "index": True, "choices": OrganisationKind}),
            ("code", Varchar, {"length": 20, "unique": True}),
            ("email", Varchar, {"length": 254}),
            ("phone", Varchar, {"length": 40}),
            ("address", Text, {}),
            ("website", Varchar, {"length": 300}),
            ("active", Boolean, {"default": True}),
            ("created_at", Timestamptz, {}),
            ("valid_from", Date, {"default": None, "null": True}),
            ("valid_to", Date, {"default": None, "null": True}),
            ("successor", ForeignKey, {"references": "self", "on_delete": OnDelete.restrict}),
        ],
    ),
    "HttpSession": (
        "http_session",
        [
            ("key", Varchar, {"length": 200, "unique": True}),
            ("data", Bytea, {}),
            ("expires_at", Timestamptz, {"default": None, "null": True, "index": True}),
        ],
    ),
    "LinkRequest": (
        "link_request",
        [
            ("bucket", Varchar, {"length": 64, "index": True}),
            ("kind", Varchar, {"length": 10}),
            ("at", Timestamptz, {"index": True}),
        ],
    ),
    "SignInAttempt": (
        "sign_in_attempt",
        [
            ("email", Varchar, {"length": 254, "index": True}),
            ("client", Varchar, {"length": 64, "index": True}),
            ("succeeded", Boolean, {}),
            ("at", Timestamptz, {"index": True}),
        ],
    ),
    "SignInThrottle": (
        "sign_in_throttle",
        [
            ("bucket", Varchar, {"length": 64, "unique": True}),
            ("kind", Varchar, {"length": 10}),
            ("failures", Integer, {}),
            ("window_started_at", Timestamptz, {}),
            ("blocked_until", Timestamptz, {"default": None, "null": True}),
            ("updated_at", Timestamptz, {"index": True}),
        ],
    ),
    "Notification": (
        "notification",
        [
            ("channel", Varchar, {"length": 10, "index": True, "choices": Channel}),
            ("dedupe_key", Varchar, {"length": 200, "unique": True}),
            ("recipient_email", Varchar, {"length": 254}),
            ("recipient_name", Varchar, {"length": 200}),
            ("postal_address", Text, {}),
            ("subject", Varchar, {"length": 200}),
            ("body_text", Text, {}),
            ("body_html", Text, {}),
            ("attachments", JSON, {"default": "[]"}),
            ("disagreement_id", Integer, {"default": None, "null": True, "index": True}),
            ("status", Varchar, {"length": 10, "index": True, "choices": DeliveryStatus}),
            ("attempts", Integer, {}),
            ("next_attempt_at", Timestamptz, {"index": True}),
            ("last_error", Text, {}),
            ("created_at", Timestamptz, {}),
            ("sent_at", Timestamptz, {"default": None, "null": True}),
            ("organisation_id", Integer, {"default": None, "null": True}),
            ("posted_on", Date, {"default": None, "null": True}),
            ("posted_by", Integer, {"default": None, "null": True}),
            ("large_print", Boolean, {}),
        ],
    ),
    "MailboxMessage": (
        "mailbox_message",
        [
            ("received_at", Timestamptz, {"index": True}),
            ("mail_from", Varchar, {"length": 320}),
            ("recipients", Text, {}),
            ("subject", Text, {}),
            ("size", Integer, {}),
            ("content", Bytea, {}),
        ],
    ),
    "LaIcbLink": (
        "la_icb_link",
        [
            (
                "local_authority",
                ForeignKey,
                {"references": Organisation, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("icb", ForeignKey, {"references": Organisation, "on_delete": OnDelete.restrict, "index": True}),
            ("valid_from", Date, {"default": None, "null": True}),
            ("valid_to", Date, {"default": None, "null": True}),
        ],
    ),
    "OrganisationClosure": (
        "organisation_closure",
        [
            (
                "organisation",
                ForeignKey,
                {"references": Organisation, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("day", Date, {}),
            ("reason", Varchar, {"length": 120}),
        ],
    ),
    "OrganisationContact": (
        "organisation_contact",
        [
            (
                "organisation",
                ForeignKey,
                {"references": Organisation, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("purpose", Varchar, {"length": 40, "choices": ContactPurpose}),
            ("name", Varchar, {"length": 200}),
            ("email", Varchar, {"length": 254}),
            ("phone", Varchar, {"length": 40}),
            ("address", Text, {}),
            ("website", Varchar, {"length": 300}),
        ],
    ),
    "Account": (
        "account",
        [
            ("email", Varchar, {"length": 254, "unique": True}),
            ("password_hash", Secret, {}),
            ("full_name", Varchar, {"length": 200}),
            ("role", Varchar, {"length": 30, "index": True, "choices": Role}),
            (
                "organisation",
                ForeignKey,
                {"references": Organisation, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("family_relationship", Varchar, {"length": 30, "default": None, "null": True}),
            ("email_confirmed", Boolean, {}),
            ("active", Boolean, {"default": True}),
            ("created_at", Timestamptz, {}),
            ("last_sign_in_at", Timestamptz, {"default": None, "null": True}),
            ("must_change_password", Boolean, {}),
            ("session_epoch", Integer, {}),
        ],
    ),
    "Venue": (
        "venue",
        [
            (
                "service",
                ForeignKey,
                {"references": Organisation, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("name", Varchar, {"length": 200}),
            ("address", Text, {}),
            ("capacity", Integer, {"default": 6}),
            ("step_free", Boolean, {}),
            ("hearing_loop", Boolean, {}),
            ("quiet_room", Boolean, {}),
            ("active", Boolean, {"default": True}),
        ],
    ),
    "LetterFile": (
        "letter_file",
        [
            (
                "notification",
                ForeignKey,
                {"references": Notification, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("pdf", Bytea, {}),
        ],
    ),
    "ApiToken": (
        "api_token",
        [
            ("account", ForeignKey, {"references": Account, "on_delete": OnDelete.restrict, "index": True}),
            ("name", Varchar, {"length": 100}),
            ("token_digest", Varchar, {"length": 64, "unique": True}),
            ("prefix", Varchar, {"length": 16}),
            ("created_at", Timestamptz, {}),
            ("last_used_at", Timestamptz, {"default": None, "null": True}),
            ("revoked_at", Timestamptz, {"default": None, "null": True}),
            ("created_by", ForeignKey, {"references": Account, "on_delete": OnDelete.restrict}),
        ],
    ),
    "AuditEvent": (
        "audit_event",
        [
            ("at", Timestamptz, {"index": True}),
            ("actor", ForeignKey, {"references": Account, "on_delete": OnDelete.restrict, "index": True}),
            ("actor_label", Varchar, {"length": 260, "default": "system"}),
            ("action", Varchar, {"length": 60, "index": True}),
            ("entity", Varchar, {"length": 60}),
            ("entity_id", Varchar, {"length": 64}),
            ("disagreement_id", Integer, {"default": None, "null": True, "index": True}),
            ("summary", Varchar, {"length": 500}),
            ("before", JSON, {"default": None, "null": True}),
            ("after", JSON, {"default": None, "null": True}),
            ("client", Varchar, {"length": 64}),
        ],
    ),
    "Disagreement": (
        "disagreement",
        [
            ("reference", Varchar, {"length": 20, "unique": True}),
            ("family", ForeignKey, {"references": Account, "on_delete": OnDelete.restrict, "index": True}),
            (
                "local_authority",
                ForeignKey,
                {"references": Organisation, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("icb", ForeignKey, {"references": Organisation, "on_delete": OnDelete.restrict, "index": True}),
            (
                "mediation_service",
                ForeignKey,
                {"references": Organisation, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("child_name", Varchar, {"length": 200}),
            ("child_date_of_birth", Date, {}),
            ("decision", Varchar, {"length": 40}),
            ("decision_notice_sent", Date, {}),
            ("sections", Varchar, {"length": 60}),
            ("scope", Varchar, {"length": 60}),
            ("arranged_by", Varchar, {"length": 30, "default": None, "null": True}),
            ("state", Varchar, {"length": 30, "index": True}),
            ("next_due_date", Date, {"default": None, "null": True, "index": True}),
            ("created_at", Timestamptz, {}),
            ("updated_at", Timestamptz, {}),
            ("lodged_by", Varchar, {"length": 30, "default": "parent_carer"}),
            ("represented_person", Varchar, {"length": 200}),
            ("advocate_consent", Boolean, {}),
            ("wants_mediation", Boolean, {"default": None, "null": True}),
            ("health_provision_sought", Text, {}),
            ("accessibility", JSON, {}),
            ("contact_by", Varchar, {"length": 10, "default": "email"}),
            ("contact_email", Varchar, {"length": 254}),
            ("postal_address", Text, {}),
            ("routing_reason", Text, {}),
            ("received_on", Date, {"default": None, "null": True}),
            ("contact_phone", Varchar, {"length": 40}),
            ("lodging_draft", Integer, {"default": None, "null": True}),
            ("created_by", Integer, {"default": None, "null": True}),
            ("idempotency_key", Varchar, {"length": 200, "default": None, "null": True}),
            ("idempotency_hash", Varchar, {"length": 64}),
            ("assigned_to", ForeignKey, {"references": Account, "on_delete": OnDelete.restrict}),
            ("large_print", Boolean, {}),
        ],
    ),
    "LodgingDraft": (
        "lodging_draft",
        [
            ("account", ForeignKey, {"references": Account, "on_delete": OnDelete.restrict, "index": True}),
            ("answers", JSON, {}),
            ("act_by", Date, {"default": None, "null": True}),
            ("submitted", Boolean, {"index": True}),
            ("reference", Varchar, {"length": 20}),
            ("created_at", Timestamptz, {}),
            ("updated_at", Timestamptz, {}),
        ],
    ),
    "NoticeTemplate": (
        "notice_template",
        [
            (
                "local_authority",
                ForeignKey,
                {"references": Organisation, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("version", Integer, {}),
            ("body", Text, {}),
            ("fields", JSON, {"default": None, "null": True}),
            ("note", Varchar, {"length": 300}),
            ("created_by", ForeignKey, {"references": Account, "on_delete": OnDelete.restrict}),
            ("created_at", Timestamptz, {}),
        ],
    ),
    "NoticeBatch": (
        "notice_batch",
        [
            (
                "local_authority",
                ForeignKey,
                {"references": Organisation, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("uploaded_by", ForeignKey, {"references": Account, "on_delete": OnDelete.restrict}),
            ("filename", Varchar, {"length": 200}),
            ("total", Integer, {}),
            ("created_at", Timestamptz, {}),
        ],
    ),
    "MediatorProfile": (
        "mediator_profile",
        [
            ("account", ForeignKey, {"references": Account, "on_delete": OnDelete.restrict, "unique": True}),
            (
                "service",
                ForeignKey,
                {"references": Organisation, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("employed_by", ForeignKey, {"references": Organisation, "on_delete": OnDelete.restrict}),
            ("employed_by_nhs_england", Boolean, {}),
            ("active", Boolean, {"default": True}),
            ("created_at", Timestamptz, {}),
            ("updated_at", Timestamptz, {}),
        ],
    ),
    "CaseDocument": (
        "case_document",
        [
            (
                "disagreement",
                ForeignKey,
                {"references": Disagreement, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("draft_id", Integer, {"default": None, "null": True, "index": True}),
            ("kind", Varchar, {"length": 40}),
            ("filename", Varchar, {"length": 200}),
            ("content_type", Varchar, {"length": 60, "default": "application/pdf"}),
            ("size", Integer, {}),
            ("sha256", Varchar, {"length": 64}),
            ("content", Bytea, {}),
            ("uploaded_by", ForeignKey, {"references": Account, "on_delete": OnDelete.restrict}),
            ("uploaded_at", Timestamptz, {}),
        ],
    ),
    "CaseNote": (
        "case_note",
        [
            (
                "disagreement",
                ForeignKey,
                {"references": Disagreement, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("author", ForeignKey, {"references": Account, "on_delete": OnDelete.restrict}),
            ("text", Text, {}),
            ("created_at", Timestamptz, {}),
        ],
    ),
    "DisputedMatter": (
        "disputed_matter",
        [
            (
                "disagreement",
                ForeignKey,
                {"references": Disagreement, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("section", Varchar, {"length": 3}),
            ("disagreement_text", Text, {}),
            ("wanted_text", Text, {}),
        ],
    ),
    "StatutoryClock": (
        "statutory_clock",
        [
            (
                "disagreement",
                ForeignKey,
                {"references": Disagreement, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("rule", Varchar, {"length": 60, "index": True}),
            ("actor", Varchar, {"length": 40}),
            ("started_on", Date, {}),
            ("due", Date, {"index": True}),
            ("status", Varchar, {"length": 20, "index": True, "choices": ClockStatus}),
            ("citation", Varchar, {"length": 300}),
            ("rule_status", Varchar, {"length": 1}),
            ("explanation", JSON, {"default": "[]"}),
            ("started_by", Varchar, {"length": 200}),
            ("stopped_on", Date, {"default": None, "null": True}),
            ("stop_reason", Text, {}),
            ("version", Integer, {"default": 1}),
            ("created_at", Timestamptz, {}),
            ("updated_at", Timestamptz, {}),
        ],
    ),
    "IssueOutcome": (
        "issue_outcome",
        [
            (
                "disagreement",
                ForeignKey,
                {"references": Disagreement, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("issue", Varchar, {"length": 20}),
            ("outcome", Varchar, {"length": 20}),
            ("note", Text, {}),
            ("appealable", Boolean, {}),
        ],
    ),
    "TribunalAppeal": (
        "tribunal_appeal",
        [
            (
                "disagreement",
                ForeignKey,
                {"references": Disagreement, "on_delete": OnDelete.restrict, "unique": True, "index": True},
            ),
            ("tribunal_reference", Varchar, {"length": 40}),
            ("lodged_on", Date, {}),
            ("registered_on", Date, {"default": None, "null": True}),
            ("recommendations_requested", Varchar, {"length": 30}),
            ("certificate_issued_on", Date, {"default": None, "null": True}),
            ("appeal_due", Date, {"default": None, "null": True}),
            ("late", Boolean, {}),
            ("certificate_missing", Boolean, {}),
            ("flags", JSON, {"default": "[]"}),
            ("la_received_on", Date, {"default": None, "null": True}),
            ("response_computed", Date, {"default": None, "null": True}),
            ("response_directed", Date, {"default": None, "null": True}),
            ("response_sent_on", Date, {"default": None, "null": True}),
            ("evidence_due", Date, {"default": None, "null": True}),
            ("bundle_due", Date, {"default": None, "null": True}),
            ("hearing_on", Date, {"default": None, "null": True}),
            ("decision_on", Date, {"default": None, "null": True}),
            ("unopposed_on", Date, {"default": None, "null": True}),
            ("recorded_by", ForeignKey, {"references": Account, "on_delete": OnDelete.restrict}),
            ("created_at", Timestamptz, {}),
            ("updated_at", Timestamptz, {}),
        ],
    ),
    "MediationRecord": (
        "mediation_record",
        [
            (
                "disagreement",
                ForeignKey,
                {"references": Disagreement, "on_delete": OnDelete.restrict, "unique": True},
            ),
            (
                "mediator",
                ForeignKey,
                {"references": MediatorProfile, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("adviser_contacted_on", Date, {"default": None, "null": True}),
            ("choice", Varchar, {"length": 20}),
            ("choice_on", Date, {"default": None, "null": True}),
            ("icb_notified_on", Date, {"default": None, "null": True}),
            ("unable_to_arrange_on", Date, {"default": None, "null": True}),
            ("unable_reason", Text, {}),
            ("concluded_on", Date, {"default": None, "null": True}),
            ("outcome", Varchar, {"length": 20}),
            ("agreement_date", Date, {"default": None, "null": True}),
            ("agreement_text", Text, {}),
            ("follow_up_order", Varchar, {"length": 40}),
            ("agreed_due", Date, {"default": None, "null": True}),
            ("outside_certificate_on", Date, {"default": None, "null": True}),
            ("outside_certificate_number", Varchar, {"length": 60}),
            ("created_at", Timestamptz, {}),
            ("updated_at", Timestamptz, {}),
        ],
    ),
    "MediationSession": (
        "mediation_session",
        [
            (
                "disagreement",
                ForeignKey,
                {"references": Disagreement, "on_delete": OnDelete.restrict, "index": True},
            ),
            (
                "mediator",
                ForeignKey,
                {"references": MediatorProfile, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("venue", ForeignKey, {"references": Venue, "on_delete": OnDelete.restrict, "index": True}),
            ("remote", Boolean, {}),
            ("starts_at", Timestamptz, {"index": True}),
            ("ends_at", Timestamptz, {}),
            ("status", Varchar, {"length": 12, "index": True, "choices": SessionStatus}),
            ("interpreter", Varchar, {"length": 200}),
            ("shorter_notice_consent", Boolean, {}),
            ("uid", Varchar, {"length": 120, "unique": True}),
            ("sequence", Integer, {}),
            ("booked_by", ForeignKey, {"references": Account, "on_delete": OnDelete.restrict}),
            ("change_reason", Text, {}),
            ("created_at", Timestamptz, {}),
            ("updated_at", Timestamptz, {}),
            ("la_attending_officer", Varchar, {"length": 200}),
            ("la_officer_can_agree", Boolean, {"default": None, "null": True}),
        ],
    ),
    "MediatorLeave": (
        "mediator_leave",
        [
            (
                "mediator",
                ForeignKey,
                {"references": MediatorProfile, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("first_day", Date, {}),
            ("last_day", Date, {}),
            ("reason", Varchar, {"length": 120}),
        ],
    ),
    "WorkingHours": (
        "working_hours",
        [
            (
                "mediator",
                ForeignKey,
                {"references": MediatorProfile, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("weekday", Integer, {}),
            ("starts", Time, {}),
            ("ends", Time, {}),
        ],
    ),
    "DecisionNotice": (
        "decision_notice",
        [
            ("reference", Varchar, {"length": 20, "unique": True}),
            ("dedupe_key", Varchar, {"length": 200, "unique": True}),
            ("fingerprint", Varchar, {"length": 64, "index": True}),
            (
                "local_authority",
                ForeignKey,
                {"references": Organisation, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("decision", Varchar, {"length": 40}),
            ("plan_kind", Varchar, {"length": 10}),
            ("decision_date", Date, {}),
            ("sections", Varchar, {"length": 60}),
            ("child_name", Varchar, {"length": 200}),
            ("child_date_of_birth", Date, {}),
            ("family_name", Varchar, {"length": 200}),
            ("family_email", Varchar, {"length": 254, "index": True}),
            ("postal_address", Text, {}),
            ("channel", Varchar, {"length": 10}),
            ("sent_on", Date, {}),
            ("contact_adviser_by", Date, {"default": None, "null": True}),
            ("appeal_by", Date, {"default": None, "null": True}),
            ("deadlines", JSON, {"default": "[]"}),
            ("template", ForeignKey, {"references": NoticeTemplate, "on_delete": OnDelete.restrict}),
            ("body_html", Text, {}),
            ("body_text", Text, {}),
            ("notice_document", ForeignKey, {"references": CaseDocument, "on_delete": OnDelete.restrict}),
            ("plan_document", ForeignKey, {"references": CaseDocument, "on_delete": OnDelete.restrict}),
            ("batch", ForeignKey, {"references": NoticeBatch, "on_delete": OnDelete.restrict, "index": True}),
            ("issued_by", ForeignKey, {"references": Account, "on_delete": OnDelete.restrict}),
            ("created_at", Timestamptz, {}),
        ],
    ),
    "MediationCertificate": (
        "mediation_certificate",
        [
            (
                "disagreement",
                ForeignKey,
                {"references": Disagreement, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("kind", Varchar, {"length": 30}),
            ("number", Varchar, {"length": 60, "unique": True}),
            (
                "service",
                ForeignKey,
                {"references": Organisation, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("year", Integer, {}),
            ("sequence", Integer, {}),
            ("issued_on", Date, {}),
            ("issued_by", ForeignKey, {"references": Account, "on_delete": OnDelete.restrict}),
            ("document", ForeignKey, {"references": CaseDocument, "on_delete": OnDelete.restrict}),
            ("html", Text, {}),
            ("created_at", Timestamptz, {}),
        ],
    ),
    "AppealMatter": (
        "appeal_matter",
        [
            (
                "appeal",
                ForeignKey,
                {"references": TribunalAppeal, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("matter", Varchar, {"length": 30}),
            ("outcome", Varchar, {"length": 20}),
            ("outcome_on", Date, {"default": None, "null": True}),
        ],
    ),
    "TribunalObligation": (
        "tribunal_obligation",
        [
            (
                "appeal",
                ForeignKey,
                {"references": TribunalAppeal, "on_delete": OnDelete.restrict, "index": True},
            ),
            (
                "disagreement",
                ForeignKey,
                {"references": Disagreement, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("kind", Varchar, {"length": 20}),
            ("order_type", Varchar, {"length": 20}),
            ("rule", Varchar, {"length": 60}),
            (
                "owed_by",
                ForeignKey,
                {"references": Organisation, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("made_on", Date, {}),
            ("sent_on", Date, {"default": None, "null": True}),
            ("due", Date, {"index": True}),
            ("practical_due", Date, {"default": None, "null": True}),
            ("clock", ForeignKey, {"references": StatutoryClock, "on_delete": OnDelete.restrict}),
            ("status", Varchar, {"length": 20, "default": "open", "index": True}),
            ("done_on", Date, {"default": None, "null": True}),
            ("action", Varchar, {"length": 40}),
            ("note", Text, {}),
            ("sections", Varchar, {"length": 30}),
            ("details", Text, {}),
            ("recorded_by", ForeignKey, {"references": Account, "on_delete": OnDelete.restrict}),
            ("created_at", Timestamptz, {}),
            ("updated_at", Timestamptz, {}),
        ],
    ),
    "MeetingPoll": (
        "meeting_poll",
        [
            (
                "disagreement",
                ForeignKey,
                {"references": Disagreement, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("plan", JSON, {}),
            ("slots", JSON, {"default": "[]"}),
            ("status", Varchar, {"length": 12, "default": "open", "index": True}),
            ("reply_by", Date, {"index": True}),
            ("session", ForeignKey, {"references": MediationSession, "on_delete": OnDelete.restrict}),
            ("created_by", ForeignKey, {"references": Account, "on_delete": OnDelete.restrict}),
            ("created_at", Timestamptz, {}),
            ("closed_at", Timestamptz, {"default": None, "null": True}),
        ],
    ),
    "SessionAttendee": (
        "session_attendee",
        [
            (
                "session",
                ForeignKey,
                {"references": MediationSession, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("role", Varchar, {"length": 20}),
            ("name", Varchar, {"length": 200}),
            ("email", Varchar, {"length": 254}),
            ("account", ForeignKey, {"references": Account, "on_delete": OnDelete.restrict, "index": True}),
            ("authority_to_agree", Boolean, {}),
            ("starts_at", Timestamptz, {}),
            ("ends_at", Timestamptz, {}),
            ("status", Varchar, {"length": 12, "choices": SessionStatus}),
        ],
    ),
    "SessionOffer": (
        "session_offer",
        [
            (
                "disagreement",
                ForeignKey,
                {"references": Disagreement, "on_delete": OnDelete.restrict, "index": True},
            ),
            ("plan", JSON, {}),
            ("slots", JSON, {"default": "[]"}),
            ("status", Varchar, {"length": 12, "default": "open"}),
            ("session", ForeignKey, {"references": MediationSession, "on_delete": OnDelete.restrict}),
            ("created_by", ForeignKey, {"references": Account, "on_delete": OnDelete.restrict}),
            ("created_at", Timestamptz, {}),
            ("expires_at", Timestamptz, {}),
            ("short_code", Varchar, {"length": 8, "default": None, "null": True}),
            ("reply_by", Date, {"default": None, "null": True}),
        ],
    ),
    "NoticeBatchRow": (
        "notice_batch_row",
        [
            ("batch", ForeignKey, {"references": NoticeBatch, "on_delete": OnDelete.restrict, "index": True}),
            ("row_number", Integer, {}),
            ("values", JSON, {}),
            ("document", ForeignKey, {"references": CaseDocument, "on_delete": OnDelete.restrict}),
            ("status", Varchar, {"length": 10, "index": True, "choices": RowStatus}),
            ("error", Text, {}),
            ("attempts", Integer, {}),
            ("lease_until", Timestamptz, {"default": None, "null": True}),
            ("notice", ForeignKey, {"references": DecisionNotice, "on_delete": OnDelete.restrict}),
            ("dedupe_key", Varchar, {"length": 200, "unique": True}),
            ("updated_at", Timestamptz, {}),
        ],
    ),
    "PollInvitee": (
        "poll_invitee",
        [
            ("poll", ForeignKey, {"references": MeetingPoll, "on_delete": OnDelete.restrict, "index": True}),
            ("role", Varchar, {"length": 20}),
            ("name", Varchar, {"length": 200}),
            ("email", Varchar, {"length": 254}),
            ("account", ForeignKey, {"references": Account, "on_delete": OnDelete.restrict}),
            ("nonce", Varchar, {"length": 32}),
            ("answers", JSON, {}),
            ("answered_at", Timestamptz, {"default": None, "null": True}),
            ("short_code", Varchar, {"length": 8, "default": None, "null": True}),
        ],
    ),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)
    for class_name, (tablename, columns) in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, params in columns:
            manager.add_column(
                table_class_name=class_name,
                tablename=tablename,
                column_name=name,
                db_column_name=name,
                column_class_name=column_class.__name__,
                column_class=column_class,
                params=params,
                schema=None,
            )
    return manager
