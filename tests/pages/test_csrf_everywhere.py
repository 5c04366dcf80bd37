"""CSRF on every state-changing route, found by walking the URL map: a page
on another site that makes a signed-in browser POST (with its cookie but
without the form's token) changes nothing, whatever the route. A route added
later is covered without touching this test."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Document
from portal.services.demo import DEMO_PASSWORD
from tests.browserlike import Browser

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _changing_routes(app: Flask) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & STATE_CHANGING):
            routes.append((rule.endpoint, method, rule.rule))
    return sorted(routes)


def _url(rule: str, ids: dict[str, Any]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(2)
        return str(ids.get(name, 1))

    return re.sub(r"<(?:(\w+):)?(\w+)>", fill, rule)


@pytest.fixture
def signed_in(runner: Any, app: Flask) -> Browser:
    assert runner.invoke(args=["demo"]).exit_code == 0
    browser = Browser(app.test_client())
    browser.sign_in("caseworker@example.org", DEMO_PASSWORD)
    return browser


def test_every_state_changing_route_refuses_a_post_without_the_token(
    signed_in: Browser, app: Flask, dbs: Session
) -> None:
    section_a = dbs.scalars(
        select(Document).where(Document.kind == "plan_section", Document.section == "A")
    ).one()
    ids = {"case_id": 1, "doc_id": section_a.id, "token": "x" * 43, "name": "council"}
    routes = _changing_routes(app)
    assert len(routes) >= 40, "the walk finds the portal's forms and API posts"
    audit_before = dbs.scalar(select(func.count()).select_from(AuditEvent))
    accepted = []
    for endpoint, method, rule in routes:
        url = _url(rule, ids)
        for body in (
            {"data": {"shared": "yes", "reference": "DEMO-0001"}},
            {"json": {}},
        ):
            answer = signed_in.client.open(url, method=method, **body)
            if answer.status_code not in (400, 403):
                accepted.append((endpoint, url, answer.status_code))
    assert accepted == [], f"accepted without a CSRF token: {accepted}"
    dbs.expire_all()
    audit_after = dbs.scalar(select(func.count()).select_from(AuditEvent))
    assert audit_after == audit_before, "nothing was recorded, so nothing was done"
    # The browser is still signed in: the refusals ended nothing.
    assert signed_in.get("/").status_code == 200
    assert "Sign out" in signed_in.text("/")
