"""One typed settings object, read from the environment once."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = ROOT / "var" / "mediation.sqlite"


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a whole number of 1 or more, got {raw!r}")
    return int(raw)


def _port(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) > 65535:
        raise ValueError(f"{name} must be a port number from 0 (any free port) to 65535, got {raw!r}")
    return int(raw)


def _mailbox(is_sqlite: bool) -> bool:
    """The embedded mailbox: on by default for the SQLite demo, off on PostgreSQL and whenever SMTP_HOST
    names a real mail server (the two cannot both receive the outbox)."""
    smtp_host_set = bool(os.environ.get("SMTP_HOST", "").strip())
    mailbox = _flag("MAILBOX", is_sqlite and not smtp_host_set)
    if mailbox and smtp_host_set:
        raise ValueError(
            "MAILBOX is on and SMTP_HOST is set: the mailbox catches the outbox in place of an SMTP "
            "server, so set one of them (production: SMTP_HOST, with MAILBOX unset or 0)"
        )
    return mailbox


@dataclass(frozen=True)
class DatabaseConfig:
    engine: str  # "sqlite" or "postgres"
    path: str = ""
    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""
    database: str = ""

    @classmethod
    def from_url(cls, url: str) -> DatabaseConfig:
        if url.startswith("sqlite:///"):
            return cls(engine="sqlite", path=url.removeprefix("sqlite:///"))
        if url.startswith(("postgres://", "postgresql://")):
            parts = urlparse(url)
            return cls(
                engine="postgres",
                host=parts.hostname or "127.0.0.1",
                port=parts.port or 5432,
                user=parts.username or "postgres",
                password=parts.password or "",
                database=parts.path.lstrip("/") or "postgres",
            )
        raise ValueError(f"DATABASE_URL must start with sqlite:/// or postgres://, got {url!r}")


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{DEFAULT_SQLITE}"
    # PostgreSQL only: the role that owns the tables and runs the migrations, when the service itself runs as
    # a non-owner role (DATABASE_URL) that cannot alter, truncate or disable the audit log's triggers.
    migration_database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    secure_cookies: bool = False
    session_max_age: int = 8 * 3600
    redis_url: str | None = None
    load_demo_data: bool = True
    run_scheduler: bool = True
    base_url: str = "http://127.0.0.1:8000"
    base_url_set: bool = False  # BASE_URL given: a command outside the server has no HOST:PORT to go by
    template_auto_reload: bool = False  # development only: re-read changed templates without a restart
    web_concurrency: int = 1  # uvicorn worker processes; the scheduler runs in one (scheduler_lease.py)
    access_log: bool = True  # uvicorn's access log (secrets redacted); ACCESS_LOG=0 when a proxy logs
    # Sign-in throttling (mediation/accounts/throttle.py): free failures per account from one client,
    # per client across accounts and per account across clients, counted over a window; past a limit
    # the bucket waits login_first_wait_seconds, doubling with each further failure up to the maximum.
    login_max_failures: int = 5
    login_client_max_failures: int = 20
    login_account_max_failures: int = 100
    login_window_minutes: int = 60
    login_first_wait_seconds: int = 60
    login_max_wait_minutes: int = 15
    # Proxy addresses whose X-Forwarded-For / X-Forwarded-Proto uvicorn believes (comma-separated, or
    # "*"); empty: proxy headers are ignored and the client is the connecting address.
    forwarded_allow_ips: str = ""
    # Outbox email delivery (mediation/notify/email.py); the default matches a local dev mail catcher.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_from: str = "no-reply@send-mediation.example"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout: float = 10.0  # seconds, per SMTP operation
    smtp_max_attempts: int = 8  # then the message is marked failed
    # The embedded mail catcher and admin mailbox page (notify/mailbox.py) in place of SMTP: demo only.
    mailbox: bool = False
    mailbox_port: int = 0  # 0: any free loopback port
    outbox_interval_seconds: int = 30  # how often the scheduler delivers the outbox

    @property
    def database(self) -> DatabaseConfig:
        return DatabaseConfig.from_url(self.database_url)

    @property
    def migration_database(self) -> DatabaseConfig:
        """Where migrations run: MIGRATION_DATABASE_URL, else the app's own DATABASE_URL."""
        if not self.migration_database_url:
            return self.database
        return migration_database(self.database, DatabaseConfig.from_url(self.migration_database_url))

    @property
    def separate_migration_role(self) -> bool:
        return self.migration_database.user != self.database.user

    @classmethod
    def from_env(cls) -> Settings:
        database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE}"
        is_sqlite = database_url.startswith("sqlite")
        host = os.environ.get("HOST", "127.0.0.1")
        port = int(os.environ.get("PORT", "8000"))
        secret = os.environ.get("SECRET_KEY") or _persistent_dev_secret(is_sqlite)
        migration_database_url = os.environ.get("MIGRATION_DATABASE_URL") or None
        mailbox = _mailbox(is_sqlite)
        if migration_database_url:
            # Fail at start-up, with the reason, rather than at the first migration.
            migration_database(
                DatabaseConfig.from_url(database_url), DatabaseConfig.from_url(migration_database_url)
            )
        return cls(
            database_url=database_url,
            migration_database_url=migration_database_url,
            host=host,
            port=port,
            secret_key=secret,
            secure_cookies=_flag("SECURE_COOKIES", False),
            session_max_age=int(os.environ.get("SESSION_MAX_AGE", str(8 * 3600))),
            redis_url=os.environ.get("REDIS_URL") or None,
            # Demo data on the embedded default only, unless asked for: never seed a production database.
            load_demo_data=_flag("DEMO_DATA", is_sqlite),
            run_scheduler=_flag("RUN_SCHEDULER", True),
            base_url=os.environ.get("BASE_URL", f"http://{host}:{port}"),
            base_url_set=bool(os.environ.get("BASE_URL", "").strip()),
            template_auto_reload=_flag("TEMPLATE_AUTO_RELOAD", False),
            web_concurrency=_positive_int("WEB_CONCURRENCY", 1),
            access_log=_flag("ACCESS_LOG", True),
            login_max_failures=_positive_int("LOGIN_MAX_FAILURES", 5),
            login_client_max_failures=_positive_int("LOGIN_CLIENT_MAX_FAILURES", 20),
            login_account_max_failures=_positive_int("LOGIN_ACCOUNT_MAX_FAILURES", 100),
            login_window_minutes=_positive_int("LOGIN_WINDOW_MINUTES", 60),
            login_first_wait_seconds=_positive_int("LOGIN_FIRST_WAIT_SECONDS", 60),
            login_max_wait_minutes=_positive_int("LOGIN_MAX_WAIT_MINUTES", 15),
            forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "").strip(),
            smtp_host=os.environ.get("SMTP_HOST", "127.0.0.1"),
            smtp_port=int(os.environ.get("SMTP_PORT", "1025")),
            smtp_from=os.environ.get("SMTP_FROM", "no-reply@send-mediation.example"),
            smtp_username=os.environ.get("SMTP_USERNAME") or None,
            smtp_password=os.environ.get("SMTP_PASSWORD") or None,
            smtp_starttls=_flag("SMTP_STARTTLS", False),
            smtp_timeout=float(os.environ.get("SMTP_TIMEOUT", "10")),
            smtp_max_attempts=int(os.environ.get("SMTP_MAX_ATTEMPTS", "8")),
            mailbox=mailbox,
            mailbox_port=_port("MAILBOX_PORT", 0),
            # With the mailbox, a newcomer waits a few seconds for the confirmation email, not half a minute.
            outbox_interval_seconds=_positive_int("OUTBOX_INTERVAL_SECONDS", 5 if mailbox else 30),
        )


def migration_database(app: DatabaseConfig, migrations: DatabaseConfig) -> DatabaseConfig:
    """The migration role's connection, which must reach the very database the app uses, as another role."""
    if app.engine != "postgres" or migrations.engine != "postgres":
        raise ValueError("MIGRATION_DATABASE_URL is for PostgreSQL only, with DATABASE_URL on PostgreSQL too")
    if (migrations.host, migrations.port, migrations.database) != (app.host, app.port, app.database):
        raise ValueError(
            "MIGRATION_DATABASE_URL must name the same host, port and database as DATABASE_URL "
            f"({app.host}:{app.port}/{app.database}), with the owner role's user and password"
        )
    return migrations


def _persistent_dev_secret(is_sqlite: bool) -> str:
    """Without SECRET_KEY, keep one in var/ so sessions survive restarts; many processes need SECRET_KEY."""
    if not is_sqlite:
        raise RuntimeError("SECRET_KEY must be set when DATABASE_URL points at PostgreSQL")
    path = ROOT / "var" / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


settings = Settings.from_env()
