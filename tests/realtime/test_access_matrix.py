"""The permission table, generated: every demo account x every document of
the demo case x each way in (the page, the JSON API, the comments API, the
live socket's join and write), before and after the draft is shared. What
each answers must be what `auth.policy` decides for that pair, so a route or
event that checks differently from the table fails here."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from pycrdt import Doc, Text
from sqlalchemy import select

from auth.passwords import hash_password
from auth.policy import Access
from auth.tokens import create_token
from portal.app import create_app
from portal.extensions import db
from portal.models import Case, Document, Person
from portal.services import demo
from tests.browserlike import Browser

try:
    from collab_helpers import Editor, run
except ImportError:
    from tests.realtime.collab_helpers import Editor, run


def _word_update() -> bytes:
    ydoc: Doc = Doc()
    ydoc.get("content", type=Text).insert(0, "matrix ")
    return ydoc.get_update()


@pytest.mark.parametrize("shared", [False, True], ids=["draft", "shared"])
def test_every_account_document_and_way_in_follows_the_table(
    local_app: Flask, start_server, shared: bool
) -> None:
    from auth.access import access_to

    demo.load_demo(db.session, hash_password(demo.DEMO_PASSWORD), date.today())
    case = db.session.scalars(select(Case)).one()
    case.draft_shared = shared
    db.session.commit()
    people = {
        a.email: db.session.scalars(select(Person).where(Person.email == a.email)).one()
        for a in demo.ACCOUNTS
    }
    tokens = {
        email: create_token(db.session, p, "matrix") for email, p in people.items()
    }
    docs = db.session.scalars(select(Document).order_by(Document.id)).all()
    expected = {
        (email, d.id): access_to(db.session, p, d)
        for email, p in people.items()
        for d in docs
    }
    db.session.commit()
    assert len({level for level in expected.values()}) >= 3, "the table varies"

    wrong: list[tuple[str, int, str, object]] = []
    # An app of its own for the requests: local_app's context stays pushed for
    # the whole test, and requests through it would share `g` (and its CSRF
    # token) from one person to the next.
    http = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": local_app.config["SQLALCHEMY_DATABASE_URI"],
            "SETTINGS": local_app.config["SETTINGS"],
        }
    )
    client = http.test_client()
    for email in people:
        auth = {"Authorization": f"Bearer {tokens[email]}"}
        browser = Browser(http.test_client())
        signed = browser.sign_in(email, demo.DEMO_PASSWORD)
        assert signed.status_code == 302, email
        for d in docs:
            level = expected[(email, d.id)]
            reads = level >= Access.READ
            api = client.get(f"/api/documents/{d.id}", headers=auth).status_code
            if (api == 200) is not reads:
                wrong.append((email, d.id, "api", api))
            notes = client.get(f"/api/documents/{d.id}/comments", headers=auth)
            if (notes.status_code == 200) is not reads:
                wrong.append((email, d.id, "comments", notes.status_code))
            page = browser.get(f"/documents/{d.id}").status_code
            if (page == 200) is not reads:
                wrong.append((email, d.id, "page", page))

    server = start_server()

    async def sockets() -> None:
        update = _word_update()
        for email in people:
            editor = await Editor(server.url, tokens[email]).connect()
            for d in docs:
                level = expected[(email, d.id)]
                ack = await editor.join(d.id, sync=False)
                if bool(ack.get("ok")) is not (level >= Access.READ):
                    wrong.append((email, d.id, "join", ack))
                    continue
                if not ack.get("ok"):
                    continue
                if ack["access"] != level.label:
                    wrong.append((email, d.id, "join access", ack["access"]))
                editor.doc_id = d.id
                written = await editor.send_update(update)
                if bool(written.get("ok")) is not (level >= Access.EDIT):
                    wrong.append((email, d.id, "write", written))
                await editor.call("leave", {"doc": d.id})
            await editor.close()

    run(sockets(), timeout=120)
    assert wrong == [], "\n".join(map(str, wrong))
