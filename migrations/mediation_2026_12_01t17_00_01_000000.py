"""The indexes Piccolo's column options cannot declare: on more than one column, or partial (WHERE), the same
on SQLite and PostgreSQL. Raw DDL because SQLite cannot add composite constraints (stack.md section 2.2),
and in its own migration because Piccolo runs raw steps before a migration's tables.
Squashed from the migrations before issue 16; each index is what that chain created, by the same name.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T17:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite, partial and unique indexes"

INDEXES = [
    # Organisations: one contact per purpose, one link per LA and ICB, one closure entry per day.
    "CREATE UNIQUE INDEX IF NOT EXISTS organisation_contact_purpose_uniq ON organisation_contact (organisation, purpose)",
    "CREATE UNIQUE INDEX IF NOT EXISTS la_icb_link_uniq ON la_icb_link (local_authority, icb)",
    "CREATE UNIQUE INDEX IF NOT EXISTS organisation_closure_day_uniq ON organisation_closure (organisation, day)",
    # Accounts: the sign-in throttle counts recent attempts per email.
    "CREATE INDEX IF NOT EXISTS sign_in_attempt_recent ON sign_in_attempt (email, at)",
    # Work queues: each organisation's queue, and each filter it offers, in the order shown (nearest
    # deadline, then id: the keyset it pages by); "unassigned" and "my cases" by assignee.
    "CREATE INDEX IF NOT EXISTS disagreement_la_due_queue ON disagreement (local_authority, next_due_date, id)",
    "CREATE INDEX IF NOT EXISTS disagreement_la_state_queue ON disagreement (local_authority, state, next_due_date, id)",
    "CREATE INDEX IF NOT EXISTS disagreement_la_assignee_queue"
    " ON disagreement (local_authority, assigned_to, next_due_date, id)",
    "CREATE INDEX IF NOT EXISTS disagreement_icb_due_queue ON disagreement (icb, next_due_date, id)",
    "CREATE INDEX IF NOT EXISTS disagreement_icb_state_queue ON disagreement (icb, state, next_due_date, id)",
    "CREATE INDEX IF NOT EXISTS disagreement_service_due_queue ON disagreement (mediation_service, next_due_date, id)",
    "CREATE INDEX IF NOT EXISTS disagreement_service_state_queue"
    " ON disagreement (mediation_service, state, next_due_date, id)",
    "CREATE INDEX IF NOT EXISTS disagreement_assignee_queue ON disagreement (assigned_to, next_due_date, id)",
    # Lodging: a draft becomes at most one case however often "Send" is pressed, and the same
    # Idempotency-Key from the same account lodges one case; the open drafts of an account.
    "CREATE UNIQUE INDEX IF NOT EXISTS disagreement_lodging_draft_uniq ON disagreement (lodging_draft)"
    " WHERE lodging_draft IS NOT NULL",
    "CREATE UNIQUE INDEX IF NOT EXISTS disagreement_idempotency_uniq ON disagreement (created_by, idempotency_key)"
    " WHERE idempotency_key IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS lodging_draft_open ON lodging_draft (account, submitted, updated_at)",
    "CREATE UNIQUE INDEX IF NOT EXISTS disputed_matter_section_uniq ON disputed_matter (disagreement, section)",
    # Clocks: the reminder and breach sweeps scan running clocks by due date; a rule runs at most once at a
    # time for each body on a case.
    "CREATE INDEX IF NOT EXISTS statutory_clock_running_due ON statutory_clock (status, due)",
    "CREATE INDEX IF NOT EXISTS statutory_clock_case ON statutory_clock (disagreement, status, due)",
    "CREATE UNIQUE INDEX IF NOT EXISTS statutory_clock_running_uniq ON statutory_clock (disagreement, rule, actor)"
    " WHERE status = 'running'",
    # Messages: the outbox worker takes pending messages whose time has come; the print queue reads an
    # organisation's letters to post (posted_on null) and those posted, in order.
    "CREATE INDEX IF NOT EXISTS notification_due ON notification (status, next_attempt_at)",
    "CREATE INDEX IF NOT EXISTS notification_print_queue ON notification (organisation_id, posted_on, id)",
    # Audit log: a case's timeline, and each filter of the audit page with the keyset (at, id) it pages by.
    "CREATE INDEX IF NOT EXISTS audit_event_case_timeline ON audit_event (disagreement_id, at)",
    "CREATE INDEX IF NOT EXISTS audit_event_keyset ON audit_event (at, id)",
    "CREATE INDEX IF NOT EXISTS audit_event_case_keyset ON audit_event (disagreement_id, at, id)",
    "CREATE INDEX IF NOT EXISTS audit_event_actor_keyset ON audit_event (actor, at, id)",
    "CREATE INDEX IF NOT EXISTS audit_event_action_keyset ON audit_event (action, at, id)",
    # Mediation: certificate numbers per service and year; the look-ups that check a booking for overlaps
    # (PostgreSQL also refuses overlaps by constraint, in the PostgreSQL-only migration after this one).
    "CREATE UNIQUE INDEX IF NOT EXISTS mediation_certificate_number_uniq ON mediation_certificate (service, year, sequence)",
    "CREATE INDEX IF NOT EXISTS mediation_session_mediator_time ON mediation_session (mediator, status, starts_at)",
    "CREATE INDEX IF NOT EXISTS mediation_session_venue_time ON mediation_session (venue, status, starts_at)",
    "CREATE INDEX IF NOT EXISTS mediation_session_case_time ON mediation_session (disagreement, status, starts_at)",
    "CREATE INDEX IF NOT EXISTS session_attendee_account_time ON session_attendee (account, status, starts_at)",
    "CREATE INDEX IF NOT EXISTS mediator_leave_days ON mediator_leave (mediator, first_day, last_day)",
    "CREATE INDEX IF NOT EXISTS working_hours_day ON working_hours (mediator, weekday)",
    # A posted offer's and a poll invitee's short reply code are unique (NULL, for those asked by email,
    # repeats freely); the poll reminder sweep finds open polls by reply-by date.
    "CREATE UNIQUE INDEX IF NOT EXISTS session_offer_short_code ON session_offer (short_code)",
    "CREATE UNIQUE INDEX IF NOT EXISTS poll_invitee_short_code ON poll_invitee (short_code)",
    "CREATE INDEX IF NOT EXISTS meeting_poll_open_reply_by ON meeting_poll (status, reply_by)",
    # Decision notices: one version number per LA (two editors saving at once cannot both create version N);
    # the LA's notice list, newest first; the bulk-issue sweep claims queued rows or rows whose lease ran out.
    "CREATE UNIQUE INDEX IF NOT EXISTS notice_template_version_uniq ON notice_template (local_authority, version)",
    "CREATE INDEX IF NOT EXISTS decision_notice_la_created ON decision_notice (local_authority, created_at)",
    "CREATE INDEX IF NOT EXISTS notice_batch_row_due ON notice_batch_row (status, lease_until)",
    "CREATE UNIQUE INDEX IF NOT EXISTS notice_batch_row_line_uniq ON notice_batch_row (batch, row_number)",
    # Tribunal: "what you owe" lists and compliance counts by body and due date; one open duty per rule and
    # body on a case (a second recording of the same order updates it); one row per appeal and matter.
    "CREATE INDEX IF NOT EXISTS tribunal_obligation_owed ON tribunal_obligation (owed_by, status, due)",
    "CREATE INDEX IF NOT EXISTS tribunal_obligation_case ON tribunal_obligation (disagreement, status)",
    "CREATE UNIQUE INDEX IF NOT EXISTS tribunal_obligation_open_uniq ON tribunal_obligation (disagreement, rule, owed_by)"
    " WHERE status = 'open'",
    "CREATE UNIQUE INDEX IF NOT EXISTS appeal_matter_uniq ON appeal_matter (appeal, matter)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
