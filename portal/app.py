"""The application factory: the one place that wires every package together."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from portal.config import Settings
from portal.extensions import csrf, db, migrate, socketio
from portal.serve import patched_for_gevent

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the portal: defaults, then the environment, then `overrides` (tests)."""
    app = Flask(__name__, instance_relative_config=True)
    overrides = dict(overrides or {})
    settings = overrides.pop("SETTINGS", None) or Settings.from_env()
    testing = bool(overrides.get("TESTING", False))
    debug = app.debug or os.environ.get("FLASK_DEBUG") == "1"
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        settings.flask_config(app.instance_path, testing=testing, debug=debug)
    )
    app.config.update(overrides)
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    app.url_map.converters["int"] = RowIdConverter
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    csrf.init_app(app)
    from realtime.server import origin_check

    socketio.init_app(
        app,
        async_mode=_async_mode(),
        async_handlers=False,
        message_queue=settings.redis_url,
        channel=f"{settings.redis_channel}:socketio",
        max_http_buffer_size=settings.max_update_bytes * 2,
        # Never `[]`: to Engine.IO that turns the Origin check off.
        cors_allowed_origins=origin_check(settings),
    )
    _register(app)
    return app


class RowIdConverter(IntegerConverter):
    """`<int:...>` in every route: an id no row can have (over PostgreSQL's
    INTEGER) is a 404 at routing, never an overflow error in the database."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def _async_mode() -> str:
    """gevent in a process patched for it (`portal.serve`, gunicorn -k gevent),
    otherwise threads (tests in-process, the command line)."""
    return "gevent" if patched_for_gevent() else "threading"


def _register(app: Flask) -> None:
    from auth import oidc, reauth, sessions, sso, token_views
    from auth import views as auth_views
    from portal import cli, logs, rate_limits, security_headers
    from portal.assistant import cli as assistant_cli
    from portal.pages import (
        api,
        audit,
        cases,
        comments,
        comments_api,
        dashboard,
        desk,
        documents,
        downloads,
        due_dates,
        errors,
        filters,
        health,
        images,
        invitations,
        notifications,
        plan,
        recordings,
        records,
        stages,
        versions,
    )
    from realtime import server as realtime_server

    logs.init_app(app)
    sessions.init_app(app)
    security_headers.init_app(app)
    errors.init_app(app)
    filters.init_app(app)
    oidc.init_app(app, app.config["SETTINGS"])
    notifications.init_app(app)
    for bp in (
        auth_views.bp,
        sso.bp,
        reauth.bp,
        token_views.bp,
        dashboard.bp,
        cases.bp,
        audit.bp,
        desk.bp,
        desk.api,
        plan.bp,
        documents.bp,
        downloads.bp,
        comments.bp,
        comments_api.bp,
        images.bp,
        recordings.bp,
        stages.bp,
        due_dates.bp,
        invitations.bp,
        records.bp,
        versions.bp,
        api.bp,
        health.bp,
    ):
        app.register_blueprint(bp)
    rate_limits.init_app(app, app.config["SETTINGS"])
    csrf.exempt(api.bp)  # token clients; the browser-facing POSTs check it themselves
    csrf.exempt(comments_api.bp)  # token clients; browsers' POSTs check it
    # The uploads check CSRF themselves, after raising the request size limit.
    csrf.exempt(images.bp)
    csrf.exempt(recordings.bp)
    cli.init_app(app)
    assistant_cli.init_app(app)
    realtime_server.init_app(app)
