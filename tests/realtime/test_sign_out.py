"""Open editors close when what let them in ends: sign-out, idle time, revoked token."""

from __future__ import annotations

import http.client
import re
from datetime import timedelta
from urllib.parse import urlencode, urlparse

import pytest
import socketio
from flask import Flask
from sqlalchemy import select, update

from auth.tokens import revoke_token
from portal.extensions import db
from portal.models import ApiToken, SignIn, utcnow
from tests.services import redis_url

try:
    from collab_helpers import Editor, eventually, log_rows, run
except ImportError:
    from tests.realtime.collab_helpers import Editor, eventually, log_rows, run

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _request(
    url: str, method: str, path: str, headers: dict[str, str], body: str = ""
) -> tuple[http.client.HTTPResponse, str]:
    parts = urlparse(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    conn.request(method, path, body=body or None, headers=headers)
    response = conn.getresponse()
    text = response.read().decode()
    conn.close()
    return response, text


def sign_out_over_http(url: str, cookie: dict[str, str]) -> None:
    """Press "Sign out" as the browser would: a page for the CSRF token, then POST."""
    page, html = _request(url, "GET", "/", cookie)
    assert page.status == 200, "the cookie should be signed in"
    token = CSRF.search(html)
    assert token, "the page carries a sign-out form"
    fresh = page.getheader("Set-Cookie", "").split(";")[0]  # holds the CSRF secret
    response, _ = _request(
        url,
        "POST",
        "/sign-out",
        {
            "Cookie": fresh or cookie["Cookie"],
            "Content-Type": "application/x-www-form-urlencoded",
        },
        urlencode({"csrf_token": token.group(1)}),
    )
    assert response.status == 302


def test_signing_out_closes_that_browsers_editors(
    seed, start_server, local_app: Flask, browser_cookie
) -> None:
    server = start_server()
    parent_cookie = browser_cookie(seed.people["parent"])
    other_browser = browser_cookie(seed.people["parent"])

    async def scenario() -> None:
        tab = await Editor(server.url, headers=dict(parent_cookie)).connect()
        phone = await Editor(server.url, headers=dict(other_browser)).connect()
        caseworker = await Editor(server.url, seed.tokens["caseworker"]).connect()
        for editor in (tab, phone, caseworker):
            assert (await editor.join(seed.section_a))["ok"]
        assert (await tab.edit(lambda t: t.insert(0, "Before. ")))["ok"]

        sign_out_over_http(server.url, parent_cookie)
        await eventually(lambda: not tab.sio.connected, what="the tab to be closed")
        assert any(
            e.get("closed") and "signed out" in e["message"] for e in tab.errors
        ), tab.errors
        # Only that browser's sign-in ended: the phone and the caseworker go on.
        assert phone.sio.connected
        assert (await caseworker.edit(lambda t: t.insert(0, "After. ")))["ok"]
        await eventually(lambda: "After." in str(phone), what="relay to the phone")
        assert "After." not in str(tab)

        again = Editor(server.url, headers=dict(parent_cookie))
        with pytest.raises(socketio.exceptions.ConnectionError):
            await again.connect()
        assert "timed out" in str(again.refusals) or "Sign in" in str(again.refusals)
        await phone.close()
        await caseworker.close()

    run(scenario())
    assert log_rows(seed.section_a) == 2


def test_revoking_a_token_closes_its_connection(
    seed, start_server, local_app: Flask
) -> None:
    """Revoked from the command line: no signal reaches the server, the check does."""
    server = start_server(COLLAB_CHECK_SECONDS="1")

    async def scenario() -> None:
        editor = await Editor(server.url, seed.tokens["professional"]).connect()
        assert (await editor.join(seed.advice))["ok"]
        token_id = db.session.scalar(
            select(ApiToken.id).where(ApiToken.person_id == seed.people["professional"])
        )
        revoke_token(db.session, token_id)
        db.session.commit()
        await eventually(lambda: not editor.sio.connected, what="the connection closed")
        assert any("revoked" in e["message"] for e in editor.errors), editor.errors

    run(scenario())


def test_idle_sign_ins_are_closed_but_editing_counts_as_use(
    seed, start_server, local_app: Flask, browser_cookie
) -> None:
    # The periodic check is run by hand here (/_test/check-credentials).
    server = start_server(COLLAB_CHECK_SECONDS="3600", SESSION_IDLE_MINUTES="30")
    writer_cookie = browser_cookie(seed.people["caseworker"])
    reader_cookie = browser_cookie(seed.people["parent"])

    async def scenario() -> None:
        writer = await Editor(server.url, headers=dict(writer_cookie)).connect()
        reader = await Editor(server.url, headers=dict(reader_cookie)).connect()
        assert (await writer.join(seed.section_a))["ok"]
        assert (await reader.join(seed.section_a))["ok"]
        db.session.execute(
            update(SignIn).values(last_seen_at=utcnow() - timedelta(minutes=31))
        )
        db.session.commit()
        assert (await writer.edit(lambda t: t.insert(0, "Still here. ")))["ok"]

        server.get("/_test/check-credentials")
        await eventually(
            lambda: not reader.sio.connected, what="the idle reader closed"
        )
        assert writer.sio.connected
        assert (await writer.edit(lambda t: t.insert(0, "And here. ")))["ok"]
        db.session.remove()
        seen = db.session.scalars(select(SignIn.last_seen_at).order_by(SignIn.id))
        writer_seen, reader_seen = list(seen)
        assert utcnow() - writer_seen < timedelta(minutes=1)
        assert utcnow() - reader_seen > timedelta(minutes=30)
        await writer.close()

    run(scenario())


def test_signing_out_on_one_process_closes_editors_on_another(
    seed, start_server, local_app: Flask, browser_cookie
) -> None:
    """Behind a load balancer the sign-out and the editor may be on different
    processes: the Redis doorbell carries it, long before the periodic check."""
    url = redis_url()
    pages = start_server(REDIS_URL=url, COLLAB_CHECK_SECONDS="3600")
    editors = start_server(REDIS_URL=url, COLLAB_CHECK_SECONDS="3600")
    cookie = browser_cookie(seed.people["parent"])

    async def scenario() -> None:
        tab = await Editor(editors.url, headers=dict(cookie)).connect()
        assert (await tab.join(seed.section_a))["ok"]
        sign_out_over_http(pages.url, cookie)
        await eventually(lambda: not tab.sio.connected, what="the tab to be closed")
        assert any("signed out" in e["message"] for e in tab.errors), tab.errors

    run(scenario())
