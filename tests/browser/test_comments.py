"""Comments and proposed changes in Chromium, two people on Section A at once:
the parent comments on a passage they selected, the caseworker sees it arrive
and replies, the parent resolves it; the parent proposes new wording, the
caseworker sees it as a tracked change and accepts it, and the new words
reach both editors; when the line is deleted, the first comment stays, marked
as about deleted text.
axe-core clean on both pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Document
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import DESKTOP, _violations
from tests.browser.test_live_editing import _wait_until

OPENING = "Leo is kind and funny."
PROPOSED = "Leo is kind, funny and loves trains."


def _open(chromium: Any, base: str, email: str, doc_id: int) -> Any:
    page = chromium.new_page(viewport=DESKTOP)
    sign_in(page, base, email)
    page.goto(f"{base}/documents/{doc_id}")
    page.wait_for_selector('#ehcp-editor[data-state="ready"]')
    return page


def _select(page: Any, words: str) -> None:
    """Select `words` on the first line with the keyboard."""
    page.focus(".ProseMirror")
    page.keyboard.press("Control+Home")
    for _ in range(OPENING.index(words)):
        page.keyboard.press("ArrowRight")
    for _ in range(len(words)):
        page.keyboard.press("Shift+ArrowRight")


def _joined(page: Any, selector: str) -> str:
    """The text of every element matching, joined: a decorated passage is
    split into several spans where other decorations (cursors) cross it."""
    texts = page.locator(selector).all_inner_texts()
    return "".join(texts)


def _thread(page: Any, text: str) -> Any:
    return page.locator("li.app-comment", has_text=text)


def test_comment_reply_resolve_and_an_accepted_proposal_between_two_browsers(
    live_server: str, chromium: Any, runner: Any, dbs: Session
) -> None:
    runner.invoke(args=["demo"])
    section_a = dbs.scalars(
        select(Document).where(Document.kind == "plan_section", Document.section == "A")
    ).one()
    parent = _open(chromium, live_server, "parent@example.org", section_a.id)
    caseworker = _open(chromium, live_server, "caseworker@example.org", section_a.id)

    # The parent writes a line at the top, and both see it.
    parent.focus(".ProseMirror")
    parent.keyboard.press("Control+Home")
    parent.keyboard.type(OPENING)
    parent.keyboard.press("Enter")
    _wait_until(caseworker, f"window.ehcpEditor.text().includes({OPENING!r})")

    # A comment on a passage: selecting it fills in the words.
    _select(parent, "kind and funny")
    _wait_until(
        parent, "document.getElementById('comment-quote').value === 'kind and funny'"
    )
    parent.fill("#comment-body", "Could we add what he enjoys?")
    parent.get_by_role("button", name="Add comment").click()
    mine = _thread(parent, "Could we add what he enjoys?")
    mine.wait_for()
    # It arrives live for the caseworker, with the passage highlighted.
    theirs = _thread(caseworker, "Could we add what he enjoys?")
    theirs.wait_for()
    assert "kind and funny" in theirs.inner_text()
    caseworker.wait_for_selector(".ProseMirror .app-comment-passage")
    assert _joined(caseworker, ".ProseMirror .app-comment-passage") == "kind and funny"
    assert _violations(caseworker) == ""

    # The caseworker replies; the parent sees the reply and resolves the thread.
    theirs.get_by_text("Reply").first.click()
    theirs.get_by_label("Your reply").fill("Yes, please add trains.")
    theirs.get_by_role("button", name="Send reply").click()
    mine = _thread(parent, "Could we add what he enjoys?")
    mine.get_by_text("Yes, please add trains.").wait_for()
    mine.get_by_role("button", name="Resolve").click()
    _thread(caseworker, "Could we add what he enjoys?").get_by_text(
        "Resolved", exact=True
    ).wait_for()

    # The parent proposes new wording for the line.
    parent.get_by_text("Propose a change to the wording").click()
    _select(parent, OPENING)
    _wait_until(
        parent, f"document.getElementById('proposal-quote').value === {OPENING!r}"
    )
    parent.fill("#proposal-replacement", PROPOSED)
    parent.fill("#proposal-reason", "Trains matter to him.")
    parent.get_by_role("button", name="Send to the caseworker").click()
    parent.get_by_text(
        "Your proposed change has been sent to the caseworker."
    ).wait_for()

    # The caseworker sees a tracked change in the text and in the list.
    caseworker.wait_for_selector(".ProseMirror .app-tracked-del")
    assert _joined(caseworker, ".ProseMirror .app-tracked-del") == OPENING
    assert caseworker.inner_text(".ProseMirror .app-tracked-ins") == PROPOSED
    proposal = _thread(caseworker, "Trains matter to him.")
    assert proposal.locator("del").inner_text() == OPENING
    assert proposal.locator("ins").inner_text() == PROPOSED
    assert _violations(caseworker) == ""
    proposal.get_by_role("button", name="Accept and apply the change").click()

    # The new words reach both editors, and the parent sees the outcome.
    for page in (caseworker, parent):
        _wait_until(page, f"window.ehcpEditor.text().includes({PROPOSED!r})")
    outcome = _thread(parent, "Trains matter to him.")
    outcome.get_by_text("Change accepted").wait_for()
    assert "Accepted by Dana Whitlock" in outcome.inner_text()
    assert caseworker.locator(".ProseMirror .app-tracked-del").count() == 0

    # The first comment's words were edited, not deleted: it still points at
    # them. When the caseworker deletes the line, it stays, marked, for both.
    first = _thread(parent, "Could we add what he enjoys?")
    assert first.get_attribute("data-passage") == "present"
    caseworker.evaluate(
        """(words) => {
          const view = window.ehcpEditor.view
          let found = null
          view.state.doc.descendants((node, pos) => {
            if (found === null && node.isText && node.text.includes(words)) {
              found = pos + node.text.indexOf(words)
            }
          })
          view.dispatch(view.state.tr.delete(found, found + words.length))
        }""",
        PROPOSED,
    )
    for page in (caseworker, parent):
        thread = _thread(page, "Could we add what he enjoys?")
        thread.get_by_text("The text it was about has been deleted.").wait_for()
    assert _violations(parent) == ""
