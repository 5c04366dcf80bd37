"""Rate limits on the costly and sensitive routes, with Flask-Limiter.

Each route in LIMITED gets two limits: one per person (the signed-in person,
by cookie or by token, so a token does not buy a second allowance) and one
per network address. Sign-in has only the address limit: before sign-in there
is no person, and a limit per account would let a stranger lock the owner
out (auth/throttle.py slows password guessing per account and address).
Asking for a password-reset link, and using one, are limited per address
the same way; changing a password (which checks the current one) per person
and per address.

The counts live in Redis when REDIS_URL is set, so every process shares them,
and in memory otherwise. Each app gets its own `Limiter`: Flask-Limiter keeps
its storage and key prefix on the instance, so one shared instance would mix
the counts of apps built in the same process (tests do that).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request
from flask_limiter import Limiter

from auth.sessions import current_person
from portal.config import RateLimits, Settings

EXTENSION_KEY = "portal.rate_limits"


@dataclass(frozen=True)
class LimitedRoute:
    """An endpoint and the names of its limits in `RateLimits`."""

    endpoint: str
    per_person: str | None
    per_address: str
    methods: tuple[str, ...] = ("POST",)


LIMITED = (
    LimitedRoute("auth.sign_in", None, "sign_in_per_address"),
    LimitedRoute("sso.start", None, "sign_in_per_address"),
    LimitedRoute(
        "reauth.confirm", "password_change_per_person", "password_change_per_address"
    ),
    LimitedRoute("auth.forgotten_password", None, "password_reset_per_address"),
    LimitedRoute("auth.reset_password", None, "password_reset_per_address"),
    LimitedRoute(
        "auth.account", "password_change_per_person", "password_change_per_address"
    ),
    LimitedRoute("cases.invite", "invite_per_person", "invite_per_address"),
    LimitedRoute(
        "api.assistant_report", "assistant_per_person", "assistant_per_address"
    ),
    LimitedRoute(
        "api.suggestion_decision", "decision_per_person", "decision_per_address"
    ),
    *(
        LimitedRoute(endpoint, "download_per_person", "download_per_address", ("GET",))
        for endpoint in ("downloads.plan", "downloads.version", "downloads.document")
    ),
    # Comments, replies, proposals and their decisions: the same budget.
    *(
        LimitedRoute(endpoint, "decision_per_person", "decision_per_address")
        for endpoint in (
            "comments_api.create_comment",
            "comments_api.create_reply",
            "comments_api.set_comment_status",
            "comments_api.create_proposal",
            "comments_api.decide_proposal",
            "comments.add",
            "comments.reply",
            "comments.status",
            "comments.add_proposal",
            "comments.decision",
        )
    ),
)


def address_key() -> str:
    """The client's address (ProxyFix has applied TRUSTED_PROXIES by now)."""
    return f"address:{request.remote_addr or 'unknown'}"


def person_key() -> str:
    """The signed-in person, by cookie or token; the address when nobody is."""
    person = current_person()
    return f"person:{person.id}" if person is not None else address_key()


def retry_after_seconds() -> int:
    """Whole seconds until the limit this request broke lets it through again."""
    limiter: Limiter = current_app.extensions[EXTENSION_KEY]
    broken = limiter.current_limit
    if broken is None:
        return 60
    return max(1, math.ceil(broken.reset_at - time.time()))


def init_app(app: Flask, settings: Settings) -> None:
    """Attach a limiter to the app and limit each route in LIMITED (POST,
    unless the route names its methods).

    Call after the blueprints are registered; its check runs when the view is
    called, after `auth.sessions` has loaded the person.
    """
    limiter = Limiter(
        address_key,
        app=app,
        storage_uri=settings.redis_url or "memory://",
        key_prefix=app.config.get("RATELIMIT_KEY_PREFIX", "ehcp"),
        strategy="moving-window",
    )
    app.extensions[EXTENSION_KEY] = limiter
    limits: RateLimits = settings.rate_limits
    for route in LIMITED:
        view: Callable[..., Any] = app.view_functions[route.endpoint]
        view = limiter.limit(
            getattr(limits, route.per_address),
            key_func=address_key,
            methods=list(route.methods),
        )(view)
        if route.per_person is not None:
            view = limiter.limit(
                getattr(limits, route.per_person),
                key_func=person_key,
                methods=list(route.methods),
            )(view)
        app.view_functions[route.endpoint] = view
