"""What a load balancer and a monitoring system ask of each process.

`/healthz`: the process answers (a liveness probe; restart it if not).
`/readyz`: it can do its work, the database and (when set) Redis answer in
time; a proxy stops sending people here while it says 503. `/metrics`: the
Prometheus text format, for a bearer of METRICS_TOKEN or, with none set,
for a scraper on the same machine only. None of these says anything about
a person or a document, and none needs a sign-in.
"""

from __future__ import annotations

import hmac
import ipaddress
import time
from collections.abc import Mapping

import redis
from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import text

from portal.config import Settings
from portal.extensions import db

bp = Blueprint("health", __name__)
PROBE_TIMEOUT_SECONDS = 2.0
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


@bp.get("/healthz")
def healthz() -> Response:
    """The process is up."""
    return _plain({"status": "ok"}, 200)


@bp.get("/readyz")
def readyz() -> Response:
    """The database and Redis answer; 503 names the one that does not."""
    settings: Settings = current_app.config["SETTINGS"]
    checks = {"database": _database_answers()}
    if settings.redis_url:
        checks["redis"] = _redis_answers(settings.redis_url)
    ready = all(problem is None for problem in checks.values())
    body = {
        "status": "ready" if ready else "unready",
        "checks": {name: problem or "ok" for name, problem in checks.items()},
    }
    return _plain(body, 200 if ready else 503)


@bp.get("/metrics")
def metrics() -> Response:
    """This process's real-time metrics, for Prometheus."""
    settings: Settings = current_app.config["SETTINGS"]
    if not _may_scrape(settings):
        return _plain({"error": "Metrics need the METRICS_TOKEN."}, 403)
    from realtime.server import hub_of

    response = Response(hub_of(current_app).metrics.exposition(), 200)
    response.headers["Content-Type"] = PROMETHEUS_TEXT
    response.headers["Cache-Control"] = "no-store"
    return response


def _may_scrape(settings: Settings) -> bool:
    if settings.metrics_token:
        given = request.headers.get("Authorization", "")
        expected = f"Bearer {settings.metrics_token}"
        return hmac.compare_digest(given.encode(), expected.encode())
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def _database_answers() -> str | None:
    started = time.monotonic()
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        return f"unreachable ({type(error).__name__})"
    if time.monotonic() - started > PROBE_TIMEOUT_SECONDS:
        return "slow"
    return None


def _redis_answers(url: str) -> str | None:
    client = redis.Redis.from_url(
        url,
        socket_timeout=PROBE_TIMEOUT_SECONDS,
        socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    except Exception as error:
        return f"unreachable ({type(error).__name__})"
    finally:
        client.close()
    return None


def _plain(body: Mapping[str, object], status: int) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
