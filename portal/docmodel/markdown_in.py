"""Markdown into the body: for imports, the demo, seeding and moving old
documents over.

A paragraph that is only a link to one of the portal's recordings, with
words starting "Voice note:", is a voice note again (markdown_out writes it
so). Everything else Markdown can say that the families' editor cannot (quotes, code,
tables, links, rules) keeps its words: a quote's paragraphs become
paragraphs, a table's rows become lines of cells, a link keeps its text and
its address in brackets. Nothing written is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from pycrdt import XmlElement, XmlFragment, XmlText

from portal.docmodel.markdown_out import OWN_RECORDING, VOICE_NOTE_LABEL, one_line

_md = MarkdownIt("commonmark", {"html": False}).enable("table")
# Pictures the portal itself keeps; any other address is not fetched by
# anyone's browser (privacy), so such a picture keeps only its words.
OWN_IMAGE = re.compile(r"^(/[\w.-]+)*/documents/\d+/images/\d+$")

Inline = list[tuple[str, dict[str, Any] | None] | None]  # None: a line break


def fill_from_markdown(fragment: XmlFragment, markdown: str) -> None:
    """Append the blocks `markdown` describes to an empty, attached fragment."""
    tokens = _md.parse(markdown)
    _Builder(tokens).blocks(fragment, 0, len(tokens))


class _Builder:
    def __init__(self, tokens: Sequence[Token]) -> None:
        self.tokens = tokens

    def _close_of(self, start: int) -> int:
        """The index of the token closing the one opened at `start`."""
        depth = 0
        for i in range(start, len(self.tokens)):
            depth += self.tokens[i].nesting
            if depth == 0:
                return i
        return len(self.tokens) - 1

    def blocks(self, parent: Any, start: int, end: int) -> None:
        i = start
        while i < end:
            token = self.tokens[i]
            close = self._close_of(i) if token.nesting == 1 else i
            self.block(parent, token, i, close)
            i = close + 1

    def block(self, parent: Any, token: Token, i: int, close: int) -> None:
        kind = token.type
        if kind == "heading_open":
            level = int(token.tag[1]) if token.tag[1:].isdigit() else 2
            self.textblock(parent, "heading", self.tokens[i + 1], {"level": level})
        elif kind == "paragraph_open":
            self.paragraph(parent, self.tokens[i + 1])
        elif kind in ("bullet_list_open", "ordered_list_open"):
            attrs: dict[str, Any] = {}
            if kind == "ordered_list_open":
                attrs["order"] = int(str(token.attrGet("start") or 1))
            lst = parent.children.append(XmlElement(kind.removesuffix("_open"), attrs))
            self.blocks(lst, i + 1, close)
        elif kind == "list_item_open":
            item = parent.children.append(XmlElement("list_item"))
            self.blocks(item, i + 1, close)
            if not len(item.children) or _tag(item.children[0]) != "paragraph":
                item.children.insert(0, XmlElement("paragraph"))
        elif kind == "blockquote_open":
            self.blocks(parent, i + 1, close)
        elif kind in ("fence", "code_block"):
            lines = token.content.rstrip("\n").split("\n")
            self.lines(parent, lines)
        elif kind == "table_open":
            self.table(parent, i, close)
        # hr and anything unknown hold no words

    def paragraph(self, parent: Any, inline: Token) -> None:
        """A paragraph, or a picture or voice note of the portal's own
        standing alone."""
        children = inline.children or []
        note = _voice_note(children)
        if note is not None:
            parent.children.append(XmlElement("voice_note", note))
            return
        if len(children) == 1 and children[0].type == "image":
            src = str(children[0].attrGet("src") or "")
            if OWN_IMAGE.match(src):
                alt = _plain(children[0].children or [])
                parent.children.append(XmlElement("image", {"src": src, "alt": alt}))
                return
        self.textblock(parent, "paragraph", inline, {})

    def textblock(
        self, parent: Any, tag: str, inline: Token, attrs: dict[str, Any]
    ) -> None:
        element = parent.children.append(XmlElement(tag, attrs))
        _write_inline(element, _inline(inline.children or []))

    def lines(self, parent: Any, lines: list[str]) -> None:
        runs: Inline = []
        for n, line in enumerate(lines):
            if n:
                runs.append(None)
            runs.append((line, None))
        element = parent.children.append(XmlElement("paragraph"))
        _write_inline(element, runs)

    def table(self, parent: Any, start: int, close: int) -> None:
        row: list[str] = []
        rows: list[str] = []
        for token in self.tokens[start:close]:
            if token.type == "tr_open":
                row = []
            elif token.type == "inline":
                row.append(_plain(token.children or []))
            elif token.type == "tr_close":
                rows.append(" | ".join(row))
        self.lines(parent, rows)


def _voice_note(children: Sequence[Token]) -> dict[str, Any] | None:
    """The attributes of a voice note, if the paragraph is only a link to a
    recording of ours whose words start with "Voice note:"."""
    if len(children) < 2 or children[0].type != "link_open":
        return None
    if children[-1].type != "link_close":
        return None
    inner = children[1:-1]
    if any(t.type != "text" for t in inner):
        return None
    words = "".join(t.content for t in inner)
    src = str(children[0].attrGet("href") or "")
    if not OWN_RECORDING.match(src) or not words.startswith(VOICE_NOTE_LABEL):
        return None
    return {"src": src, "transcript": one_line(words[len(VOICE_NOTE_LABEL) :])}


def _tag(node: Any) -> str | None:
    return node.tag if isinstance(node, XmlElement) else None


def _inline(children: Sequence[Token]) -> Inline:
    """Runs of text with their marks; soft and hard breaks both end a line
    (a family pressing Enter once meant a new line)."""
    runs: Inline = []
    marks: dict[str, Any] = {}
    link: list[str] = []
    for token in children:
        kind = token.type
        if kind in ("strong_open", "em_open"):
            marks[kind.removesuffix("_open")] = {}
        elif kind in ("strong_close", "em_close"):
            marks.pop(kind.removesuffix("_close"), None)
        elif kind in ("text", "code_inline", "html_inline"):
            runs.append((token.content, dict(marks) or None))
        elif kind in ("softbreak", "hardbreak"):
            runs.append(None)
        elif kind == "image":
            runs.append((_plain(token.children or []), dict(marks) or None))
        elif kind == "link_open":
            link.append(str(token.attrGet("href") or ""))
        elif kind == "link_close" and link:
            href = link.pop()
            label = runs[-1][0] if runs and runs[-1] else ""
            if href and href not in (label, "mailto:" + label):
                runs.append((f" ({href})", dict(marks) or None))
    return runs


def _plain(children: Sequence[Token]) -> str:
    return "".join(
        t.content if t.type in ("text", "code_inline") else " "
        for t in children
        if t.type in ("text", "code_inline", "softbreak", "hardbreak")
    )


def _write_inline(element: XmlElement, runs: Inline) -> None:
    """Text runs into XmlText children, a `hard_break` element per break."""
    text: XmlText | None = None
    for run in runs:
        if run is None:
            element.children.append(XmlElement("hard_break"))
            text = None
            continue
        value, attrs = run
        if not value:
            continue
        if text is None:
            text = element.children.append(XmlText())
        text.insert(len(text), value, attrs)
