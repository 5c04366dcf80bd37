"""Shared fixtures: a fresh migrated database per test, the app, clients, factories.

The database is real: a new SQLite file for every test and, when DATABASE_URL
points at PostgreSQL, also a new PostgreSQL database per test cloned from a
template that was migrated once (the named database itself is never used).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from hypothesis import settings
from sqlalchemy.orm import Session

from portal import create_app
from portal.config import Settings
from portal.extensions import db
from tests import services
from tests.browserlike import Browser
from tests.factories import Factory
from tests.quiet_limits import HIGH_RATE_LIMITS

# Property-based tests (hypothesis): each test sets a small max_examples
# (tests/hypo.py `examples`) so `make test` stays quick; HYPOTHESIS_PROFILE=long
# multiplies it for a longer run by hand. No deadline: a slow example on a
# busy machine is not a failure.
settings.register_profile("default", deadline=None, print_blob=True)
settings.register_profile("long", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

MIGRATIONS = str(services.ROOT / "migrations")
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests read settings only from what they pass in."""
    for key in list(os.environ):
        if key.startswith(("OPENAI_", "SMTP_", "ASSISTANT_")) or key in {
            "SECRET_KEY",
            "PUBLIC_URL",
        }:
            monkeypatch.delenv(key)


def make_settings(**env: str) -> Settings:
    """Settings as if these were the only environment variables."""
    return Settings.from_env({"SECRET_KEY": "test-secret", **HIGH_RATE_LIMITS, **env})


def _migrate(uri: str) -> None:
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "SETTINGS": make_settings()}
    )
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A PostgreSQL database migrated once, used as the template for each test."""
    url = services.postgres_url()
    name = f"ehcp_tmpl_{uuid.uuid4().hex[:10]}"
    with services.pg_admin(url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    _migrate(services.pg_uri(url, name))
    yield name
    with services.pg_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def database_uri(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database for one test."""
    if request.param == "sqlite":
        path = tmp_path / "portal.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("pg_template")
    url = services.DATABASE_URL
    name = f"ehcp_t_{uuid.uuid4().hex[:12]}"
    with services.pg_admin(url) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield services.pg_uri(url, name)
    with services.pg_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings() -> Settings:
    """Override in a test module to change the environment the app sees."""
    return make_settings()


@pytest.fixture
def app(database_uri: str, settings: Settings) -> Iterator[Flask]:
    """The portal on a fresh database, with CSRF checks on as in production.

    No app context stays pushed: Flask would reuse it for every request of
    the test and carry `g` and the session from one request to the next.
    """
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "SETTINGS": settings,
            "SERVER_NAME": "portal.test",
            # Rate-limit counts of concurrent runs never meet in a shared Redis.
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def dbs(app: Flask) -> Iterator[Session]:
    """A session of the test's own, apart from the app's, for setup and checks."""
    with app.app_context():
        engine = db.engine
    session = Session(engine, expire_on_commit=False)
    yield session
    session.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like client."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    """Runs `flask` commands against the test app."""
    return app.test_cli_runner()


@pytest.fixture
def make(dbs: Session) -> Factory:
    """Small factories for people, cases, members and documents."""
    return Factory(dbs)


@pytest.fixture
def browser(client: FlaskClient) -> Browser:
    """Signs in and posts forms with their CSRF token, as a browser would."""
    return Browser(client)
