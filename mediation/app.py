"""The app factory: plugins, templates, sessions, CSRF, security headers, static assets, routes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException
from litestar.handlers import BaseRouteHandler
from litestar.middleware.base import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.template.config import TemplateConfig

import mediation.capabilities  # noqa: F401 - what higher capabilities register into cases (its docstring)
from mediation import db
from mediation.accounts import admin_pages as account_admin_pages
from mediation.accounts import api as accounts_api
from mediation.accounts import pages as account_pages
from mediation.accounts import password_pages
from mediation.attendees import pages as mediation_guest_pages
from mediation.audit_log import pages as audit_pages
from mediation.case_events import api as case_events_api
from mediation.case_mediation import api as mediation_api
from mediation.case_mediation import pages as mediation_pages
from mediation.cases import api as cases_api
from mediation.cases import contact_pages as case_contact_pages
from mediation.cases import pages as case_pages
from mediation.cases import succession_pages
from mediation.cases import work_pages as case_work_pages
from mediation.certificates import pages as certificate_pages
from mediation.errors import ServiceError
from mediation.home import pages as home_pages
from mediation.jobs import start_scheduler
from mediation.lodging import api as lodging_api
from mediation.lodging import pages as lodging_pages
from mediation.notices import api as notices_api
from mediation.notices import bulk_pages as notice_bulk_pages
from mediation.notices import pages as notice_pages
from mediation.notices import template_pages as notice_template_pages
from mediation.notify import mailbox, mailbox_pages, print_pages
from mediation.notify import pages as outbox_pages
from mediation.offers import pages as offer_pages
from mediation.organisations import api as organisations_api
from mediation.organisations import pages as organisation_pages
from mediation.outcomes import pages as outcome_pages
from mediation.polls import pages as mediation_poll_pages
from mediation.public import accessibility as accessibility_statement
from mediation.public import api as public_api
from mediation.public import pages as public_pages
from mediation.reminders import pages as reminder_pages
from mediation.reply_codes import pages as mediation_reply_pages
from mediation.reports import api as reports_api
from mediation.reports import pages as report_pages
from mediation.scheduler_lease import SchedulerLease, run_when_leased
from mediation.services import pages as mediation_other_pages
from mediation.sessions import pages as mediation_schedule_pages
from mediation.settings import ROOT, Settings, settings
from mediation.tribunal import api as tribunal_api
from mediation.tribunal import duty_pages as tribunal_duty_pages
from mediation.tribunal import form_pages as tribunal_form_pages
from mediation.tribunal import pages as tribunal_pages
from mediation.web import openapi, system
from mediation.web.auth import CurrentUserMiddleware, TokenAwareCSRFMiddleware, authorise
from mediation.web.deferred_audit import DeferredViewAuditMiddleware
from mediation.web.edge import EdgeRequest, parameter_guard
from mediation.web.errors import http_exception_handler, internal_error_handler, service_error_handler
from mediation.web.security import security_headers
from mediation.web.sessions import DatabaseSessionStore, RotatingSessionConfig
from mediation.web.templating import build_environment

log = logging.getLogger(__name__)

GOVUK_ASSETS = ROOT / "mediation" / "static" / "govuk"  # copied from npm by scripts/setup.sh
# Public and stateless: the calculators, the rule catalogue and /health read no session, no signed-in user
# and no query parameter, and change nothing, so they sit outside the service router's middleware and
# guard (tests/edge/test_stateless_routes.py). Static assets are served beside them for the same reason.
STATELESS = [system.health, *public_api.ROUTES]


def _session_store(config: Settings) -> Store:
    if config.redis_url:
        from litestar.stores.redis import RedisStore

        return RedisStore.with_client(url=config.redis_url, namespace="mediation-sessions")
    return DatabaseSessionStore()


async def guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """The app's one route guard: who may take the handler's action, then parameters the database could
    not take. One async guard, because Litestar runs each sync guard in a worker thread and copies the
    handler once per guard: two sync guards cost two thread hops and two copies on every request."""
    authorise(connection, handler)
    parameter_guard(connection, handler)


def create_app(config: Settings = settings) -> Litestar:
    if not (GOVUK_ASSETS / "govuk-frontend.min.css").exists():
        log.warning("GOV.UK Frontend assets missing at %s: run scripts/setup.sh", GOVUK_ASSETS)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = db.engine()
        await db.start_pool(engine)
        scheduler = None
        catcher = None
        lease: SchedulerLease | None = None
        waiting: asyncio.Task[None] | None = None
        try:
            # One process at a time: migrations, then demo data, so two starting together never both seed it.
            async with db.startup_lock():
                await db.migrate()
                if config.load_demo_data:
                    from mediation.demo import load_demo_data

                    await load_demo_data()
            catcher = await mailbox.start_for(config)  # MAILBOX: the outbox goes to the admin mailbox page
            if config.run_scheduler:
                # One process of the deployment runs the jobs (WEB_CONCURRENCY workers, several hosts).
                lease = SchedulerLease(config)

                def start() -> None:
                    nonlocal scheduler
                    scheduler = start_scheduler(config)

                waiting = asyncio.create_task(run_when_leased(lease, start))
            yield
        finally:
            if waiting is not None:
                waiting.cancel()
            if scheduler is not None and scheduler.running:
                scheduler.shutdown(wait=False)
            if lease is not None:
                await lease.release()
            if catcher is not None:
                await catcher.close()
            if engine.engine_type == "postgres":
                await engine.close_connection_pool()

    session_config = RotatingSessionConfig(
        store="sessions",
        max_age=config.session_max_age,
        secure=config.secure_cookies,
        httponly=True,
        samesite="lax",
    )
    public = {"action": "public"}
    assets = create_static_files_router(
        path="/assets",
        directories=[GOVUK_ASSETS],
        name="govuk_assets",
        opt=public,
    )
    own_static = create_static_files_router(
        path="/static", directories=[ROOT / "mediation" / "static"], name="static", opt=public
    )
    # Everything a person or an integration signs in for, and every public page with a form: sessions,
    # the signed-in user, CSRF, deferred view audit and the route guard. The stateless routes beside it
    # (STATELESS) take none of that: each layer costs every request a call, and the guard a copy of the
    # handler, for nothing on a route that reads no session and no parameter.
    service = Router(
        path="/",
        guards=[guard],  # every handler declares its action; access.PERMISSIONS decides
        middleware=[
            DeferredViewAuditMiddleware(),  # staff views audited after the response (web/deferred_audit.py)
            session_config.middleware,
            CurrentUserMiddleware(),
            # Innermost, where csrf_config would put Litestar's own; API-token requests skip it.
            DefineMiddleware(
                TokenAwareCSRFMiddleware,
                config=CSRFConfig(
                    secret=config.secret_key,
                    cookie_secure=config.secure_cookies,
                    cookie_httponly=True,
                    cookie_samesite="lax",
                ),
            ),
        ],
        route_handlers=[
            *public_pages.ROUTES,
            *accessibility_statement.ROUTES,
            *account_pages.ROUTES,
            *account_admin_pages.ROUTES,
            *password_pages.ROUTES,
            *accounts_api.ROUTES,
            *organisation_pages.ROUTES,
            *succession_pages.ROUTES,  # the organisations page's "pass open cases on now" form
            *organisations_api.ROUTES,
            *case_pages.ROUTES,
            *case_work_pages.ROUTES,
            *reminder_pages.ROUTES,
            *case_contact_pages.ROUTES,
            *lodging_pages.ROUTES,
            *notice_bulk_pages.ROUTES,
            *notice_pages.ROUTES,
            *notice_template_pages.ROUTES,
            *notices_api.ROUTES,
            *cases_api.ROUTES,
            *lodging_api.ROUTES,
            *case_events_api.ROUTES,
            *audit_pages.ROUTES,
            *outbox_pages.ROUTES,
            *print_pages.ROUTES,
            *mailbox_pages.ROUTES,
            *mediation_pages.ROUTES,
            *mediation_schedule_pages.ROUTES,
            *mediation_guest_pages.ROUTES,
            *mediation_other_pages.ROUTES,
            *mediation_api.ROUTES,
            *report_pages.ROUTES,
            *reports_api.ROUTES,
            *tribunal_pages.ROUTES,
            *tribunal_form_pages.ROUTES,
            *tribunal_duty_pages.ROUTES,
            *tribunal_api.ROUTES,
            *mediation_poll_pages.ROUTES,
            *mediation_reply_pages.ROUTES,
            *home_pages.ROUTES,
            *certificate_pages.ROUTES,
            *outcome_pages.ROUTES,
            *offer_pages.ROUTES,
        ],
    )
    return Litestar(
        route_handlers=[assets, own_static, *STATELESS, service],
        lifespan=[lifespan],
        request_class=EdgeRequest,  # hostile JSON and forms refused as they are read (web/edge.py)
        before_send=[security_headers],  # on every response, 404/405 and middleware's 401 included
        plugins=[openapi.HonestSchema()],  # pages out of the OpenAPI, each API operation's refusals in it
        stores={"sessions": _session_store(config)},
        template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(build_environment())),
        openapi_config=OpenAPIConfig(
            title="send-mediation API",
            version="1",
            description="SEND disagreements from decision to mediation, tribunal and compliance.",
            openapi_router=Router(path="/schema", route_handlers=[], opt=public, include_in_schema=False),
            # JSON and YAML only: the HTML viewers load scripts from public CDNs.
            render_plugins=[JsonRenderPlugin(), YamlRenderPlugin()],
        ),
        exception_handlers={
            HTTPException: http_exception_handler,
            ServiceError: service_error_handler,
            Exception: internal_error_handler,
        },
        debug=False,
    )
