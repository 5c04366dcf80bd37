"""Two real clients on a real server: a professional types in their advice
while the caseworker merges a passage of it into a plan section. Both
documents converge, and the passage keeps its source through further edits
on both sides and a SIGKILL and restart of the server."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from pycrdt import XmlElement, XmlFragment, XmlText

from portal import docmodel
from portal.doclog import reading
from portal.extensions import db
from portal.models import Case, Document, Person
from portal.services import provenance

try:
    from collab_helpers import Editor, eventually, run
except ImportError:
    from tests.realtime.collab_helpers import Editor, eventually, run

PASSAGE = "Direct speech and language therapy, 6 sessions of 30 minutes each term."


def _body(editor: Editor) -> XmlFragment:
    return docmodel.body_of(editor.ydoc)


async def _edit_body(editor: Editor, change: Any) -> Any:
    before = editor.ydoc.get_state()
    with editor.ydoc.transaction():
        change(_body(editor))
    return await editor.send_update(editor.ydoc.get_update(before))


def _paragraph(
    body: XmlFragment, words: str, attrs: dict[str, Any] | None = None
) -> None:
    paragraph = body.children.append(XmlElement("paragraph"))
    paragraph.children.append(XmlText()).insert(0, words, attrs)


def _first_text(body: XmlFragment, containing: str) -> XmlText:
    for child in body.children:
        if isinstance(child, XmlElement):
            for text in child.children:
                if isinstance(text, XmlText) and containing in provenance._words(text):
                    return text
    raise AssertionError(f"no paragraph holds {containing!r}")


def _plain(editor: Editor) -> str:
    return provenance.plain_text(editor.ydoc)


def test_a_merged_passage_keeps_its_source_while_both_sides_edit_and_after_a_restart(
    seed: Any, start_server: Any, local_app: Flask
) -> None:
    server = start_server()
    state: dict[str, Any] = {}

    async def scenario() -> None:
        author = await Editor(server.url, seed.tokens["professional"]).connect()
        caseworker = await Editor(server.url, seed.tokens["caseworker"]).connect()
        assert (await author.join(seed.advice))["access"] == "edit"
        assert (await _edit_body(author, lambda b: _paragraph(b, "Recommendations:")))[
            "ok"
        ]
        assert (await _edit_body(author, lambda b: _paragraph(b, PASSAGE)))["ok"]

        # The caseworker reads the advice live, read-only, and sees it arrive.
        reader = await Editor(server.url, seed.tokens["caseworker"]).connect()
        assert (await reader.join(seed.advice))["access"] == "comment"
        await eventually(lambda: PASSAGE in _plain(reader), what="advice read live")

        # Taking the passage: the server checks the words against the advice.
        with local_app.app_context():
            case = db.session.get(Case, seed.case_id)
            source = db.session.get(Document, seed.advice)
            by = db.session.get(Person, seed.people["caseworker"])
            assert case and source and by
            excerpt = provenance.take(
                db.session, case, source, "B", PASSAGE, by, date(2026, 12, 5)
            )
            db.session.commit()
            ref = state["ref"] = excerpt.ref

        # The caseworker's editor puts it in Section B while the author keeps
        # typing in the advice: each edit acknowledged, neither waits for the other.
        assert (await caseworker.join(seed.section_b))["access"] == "edit"
        mark = {provenance.MARK: {"ref": ref}}
        acks = [
            await _edit_body(caseworker, lambda b: _paragraph(b, PASSAGE, mark)),
            await _edit_body(
                author,
                lambda b: _first_text(b, "Recommendations").insert(
                    len("Recommendations"), " from my visit"
                ),
            ),
            await _edit_body(
                author, lambda b: _paragraph(b, "Review the programme each half term.")
            ),
            # The caseworker sharpens the passage: words inside it keep the mark.
            await _edit_body(
                caseworker,
                lambda b: _first_text(b, "each term").insert(
                    PASSAGE.index(" each term"), " with the therapist", mark
                ),
            ),
            # And types a plain sentence after it, which carries no source.
            await _edit_body(
                caseworker, lambda b: _paragraph(b, "Reviewed at the annual review.")
            ),
        ]
        assert all(a == {"ok": True} for a in acks), acks
        await eventually(
            lambda: (
                "Review the programme" in _plain(reader)
                and "from my visit" in _plain(reader)
            ),
            what="the caseworker's view of the advice converges",
        )
        assert _plain(reader) == _plain(author)
        state["marked"] = provenance.marked_words(caseworker.ydoc)[ref]
        state["section"] = _plain(caseworker)
        for editor in (author, caseworker, reader):
            await editor.close()

    run(scenario())
    marked = state["marked"]
    assert "with the therapist" in marked and "Reviewed at the annual" not in marked

    # A SIGKILL and a restart: what was acknowledged comes back with its mark.
    server.kill()
    server = start_server()

    async def after_restart() -> None:
        again = await Editor(server.url, seed.tokens["caseworker"]).connect()
        assert (await again.join(seed.section_b))["ok"]
        await eventually(
            lambda: _plain(again) == state["section"], what="section B reloaded"
        )
        assert provenance.marked_words(again.ydoc)[state["ref"]] == marked
        await again.close()

    run(after_restart())
    with local_app.app_context():
        db.session.remove()
        case = db.session.get(Case, seed.case_id)
        assert case is not None
        [passage] = provenance.passages(db.session, case)
        assert passage.section == "B" and passage.changed
        assert passage.excerpt.quote == PASSAGE
        advice = reading.document_text(db.session, seed.advice)
        assert "Review the programme each half term." in advice
        [usage] = provenance.usage(db.session, case)
        assert usage.passages == 1
        # Every word taken is still in the plan: the passage was added to, not cut.
        assert usage.used_words == len(PASSAGE.split())
