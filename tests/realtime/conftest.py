"""Fixtures for the realtime suite: a fresh database, a seeded case, live servers.

Self-contained on purpose: each test gets a new SQLite file in tmp_path (or,
with DATABASE_URL=postgresql://…, a new PostgreSQL database, dropped after),
tables made with `db.create_all()`, and rows built directly from the models.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from flask import Flask

from auth.sessions import new_sign_in
from auth.tokens import create_token
from portal.app import create_app
from portal.config import Settings
from portal.extensions import db
from portal.models import Case, Document, Membership, Person
from tests import services
from tests.quiet_limits import HIGH_RATE_LIMITS

try:
    from collab_helpers import Server
except ImportError:  # imported as a package module
    from tests.realtime.collab_helpers import Server

SECRET = "test-secret"


@pytest.fixture
def db_uri(tmp_path: Path) -> Iterator[str]:
    """A fresh empty database for one test."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path}/t.db"
        return
    name = f"ehcp_rt_{uuid.uuid4().hex[:12]}"
    with services.pg_admin(url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield services.pg_uri(url, name)
    with services.pg_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def local_app(db_uri: str) -> Iterator[Flask]:
    """The portal bound to the test database (not serving), for setup and checks."""
    settings = Settings.from_env({"SECRET_KEY": SECRET, **HIGH_RATE_LIMITS})
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": db_uri, "SETTINGS": settings}
    )
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


@dataclass
class Seed:
    """A case with people in each role and their documents."""

    case_id: int
    section_a: int  # plan section A: caseworker and parent edit
    section_b: int  # plan section B: caseworker edits; others see it once shared
    advice: int  # the professional's advice
    people: dict[str, int]
    tokens: dict[str, str]
    memberships: dict[str, int]


@pytest.fixture
def seed(local_app: Flask) -> Seed:
    """Caseworker, parent, professional (with advice) and an outsider, with tokens."""
    s = db.session
    people = {
        role: Person(email=f"{role}@example.org", name=role.title())
        for role in ("caseworker", "parent", "professional", "outsider")
    }
    s.add_all(people.values())
    case = Case(child_name="Sam", request_date=date(2025, 1, 6))
    s.add(case)
    s.flush()
    members = {
        role: Membership(case_id=case.id, person_id=people[role].id, role=role)
        for role in ("caseworker", "parent", "professional")
    }
    s.add_all(members.values())
    s.flush()
    a = Document(case_id=case.id, kind="plan_section", section="A", title="A")
    b = Document(case_id=case.id, kind="plan_section", section="B", title="B")
    advice = Document(
        case_id=case.id,
        kind="advice",
        title="Advice",
        owner_membership_id=members["professional"].id,
    )
    s.add_all([a, b, advice])
    s.flush()
    tokens = {role: create_token(s, p, "tests") for role, p in people.items()}
    s.commit()
    return Seed(
        case.id,
        a.id,
        b.id,
        advice.id,
        {r: p.id for r, p in people.items()},
        tokens,
        {r: m.id for r, m in members.items()},
    )


@pytest.fixture
def browser_cookie(local_app: Flask) -> Callable[[int], dict[str, str]]:
    """A signed-in browser's Cookie header for a person, as /sign-in would set it."""
    serializer = local_app.session_interface.get_signing_serializer(local_app)  # type: ignore[attr-defined]
    name = local_app.config["SESSION_COOKIE_NAME"]

    def cookie(person_id: int) -> dict[str, str]:
        key = new_sign_in(db.session, person_id)
        db.session.commit()
        return {"Cookie": f"{name}={serializer.dumps({'key': key})}"}

    return cookie


@pytest.fixture
def start_server(db_uri: str, tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start servers on the test database; all are stopped afterwards."""
    servers: list[Server] = []

    def start(**env: str) -> Server:
        server = Server(db_uri, tmp_path, **env).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.kill()
