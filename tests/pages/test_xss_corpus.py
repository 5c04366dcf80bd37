"""An XSS corpus through every way people put words into the portal: the
Markdown of documents, comments and proposed changes, people's names and the
child's name. Each page that shows them is parsed as a browser would, and
none may hold a script, an event handler or a javascript:/data: URL that
came from a member. (Presence is rebuilt by the server from the signed-in
identity and its colours come from a palette: tests/realtime/test_presence.py.)"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.doclog import appending
from portal.models import Case, Document, Person, Version
from portal.services import comments
from portal.services.demo import DEMO_PASSWORD
from tests.browserlike import Browser

MARK = "xss"  # every payload calls alert with a number prefixed by this
PAYLOADS = [
    f"<script>alert('{MARK}1')</script>",
    f"<img src=x onerror=alert('{MARK}2')>",
    f"[click me](javascript:alert('{MARK}3'))",
    f"![picture](javascript:alert('{MARK}4'))",
    f"<a href=\"javascript:alert('{MARK}5')\">link</a>",
    f"\"><svg onload=alert('{MARK}6')>",
    f"<iframe src=\"javascript:alert('{MARK}7')\"></iframe>",
    f"[x](JaVaScRiPt:alert('{MARK}8'))",
    f"<details open ontoggle=alert('{MARK}9')>",
    f"[y](data:text/html,<script>alert('{MARK}10')</script>)",
    f"<style>body{{background:url('{MARK}11')}}</style>",
    f"'-alert('{MARK}12')-'",
    f"<a href='&#106;avascript:alert(\"{MARK}13\")'>encoded</a>",
]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}


class Scanner(HTMLParser):
    """Collects what a browser would run or load from the payloads."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._in = tag
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") and MARK in value:
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES:
                scheme = value.strip().lower().replace("\t", "").replace("\n", "")
                if scheme.startswith(("javascript:", "data:text/html", "vbscript:")):
                    self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style" and MARK in value:
                self.problems.append(f"<{tag} style={value!r}>")
        if tag in ("iframe", "svg", "object", "embed") and any(
            MARK in (v or "") for _, v in attrs
        ):
            self.problems.append(f"<{tag}> from a payload")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self._in = None

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in and MARK in data:
            self.problems.append(f"<{self._in}> holding {data[:80]!r}")


def problems_in(page: str) -> list[str]:
    scanner = Scanner()
    scanner.feed(page)
    scanner.close()
    return scanner.problems


def test_the_scanner_sees_what_a_browser_would_run() -> None:
    for payload in PAYLOADS[:10]:
        assert problems_in(f"<div>{payload}</div>") or "](" in payload, payload
    assert problems_in("<a href=\"javascript:alert('xss')\">x</a>")
    assert not problems_in("<p>&lt;script&gt;alert('xss1')&lt;/script&gt;</p>")


@pytest.fixture
def hostile_case(runner: Any, app: Flask, dbs: Session) -> dict[str, Any]:
    """The demo case with every payload in its documents, names and comments."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    corpus = "\n\n".join(f"- {p}" for p in PAYLOADS)
    section_a = dbs.scalars(
        select(Document).where(Document.kind == "plan_section", Document.section == "A")
    ).one()
    advice = dbs.scalars(
        select(Document).where(Document.title == "Psychological advice")
    ).one()
    for doc in (section_a, advice):
        appending.set_text(dbs, doc, f"Before.\n\n{corpus}\n\nAfter.", None)
    parent = dbs.scalars(
        select(Person).where(Person.email == "parent@example.org")
    ).one()
    parent.name = f"Sofia {PAYLOADS[1]}"
    case = dbs.get(Case, 1)
    assert case is not None
    case.child_name = f"Leo {PAYLOADS[0]}"
    for payload in PAYLOADS:
        comments.add_comment(
            dbs, section_a, parent, "Parent", payload, comments.Anchor(quote=payload)
        )
    comments.propose(
        dbs,
        section_a,
        parent,
        "Parent",
        comments.Anchor(quote="Before."),
        PAYLOADS[5],
        PAYLOADS[2],
    )
    dbs.commit()
    return {"section_a": section_a.id, "advice": advice.id}


def test_no_page_runs_what_a_member_wrote(
    hostile_case: dict[str, Any], app: Flask, dbs: Session
) -> None:
    caseworker = Browser(app.test_client())
    caseworker.sign_in("caseworker@example.org", DEMO_PASSWORD)
    assert caseworker.post("/cases/1/share", {"shared": "yes"}).status_code == 302
    version = dbs.scalars(
        select(Version).where(Version.document_id == hostile_case["section_a"])
    ).first()
    assert version is not None
    a, advice = hostile_case["section_a"], hostile_case["advice"]
    pages = [
        "/",
        "/cases/1",
        "/cases/1/plan",
        "/cases/1/desk",
        "/cases/1/audit",
        f"/documents/{a}",
        f"/documents/{advice}",
        f"/versions/{version.id}",
        f"/documents/{a}/compare",
        f"/documents/{a}/comments",
    ]
    parent = Browser(app.test_client())
    parent.sign_in("parent@example.org", DEMO_PASSWORD)
    found = {}
    for who, browser in (("caseworker", caseworker), ("parent", parent)):
        for url in pages:
            answer = browser.get(url)
            if answer.status_code != 200 or answer.mimetype != "text/html":
                continue
            page = answer.get_data(as_text=True)
            assert MARK in page or url in ("/cases/1/audit",), (who, url)
            if problems := problems_in(page):
                found[(who, url)] = problems
    assert found == {}
