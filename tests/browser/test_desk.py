"""The caseworker's desk in Chromium, driven by the keyboard alone: a passage
of advice sent to a plan section arrives with its source, the source line
says where it came from, an edit in the passage shows it changed, and
"Start the draft" fills sections from submitted advice. axe-core clean."""

from __future__ import annotations

from typing import Any

from portal.doclog import reading
from portal.extensions import db
from portal.models import Document
from portal.services import documents, provenance
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import DESKTOP, _violations
from tests.browser.test_live_editing import _wait_until


def _section_doc(app: Any, key: str) -> Document:
    with app.app_context():
        doc = db.session.scalars(
            db.select(Document).where(
                Document.kind == "plan_section", Document.section == key
            )
        ).one()
        db.session.expunge(doc)
        return doc


def _marks(app: Any, key: str) -> dict[str, str]:
    with app.app_context():
        doc = _section_doc(app, key)
        return provenance.marked_words(reading.load(db.session, doc.id).ydoc)


def _submit_advice(app: Any, *titles: str) -> None:
    """The professionals send their advice, as their Send button does."""
    with app.app_context():
        for title in titles:
            doc = db.session.scalars(
                db.select(Document).where(Document.title == title)
            ).one()
            assert doc.owner is not None
            documents.submit_advice(db.session, doc, doc.owner.person)
        db.session.commit()


def _open_desk(chromium: Any, base: str) -> Any:
    page = chromium.new_page(viewport=DESKTOP)
    sign_in(page, base, "caseworker@example.org")
    page.goto(f"{base}/cases/1/desk")
    page.wait_for_selector('#ehcp-desk[data-state="ready"]')
    page.wait_for_selector('#desk-source-mount[data-state="ready"]', timeout=15_000)
    page.wait_for_selector('#plan-F-mount[data-state="ready"]', timeout=15_000)
    _wait_until(page, "window.ehcpDesk.sections.F.access === 'edit'")
    return page


def test_caseworker_sends_a_passage_with_the_keyboard_and_it_keeps_its_source(
    app: Any, live_server: str, chromium: Any, runner: Any
) -> None:
    runner.invoke(args=["demo"])
    page = _open_desk(chromium, live_server)
    assert _violations(page) == ""

    # Keyboard only from the contribution picker: into the advice, select its
    # first two blocks, send them to the chosen section (F by default).
    page.focus("#desk-contribution")
    page.keyboard.press("Tab")
    assert page.evaluate(
        "document.activeElement === window.ehcpDesk.source.view.dom"
    ), "Tab from the picker reaches the advice"
    page.keyboard.press("Control+Home")
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Shift+End")
    chosen = page.evaluate(
        "(() => { const s = window.ehcpDesk.source.view.state;"
        " return s.doc.textBetween(s.selection.from, s.selection.to, '\\n', ' ') })()"
    )
    assert chosen.strip(), "the keyboard selected words"
    page.keyboard.press("Control+Shift+Enter")
    page.wait_for_selector("#desk-announce:has-text('Sent to Section F')")
    first_line = chosen.strip().splitlines()[0]
    _wait_until(
        page,
        "window.ehcpDesk.sections.F.provider.pendingCount === 0 && "
        f"window.ehcpDesk.sections.F.view.state.doc.textContent.includes({first_line!r})",
    )
    assert page.locator("#plan-F-mount .app-source").count() >= 1

    # Saved with its mark: the server reads the passage back from Section F.
    marks = _marks(app, "F")
    assert len(marks) == 1
    (ref, words) = next(iter(marks.items()))
    assert provenance.normalise(words) == provenance.normalise(chosen)

    # Focus the passage: the source line names the advice, links to it, and
    # says the words are unchanged; typing inside it makes it "changed".
    page.evaluate(
        "(() => { const v = window.ehcpDesk.sections.F.view; let at = null;"
        " v.state.doc.descendants((n, p) => { if (at === null && n.isText &&"
        " n.marks.some(m => m.type.name === 'source')) at = p + 2; });"
        " v.focus(); v.dispatch(v.state.tr.setSelection("
        "   v.state.selection.constructor.near(v.state.doc.resolve(at)))); })()"
    )
    line = page.locator("#plan-F-source")
    line.wait_for(state="visible")
    _wait_until(
        page,
        "document.getElementById('plan-F-source').textContent.includes('Same words')",
    )
    assert "This passage: From" in line.inner_text()
    assert line.locator("a.govuk-link").count() == 1
    page.keyboard.type("really ")
    _wait_until(
        page,
        "document.getElementById('plan-F-source').textContent.includes('Changed since')",
    )
    assert page.locator("#plan-F-mount .app-source--changed").count() >= 1
    _wait_until(page, "window.ehcpDesk.sections.F.provider.pendingCount === 0")
    (words_now,) = _marks(app, "F").values()
    assert "really" in words_now, "the edit inside the passage kept its source mark"
    page.reload()
    page.wait_for_selector('#plan-F-mount[data-state="ready"]', timeout=15_000)
    _wait_until(
        page,
        "document.querySelectorAll('#plan-F-mount .app-source--changed').length > 0",
    )
    _wait_until(
        page,
        "document.getElementById('desk-usage').textContent.includes('is in the plan')",
    )
    assert _violations(page) == ""


def test_start_the_draft_and_accept_every_proposal_by_keyboard(
    app: Any, live_server: str, chromium: Any, runner: Any
) -> None:
    runner.invoke(args=["demo"])
    _submit_advice(app, "Psychological advice", "Speech and language therapy advice")
    page = _open_desk(chromium, live_server)
    for key in ("B", "E"):
        _wait_until(page, f"window.ehcpDesk.sections.{key}.access === 'edit'")
    page.focus("#desk-start-draft")
    page.keyboard.press("Enter")
    page.wait_for_selector("#desk-announce:has-text('proposal')")
    count = page.locator("#desk-proposals li[data-status=open]").count()
    assert count >= 3
    assert _violations(page) == ""
    for _ in range(count):
        page.locator("#desk-proposals li[data-status=open] textarea").first.focus()
        page.keyboard.press("Tab")  # to Accept
        page.keyboard.press("Enter")
        page.wait_for_selector("#desk-announce:has-text('Added to Section')")
        page.evaluate("document.getElementById('desk-announce').textContent = ''")
    assert page.locator("#desk-proposals li[data-status=open]").count() == 0
    for key in ("B", "E", "F"):
        _wait_until(
            page,
            f"window.ehcpDesk.sections.{key}.provider.pendingCount === 0 && "
            f"window.ehcpDesk.sections.{key}.view.state.doc.textContent.length > 0",
        )
    for key in ("B", "E", "F"):
        assert _marks(app, key), f"Section {key} holds accepted passages with sources"
    # Needs in B sit under their broad area of need, in the section's list.
    area = page.locator(
        "#plan-B-mount h3:has-text('Social, emotional and mental health') + ul li"
    )
    assert area.filter(has_text="signs of anxiety").count() == 1


def test_a_merged_passage_says_its_source_on_the_section_page(
    app: Any, live_server: str, chromium: Any, runner: Any
) -> None:
    runner.invoke(args=["demo"])
    page = _open_desk(chromium, live_server)
    page.focus("#desk-contribution")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+Home")
    page.keyboard.press("Shift+End")
    page.keyboard.press("Control+Shift+Enter")
    page.wait_for_selector("#desk-announce:has-text('Sent to Section F')")
    _wait_until(page, "window.ehcpDesk.sections.F.provider.pendingCount === 0")
    assert _marks(app, "F")

    # On Section F's own page, the caret in the passage names its source.
    section_f = _section_doc(app, "F")
    page.goto(f"{live_server}/documents/{section_f.id}")
    page.wait_for_selector('#ehcp-editor[data-state="ready"]', timeout=15_000)
    page.wait_for_selector("#editor-mount .app-source")
    page.click("#editor-mount .app-source")
    _wait_until(
        page,
        "document.getElementById('editor-source').textContent.includes('This passage: From')",
    )
    assert page.locator("#editor-source a.govuk-link").count() == 1
    assert _violations(page) == ""
