"""Settings read from the environment, once, into one typed object.

Defaults suit a laptop: SQLite in the instance folder, the rules assistant,
no mail server (the caseworker copies invitation links), no Redis, and the
secret key `make run` keeps in the instance folder when SECRET_KEY is unset.
A feature turns on when its settings are present.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta
from pathlib import Path
from typing import Any

from limits import parse_many

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a key
"""The file in the instance folder that `make run` writes a random key to."""

# Signs cookies only in debug and tests, where nothing is worth stealing.
DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message says which and how to fix it."""


def parse_boolean(name: str, value: str) -> bool:
    """Parse a yes/no setting strictly: junk is an error, not a guess."""
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}.")


def parse_int(name: str, value: str) -> int:
    """Parse a whole-number setting, naming the variable when it is not one."""
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}.") from None


def parse_retention_days(value: str) -> int:
    """RETENTION_DAYS: a whole number of days, at least 1."""
    days = parse_int("RETENTION_DAYS", value)
    if days < 1:
        raise ConfigError(f"RETENTION_DAYS must be at least 1 day, not {days}.")
    return days


def parse_rate_limit(name: str, value: str) -> str:
    """Check a rate-limit setting ("20 per minute;200 per hour") and return it."""
    try:
        if parse_many(value):
            return value
    except ValueError:
        pass
    raise ConfigError(
        f"{name} must be a rate like '20 per minute', or several joined with ';' "
        f"('20 per minute;200 per hour'), not {value!r}."
    )


@dataclass(frozen=True)
class RateLimits:
    """How often a person, and one network address, may do the costly or
    sensitive things (portal/rate_limits.py), as `limits` strings.

    Each is read from RATE_LIMIT_ + the field name in capitals. The per-address
    limits sit well above the per-person ones: a council office signs in from
    one address behind its NAT.
    """

    sign_in_per_address: str = "30 per minute;300 per hour"
    password_reset_per_address: str = "10 per minute;60 per hour"  # noqa: S105 - a limit
    password_change_per_person: str = "10 per hour"  # noqa: S105 - a limit
    password_change_per_address: str = "100 per hour"  # noqa: S105 - a limit
    invite_per_person: str = "30 per hour"
    invite_per_address: str = "100 per hour"
    assistant_per_person: str = "60 per minute"
    assistant_per_address: str = "600 per minute"
    decision_per_person: str = "120 per minute"
    decision_per_address: str = "1200 per minute"
    # PDF and Word downloads: each takes seconds of a CPU (bench/downloads.py).
    download_per_person: str = "30 per minute"
    download_per_address: str = "300 per minute"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RateLimits:
        """Each limit from its RATE_LIMIT_* variable, else the default."""
        defaults, values = cls(), {}
        for f in fields(cls):
            name = "RATE_LIMIT_" + f.name.upper()
            default: str = getattr(defaults, f.name)
            values[f.name] = parse_rate_limit(name, env.get(name, default))
        return cls(**values)


@dataclass(frozen=True)
class OidcProvider:
    """One single sign-on provider (OpenID Connect), from OIDC_<NAME>_* variables."""

    name: str  # the <NAME> part in lower case, with `-` for `_`: used in URLs
    issuer: str
    client_id: str
    client_secret: str
    display_name: str

    @property
    def discovery_url(self) -> str:
        """Where the provider describes itself (OpenID Connect Discovery)."""
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


OIDC_FIELDS = ("CLIENT_ID", "CLIENT_SECRET", "DISPLAY_NAME")


def parse_oidc_providers(env: Mapping[str, str]) -> tuple[OidcProvider, ...]:
    """Every provider with an OIDC_<NAME>_ISSUER, sorted by name; a provider
    without its client id or secret, or with an issuer that is not a URL, is
    an error naming the variable."""
    providers = []
    for key in sorted(env):
        if not (key.startswith("OIDC_") and key.endswith("_ISSUER")) or not env[key]:
            continue
        upper = key[len("OIDC_") : -len("_ISSUER")]
        if not re.fullmatch(r"[A-Z0-9]+(_[A-Z0-9]+)*", upper):
            raise ConfigError(
                f"{key}: the provider's name must be capital letters, digits and "
                "single underscores, like OIDC_COUNCIL_ISSUER."
            )
        # Kept exactly (a trailing slash too): ID tokens must name it so.
        issuer = env[key].strip()
        if not issuer.startswith(("https://", "http://")):
            raise ConfigError(f"{key} must be the provider's URL, not {issuer!r}.")
        values = {f: env.get(f"OIDC_{upper}_{f}", "").strip() for f in OIDC_FIELDS}
        for f in ("CLIENT_ID", "CLIENT_SECRET"):
            if not values[f]:
                raise ConfigError(
                    f"{key} is set, so OIDC_{upper}_{f} must be set too: the "
                    "provider gives it when you register the portal with it."
                )
        providers.append(
            OidcProvider(
                name=upper.lower().replace("_", "-"),
                issuer=issuer,
                client_id=values["CLIENT_ID"],
                client_secret=values["CLIENT_SECRET"],
                display_name=values["DISPLAY_NAME"] or upper.replace("_", " ").title(),
            )
        )
    return tuple(providers)


def read_secret_key_file(path: Path) -> str:
    """The key kept in `path`, stripped; a ConfigError says why there is none."""
    try:
        key = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        problem = f"there is no {path}"
    except UnicodeDecodeError:
        problem = f"{path} is not text"
    except OSError as error:
        problem = f"{path} cannot be read ({error.strerror or error})"
    else:
        if key:
            return key
        problem = f"{path} is empty"
    # Never invent a key here: the processes of one portal must share theirs,
    # and a key made up per process would sign each one's cookies differently.
    raise ConfigError(
        f"SECRET_KEY is not set and {problem}. Set SECRET_KEY to a long random "
        "string, the same for every process of the portal, for example with: "
        "export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
        f" (or put such a string in {path}; `make run` writes one there)."
    )


LOG_FORMATS = ("json", "text")


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}, not {value!r}.")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything the portal reads from its environment."""

    database_url: str | None
    redis_url: str | None
    # SECRET_KEY only; flask_config falls back to the instance folder's key.
    secret_key: str | None
    host: str
    port: int
    session_idle_minutes: int
    secure_cookies: bool
    trusted_proxies: int
    public_url: str | None
    smtp_host: str | None
    smtp_port: int
    smtp_username: str | None
    smtp_password: str | None
    smtp_use_tls: bool
    mail_from: str
    assistant_backend: str
    openai_base_url: str | None
    openai_api_key: str | None
    openai_model: str
    openai_timeout: int
    max_update_bytes: int
    updates_per_second: int
    compaction_threshold: int
    max_document_bytes: int
    collab_check_seconds: int
    max_image_bytes: int = 10_000_000
    max_recording_bytes: int = 5_000_000
    assistant_time_limit_seconds: int = 10
    # How long a closed case is kept before it is due for erasure: 7 years.
    retention_days: int = 7 * 365
    # The council that issues the plans, named on the cover of every download.
    council_name: str = ""
    rate_limits: RateLimits = field(default_factory=RateLimits)
    oidc_providers: tuple[OidcProvider, ...] = ()
    # Re-authentication (auth.reauth) counts as recent for this long.
    reauth_minutes: int = 5
    # GOV.UK Notify replaces SMTP when its key is set; one email template whose
    # subject is ((subject)) and body ((body)) carries every message.
    notify_api_key: str | None = None
    notify_template_id: str | None = None
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    # /metrics asks for this bearer token; without one it answers loopback only.
    metrics_token: str | None = None
    # Prefix of this deployment's Redis pub/sub channels: pub/sub ignores the
    # database number, so two deployments sharing a Redis need different ones.
    redis_channel: str = "ehcp"
    log_format: str = "json"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read settings from `env` (the process environment by default)."""
        e = os.environ if env is None else env
        api_key = e.get("OPENAI_API_KEY") or None
        if e.get("NOTIFY_API_KEY") and not e.get("NOTIFY_TEMPLATE_ID"):
            raise ConfigError(
                "NOTIFY_API_KEY is set but NOTIFY_TEMPLATE_ID is not. Set it to the "
                "id of a GOV.UK Notify email template whose subject is ((subject)) "
                "and whose body is ((body))."
            )
        return cls(
            database_url=e.get("DATABASE_URL") or None,
            redis_url=e.get("REDIS_URL") or None,
            secret_key=e.get("SECRET_KEY") or None,
            host=e.get("HOST") or "127.0.0.1",
            port=parse_int("PORT", e.get("PORT") or "5000"),
            session_idle_minutes=parse_int(
                "SESSION_IDLE_MINUTES", e.get("SESSION_IDLE_MINUTES", "30")
            ),
            secure_cookies=parse_boolean(
                "SESSION_COOKIE_SECURE", e.get("SESSION_COOKIE_SECURE", "false")
            ),
            trusted_proxies=parse_int("TRUSTED_PROXIES", e.get("TRUSTED_PROXIES", "0")),
            public_url=(e.get("PUBLIC_URL") or "").rstrip("/") or None,
            council_name=(e.get("COUNCIL_NAME") or "").strip(),
            smtp_host=e.get("SMTP_HOST") or None,
            smtp_port=parse_int("SMTP_PORT", e.get("SMTP_PORT", "25")),
            smtp_username=e.get("SMTP_USERNAME") or None,
            smtp_password=e.get("SMTP_PASSWORD") or None,
            smtp_use_tls=parse_boolean("SMTP_USE_TLS", e.get("SMTP_USE_TLS", "false")),
            mail_from=e.get("MAIL_FROM", "EHCP portal <no-reply@localhost>"),
            # The model backend turns on only when a key or a local endpoint is set.
            assistant_backend=e.get(
                "ASSISTANT_BACKEND",
                "openai" if api_key or e.get("OPENAI_BASE_URL") else "rules",
            ),
            openai_base_url=e.get("OPENAI_BASE_URL") or None,
            openai_api_key=api_key,
            openai_model=e.get("OPENAI_MODEL", "gpt-4o-mini"),
            openai_timeout=parse_int("OPENAI_TIMEOUT", e.get("OPENAI_TIMEOUT", "20")),
            max_update_bytes=parse_int(
                "MAX_UPDATE_BYTES", e.get("MAX_UPDATE_BYTES", str(256 * 1024))
            ),
            updates_per_second=parse_int(
                "UPDATES_PER_SECOND", e.get("UPDATES_PER_SECOND", "50")
            ),
            max_document_bytes=parse_int(
                "MAX_DOCUMENT_BYTES", e.get("MAX_DOCUMENT_BYTES", str(2 * 1024 * 1024))
            ),
            compaction_threshold=parse_int(
                "COMPACTION_THRESHOLD", e.get("COMPACTION_THRESHOLD", "500")
            ),
            collab_check_seconds=parse_int(
                "COLLAB_CHECK_SECONDS", e.get("COLLAB_CHECK_SECONDS", "15")
            ),
            max_image_bytes=parse_int(
                "MAX_IMAGE_BYTES", e.get("MAX_IMAGE_BYTES", "10000000")
            ),
            max_recording_bytes=parse_int(
                "MAX_RECORDING_BYTES", e.get("MAX_RECORDING_BYTES", "5000000")
            ),
            assistant_time_limit_seconds=parse_int(
                "ASSISTANT_TIME_LIMIT_SECONDS",
                e.get("ASSISTANT_TIME_LIMIT_SECONDS", "10"),
            ),
            retention_days=parse_retention_days(e.get("RETENTION_DAYS", "2555")),
            rate_limits=RateLimits.from_env(e),
            oidc_providers=parse_oidc_providers(e),
            reauth_minutes=parse_int("REAUTH_MINUTES", e.get("REAUTH_MINUTES", "5")),
            notify_api_key=e.get("NOTIFY_API_KEY") or None,
            notify_template_id=e.get("NOTIFY_TEMPLATE_ID") or None,
            notify_base_url=(
                e.get("NOTIFY_BASE_URL") or "https://api.notifications.service.gov.uk"
            ).rstrip("/"),
            metrics_token=e.get("METRICS_TOKEN") or None,
            redis_channel=e.get("REDIS_CHANNEL") or "ehcp",
            log_format=_choice("LOG_FORMAT", e.get("LOG_FORMAT", "json"), LOG_FORMATS),
        )

    @property
    def session_idle(self) -> timedelta:
        """How long a sign-in lasts without use."""
        return timedelta(minutes=self.session_idle_minutes)

    def _secret_key(self, instance_path: str, *, required: bool) -> str:
        """SECRET_KEY, else the instance folder's key, else the dev key if allowed."""
        if self.secret_key:
            return self.secret_key
        try:
            return read_secret_key_file(Path(instance_path) / SECRET_KEY_FILE)
        except ConfigError:
            if required:
                raise
            return DEV_SECRET_KEY

    def flask_config(
        self, instance_path: str, *, testing: bool, debug: bool
    ) -> dict[str, Any]:
        """Translate settings into Flask's configuration keys."""
        secret_key = self._secret_key(instance_path, required=not (testing or debug))
        database_url = self.database_url or f"sqlite:///{instance_path}/portal.sqlite3"
        if database_url.startswith("postgresql://"):
            # psycopg 3 is the driver we install; SQLAlchemy defaults to psycopg2.
            database_url = (
                "postgresql+psycopg://" + database_url[len("postgresql://") :]
            )
        return {
            "SECRET_KEY": secret_key,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            # Cookies are also marked Secure whenever the request came over
            # HTTPS (see auth.sessions); this forces it behind odd proxies.
            "SESSION_COOKIE_SECURE": self.secure_cookies,
            "SESSION_COOKIE_NAME": "ehcp_session",
            "PERMANENT_SESSION_LIFETIME": self.session_idle,
            "SESSION_REFRESH_EACH_REQUEST": True,
            "WTF_CSRF_TIME_LIMIT": None,
            # Picture and recording uploads raise this for their own routes only.
            "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
            "MAX_IMAGE_BYTES": self.max_image_bytes,
            "MAX_RECORDING_BYTES": self.max_recording_bytes,
            "SETTINGS": self,
        }
