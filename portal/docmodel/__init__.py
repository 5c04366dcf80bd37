"""The document model: what a live document holds, and its Markdown.

A document is one Yjs `XmlFragment` named `body`, edited in the browser with
ProseMirror bound by y-prosemirror (`frontend/src/schema.js` is the schema).
Elements are named after ProseMirror nodes, their attributes are the node's
attributes, text is `XmlText` and marks are text format attributes named
after the mark. The server never shows that structure to anyone: the
assistant, versions, the no-JavaScript page and exports read Markdown made
from it (`markdown_out`), and imports and the demo write Markdown into it
(`markdown_in`).

Documents written before this model kept Markdown in a `Y.Text` named
`content`. `adopt_legacy_text` moves that text into `body` in one update; a
document that was never moved still reads as its old text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pycrdt import Doc, Text, XmlElement, XmlFragment, XmlText

from portal.docmodel.markdown_in import fill_from_markdown
from portal.docmodel.markdown_out import to_markdown

FRAGMENT_NAME = "body"
LEGACY_TEXT_NAME = "content"

__all__ = [
    "FRAGMENT_NAME",
    "LEGACY_TEXT_NAME",
    "adopt_legacy_text",
    "body_of",
    "markdown_of",
    "replace_markdown",
    "seed_headings",
]


def body_of(ydoc: Doc[Any]) -> XmlFragment:
    """The document's body, attached if it was not yet."""
    body: XmlFragment = ydoc.get(FRAGMENT_NAME, type=XmlFragment)
    return body


def _legacy(ydoc: Doc[Any]) -> Text:
    text: Text = ydoc.get(LEGACY_TEXT_NAME, type=Text)
    return text


def markdown_of(ydoc: Doc[Any]) -> str:
    """The Markdown a document holds: its body's, or, for a document written
    before the body existed and never moved, its old text."""
    body = body_of(ydoc)
    if len(body.children):
        return to_markdown(body)
    return str(_legacy(ydoc))


def replace_markdown(ydoc: Doc[Any], markdown: str) -> None:
    """Make the body hold `markdown` (import, demo and seeding only: never on
    a document whose old state clients may still hold and edit)."""
    body = body_of(ydoc)
    legacy = _legacy(ydoc)
    with ydoc.transaction():
        if len(legacy):
            del legacy[0 : len(legacy)]
        if len(body.children):
            del body.children[0 : len(body.children)]
        fill_from_markdown(body, markdown)


def adopt_legacy_text(ydoc: Doc[Any]) -> bool:
    """Move old Markdown text into the body, once; True if anything moved.

    The old text is emptied in the same transaction, so a body emptied later
    by its writers does not bring the old words back."""
    body = body_of(ydoc)
    legacy = _legacy(ydoc)
    if len(body.children) or not len(legacy):
        return False
    replace_markdown(ydoc, str(legacy))
    return True


def seed_headings(ydoc: Doc[Any], headings: Iterable[str]) -> None:
    """Give an empty body a heading and an empty paragraph to write in for
    each prompt (the editor shows a sentence starter in the paragraph)."""
    body = body_of(ydoc)
    if len(body.children):
        return
    # A number, as ProseMirror keeps it (pycrdt's hint says str).
    level: dict[str, Any] = {"level": 2}
    with ydoc.transaction():
        for heading in headings:
            element = body.children.append(XmlElement("heading", level))
            element.children.append(XmlText(heading))
            body.children.append(XmlElement("paragraph"))
