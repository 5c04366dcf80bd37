"""What operators rely on: health and readiness probes, metrics, request ids,
structured logs, and compacting every document from the command line."""

from __future__ import annotations

import io
import json
import logging
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import logs
from portal.app import create_app
from portal.doclog import appending
from portal.doclog.reading import document_text
from portal.extensions import db
from portal.models import DocSnapshot, Document, DocUpdate
from tests.conftest import make_settings
from tests.factories import Factory
from tests.realtime.collab_helpers import free_port


def test_healthz_answers_without_signing_in(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_checks_the_database(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json is not None
    assert response.json["checks"]["database"] == "ok"


def test_readyz_is_unready_when_the_database_is_gone(tmp_path: Path) -> None:
    # A database file in a folder that does not exist cannot be opened.
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/db.sqlite3",
            "SETTINGS": make_settings(),
        }
    )
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json is not None
    assert response.json["status"] == "unready"
    assert response.json["checks"]["database"].startswith("unreachable")


class PrivateRedis:
    """A redis-server of this test's own, to stop and start at will."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            ping = subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"],
                capture_output=True,
                check=False,
            )
            if ping.stdout.strip() == b"PONG":
                return
            time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is needed for this test (Debian's redis-server)")
    redis = PrivateRedis()
    redis.start()
    yield redis
    redis.stop()


@pytest.mark.redis
def test_readyz_goes_unready_while_redis_is_down_and_back(
    database_uri: str, private_redis: PrivateRedis
) -> None:
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "SETTINGS": make_settings(REDIS_URL=private_redis.url),
        }
    )
    client = app.test_client()
    assert client.get("/readyz").status_code == 200

    private_redis.stop()
    down = client.get("/readyz")
    assert down.status_code == 503
    assert down.json is not None
    assert down.json["checks"]["redis"].startswith("unreachable")
    assert down.json["checks"]["database"] == "ok"
    assert client.get("/healthz").status_code == 200  # the process itself is fine

    private_redis.start()
    assert client.get("/readyz").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_metrics_are_for_this_machine_only_without_a_token(
    client: FlaskClient,
) -> None:
    local = client.get("/metrics")
    assert local.status_code == 200
    assert local.content_type.startswith("text/plain; version=0.0.4")
    body = local.get_data(as_text=True)
    for name in (
        "ehcp_rooms",
        "ehcp_connections",
        "ehcp_updates_stored_total",
        "ehcp_commit_seconds_bucket",
        "ehcp_ack_seconds_bucket",
        'ehcp_refusals_total{reason="too_fast"}',
        "process_resident_memory_bytes",
    ):
        assert name in body, name
    remote = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert remote.status_code == 403


def test_metrics_need_the_token_when_one_is_set(database_uri: str) -> None:
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "SETTINGS": make_settings(METRICS_TOKEN="scrape-me-7f3a"),
        }
    )
    client = app.test_client()
    # With a token set, even the same machine must present it.
    assert client.get("/metrics").status_code == 403
    wrong = {"Authorization": "Bearer guess"}
    assert client.get("/metrics", headers=wrong).status_code == 403
    right = {"Authorization": "Bearer scrape-me-7f3a"}
    remote = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", headers=right, environ_base=remote).status_code == 200


def test_every_response_names_its_request(client: FlaskClient) -> None:
    first = client.get("/healthz").headers["X-Request-Id"]
    second = client.get("/healthz").headers["X-Request-Id"]
    assert first and second and first != second
    # Without a trusted proxy, a client cannot choose the id logs are filed under.
    chosen = client.get("/healthz", headers={"X-Request-Id": "mine"})
    assert chosen.headers["X-Request-Id"] != "mine"


def test_log_lines_are_json_with_ids_and_no_document_text(
    app: Flask, make: Factory, dbs: Session
) -> None:
    case = make.case()
    caseworker = case.memberships[0].person
    stream = io.StringIO()
    logs.configure("json", stream=stream)
    probe = logging.getLogger("portal.test-probe")

    @app.get("/_probe")
    def _probe() -> str:
        probe.warning("probe for document %s", 7)
        return "ok"

    client = app.test_client()
    with client.session_transaction() as session:
        from auth.sessions import new_sign_in

        session["key"] = new_sign_in(dbs, caseworker.id)
        dbs.commit()
    response = client.get("/_probe")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    entry = next(e for e in lines if e["logger"] == "portal.test-probe")
    assert entry["message"] == "probe for document 7"
    assert entry["level"] == "WARNING"
    assert entry["request_id"] == response.headers["X-Request-Id"]
    assert entry["person_id"] == caseworker.id
    assert caseworker.email not in stream.getvalue()
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_ehcp_structured", 0)]:
        root.removeHandler(handler)


def test_compact_folds_every_document_and_keeps_its_text(
    app: Flask, make: Factory, dbs: Session
) -> None:
    case = make.case()
    caseworker = case.memberships[0]
    docs = [make.advice(case, caseworker, "school") for _ in range(2)]
    for doc in docs:
        for text in ("Reads", "Reads with", "Reads with a ruler."):
            appending.set_text(dbs, doc, text, caseworker.person)
        dbs.commit()
    assert all(_log_rows(dbs, doc.id) >= 3 for doc in docs)

    result = app.test_cli_runner().invoke(args=["compact"])
    assert result.exit_code == 0, result.output
    everything = dbs.scalar(select(func.count()).select_from(Document))
    assert f"Compacted 2 of {everything} documents" in result.output
    for doc in docs:
        top = dbs.scalar(
            select(func.max(DocUpdate.seq)).where(DocUpdate.document_id == doc.id)
        )
        snapshot = select(DocSnapshot.upto_seq).where(DocSnapshot.document_id == doc.id)
        assert dbs.scalar(snapshot) == top
        assert _log_rows(dbs, doc.id) == 1  # the latest edit's row, for "who edited"
        assert document_text(dbs, doc.id).strip() == "Reads with a ruler."
    again = app.test_cli_runner().invoke(args=["compact"])
    assert "Compacted 0 of" in again.output  # nothing left to fold


def _log_rows(session: Session, doc_id: int) -> int:
    return (
        session.scalar(select(func.count()).where(DocUpdate.document_id == doc_id)) or 0
    )
