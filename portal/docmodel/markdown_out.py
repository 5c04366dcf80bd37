"""The body as Markdown, in one canonical form.

Blocks are separated by a blank line; headings are ATX (`## `); list items
are tight (`- `, `1. `) with their further blocks indented by the marker's
width; bold is `**`, italic `*`; a line break inside a paragraph is a
backslash at the end of the line; pictures are `![alt](src)`; a voice note
is a paragraph holding only a link, `[Voice note: transcript](src)`. Characters
that Markdown would read as markup are escaped, so what a family typed comes
back as the same words. The browser's serializer
(`frontend/src/to-markdown.js`) writes the same form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from markdown_it import MarkdownIt
from pycrdt import XmlElement, XmlFragment, XmlText

MARKS = (("strong", "**"), ("em", "*"))  # outermost first
# Only what can move emphasis about: escapes, code spans, emphasis, breaks.
_inline_reader = MarkdownIt("zero").enable(
    ["escape", "backticks", "emphasis", "newline"]
)
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<])")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# What turns a line into something other than words: a heading, a quote, a
# list item, a rule or a heading underline.
_LINE_START = re.compile(r"^( {0,3})(#{1,6}(?=\s|$)|>|[-+](?=\s|$)|=+\s*$|-+\s*$)")
_ORDERED_START = re.compile(r"^( {0,3}\d{1,9})([.)])(?=\s|$)")
# A recording the portal keeps, under any path prefix (as markdown_in reads it).
OWN_RECORDING = re.compile(r"^(/[A-Za-z0-9_.~-]+)*/documents/\d+/recordings/\d+$")
VOICE_NOTE_LABEL = "Voice note:"
_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")
# The update check refuses types nested over 100 deep; this bound only keeps
# a document from before that check from exhausting the stack.
_MAX_DEPTH = 120


def to_markdown(fragment: XmlFragment) -> str:
    """The fragment's Markdown, ending with one newline (empty for an empty body)."""
    text = _blocks(fragment.children, 0)
    return text + "\n" if text else ""


def _blocks(children: Iterable[Any], depth: int) -> str:
    parts = [_block(child, depth) for child in children]
    return "\n\n".join(part for part in parts if part)


def _block(node: Any, depth: int) -> str:
    if isinstance(node, XmlText):  # text straight in the body: keep the words
        return _escape_lines(_runs([node]))
    if not isinstance(node, XmlElement) or depth > _MAX_DEPTH:
        return ""
    tag = node.tag or ""
    if tag == "paragraph":
        return _escape_lines(_runs(node.children))
    if tag == "heading":
        level = min(max(_int(node.attributes.get("level"), 2), 1), 6)
        words = _runs(node.children, line_break=" ")
        return "#" * level + " " + _escape_line_start(words) if words else ""
    if tag in ("bullet_list", "ordered_list"):
        return _list(node, depth)
    if tag == "image":
        return _image(node)
    if tag == "voice_note":
        return _voice_note(node)
    # A list item out of its list, or an element this model does not know
    # (from a newer client): its words.
    return _blocks(node.children, depth + 1)


def _list(node: XmlElement, depth: int) -> str:
    ordered = node.tag == "ordered_list"
    number = _int(node.attributes.get("order"), 1) if ordered else 0
    lines: list[str] = []
    for item in node.children:
        marker = f"{number}. " if ordered else "- "
        number += 1
        body = (
            _item(item, depth + 1)
            if isinstance(item, XmlElement)
            else _block(item, depth + 1)
        )
        pad = " " * len(marker)
        indented = "\n".join(pad + line if line else "" for line in body.split("\n"))
        lines.append(marker + indented[len(pad) :] if body else marker.rstrip())
    return "\n".join(lines)


def _item(item: XmlElement, depth: int) -> str:
    """A list item's blocks; a list inside it follows its paragraph directly,
    so the lists stay tight."""
    out = ""
    for child in item.children:
        text = _block(child, depth)
        if not text:
            continue
        if out:
            nested = isinstance(child, XmlElement) and child.tag in (
                "bullet_list",
                "ordered_list",
            )
            out += "\n" if nested else "\n\n"
        out += text
    return out


def _image(node: XmlElement) -> str:
    src = str(node.attributes.get("src") or "")
    alt = str(node.attributes.get("alt") or "")
    if not src:
        return ""
    alt = _INLINE_SPECIAL.sub(r"\\\1", alt.replace("\n", " "))
    return f"![{alt}]({quote(src, safe='/:?=&#%.-_~')})"


def one_line(text: str) -> str:
    """The words on one line: runs of spaces and line ends made one space."""
    return _WHITESPACE.sub(" ", text).strip(" ")


def _voice_note(node: XmlElement) -> str:
    """`[Voice note: words](src)`; without a recording of ours, the words alone."""
    src = str(node.attributes.get("src") or "")
    words = one_line(str(node.attributes.get("transcript") or ""))
    label = f"{VOICE_NOTE_LABEL} {words}" if words else VOICE_NOTE_LABEL
    if not OWN_RECORDING.match(src):
        return _escape_line_start(_escape_inline(label))
    return f"[{_escape_inline(label)}]({src})"


def _runs(children: Iterable[Any], line_break: str = "\\\n") -> str:
    """Inline content: text runs with their marks, and line breaks."""
    pieces: list[tuple[str, list[str]] | None] = []  # None: a line break
    for child in children:
        if isinstance(child, XmlText):
            for value, attrs in child.diff():
                if isinstance(value, str) and value:  # an embed holds no words
                    marks = [name for name, _ in MARKS if _has_mark(attrs or {}, name)]
                    pieces.append((value, marks))
        elif isinstance(child, XmlElement) and child.tag == "hard_break":
            pieces.append(None)
    marked = _write(pieces, line_break, with_marks=True)
    if not any(piece and piece[1] for piece in pieces) or _reads_as(marked, pieces):
        return marked
    # Emphasis next to punctuation or other emphasis can read as stray
    # asterisks: then the words go out plain rather than garbled.
    return _write(pieces, line_break, with_marks=False)


Pieces = list[tuple[str, list[str]] | None]


def _write(pieces: Pieces, line_break: str, *, with_marks: bool) -> str:
    out: list[str] = []
    open_marks: list[str] = []
    for n, piece in enumerate(pieces):
        if piece is None:
            _close(out, open_marks, 0)
            out.append(line_break)
            continue
        following = pieces[n + 1] if n + 1 < len(pieces) else None
        wanted = piece[1] if with_marks else []
        after = following[1] if following and with_marks else []
        _run(out, open_marks, _escape_inline(piece[0]), wanted, after)
    _close(out, open_marks, 0)
    return "".join(out)


def _reads_as(markdown: str, pieces: Pieces) -> bool:
    """Whether a Markdown reader gets back these words with these marks
    (spaces may differ in marks: they show no emphasis)."""
    want: list[tuple[str, frozenset[str]]] = [
        ("\n", frozenset()) if piece is None else (piece[0], frozenset(piece[1]))
        for piece in pieces
    ]
    got: list[tuple[str, frozenset[str]]] = []
    marks: set[str] = set()
    for token in _inline_reader.parseInline(markdown)[0].children or []:
        kind = token.type
        if kind.endswith("_open"):
            marks.add(kind.removesuffix("_open"))
        elif kind.endswith("_close"):
            marks.discard(kind.removesuffix("_close"))
        elif kind in ("softbreak", "hardbreak"):
            got.append(("\n", frozenset()))
        elif token.content:
            got.append((token.content, frozenset(marks)))
    return _shown(got) == _shown(want)


def _shown(runs: list[tuple[str, frozenset[str]]]) -> list[tuple[str, frozenset[str]]]:
    """Runs merged where their marks agree, spaces counted as unmarked."""
    out: list[tuple[str, frozenset[str]]] = []
    for text, marks in runs:
        for part in _SPACES.split(text):
            if not part:
                continue
            m = frozenset() if part.isspace() else marks
            if out and out[-1][1] == m:
                out[-1] = (out[-1][0] + part, m)
            else:
                out.append((part, m))
    return out


_SPACES = re.compile(r"(\s+)")


def _run(
    out: list[str],
    open_marks: list[str],
    text: str,
    wanted: list[str],
    after: list[str],
) -> None:
    """One run. Markdown ignores a `**` that has a space on its inner side,
    so delimiters open after leading spaces and close before trailing ones,
    unless the mark goes on into the next run."""
    core = text.strip()
    if not core:
        _close(out, open_marks, _common_prefix(open_marks, _common(wanted, after)))
        out.append(text)
        return
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    _close(out, open_marks, _common_prefix(open_marks, wanted))
    out.append(lead)
    for name in wanted[len(open_marks) :]:
        out.append(_DELIMITER[name])
        open_marks.append(name)
    out.append(core)
    if trail:
        _close(out, open_marks, _common_prefix(open_marks, after))
        out.append(trail)


def _common(a: list[str], b: list[str]) -> list[str]:
    return a[: _common_prefix(a, b)]


_DELIMITER = dict(MARKS)


def _common_prefix(a: list[str], b: list[str]) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


def _close(out: list[str], open_marks: list[str], keep: int) -> None:
    """Close the open marks after the first `keep`, innermost first."""
    while len(open_marks) > keep:
        out.append(_DELIMITER[open_marks.pop()])


def _has_mark(attrs: dict[str, Any], name: str) -> bool:
    # y-prosemirror names an overlapping mark `name--hash`.
    return any(
        key == name or key.startswith(name + "--")
        for key, value in attrs.items()
        if value is not None
    )


def _escape_inline(text: str) -> str:
    return _ENTITY.sub(r"\\&", _INLINE_SPECIAL.sub(r"\\\1", text))


def _escape_line_start(line: str) -> str:
    line = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), line, count=1)
    return _ORDERED_START.sub(lambda m: m.group(1) + "\\" + m.group(2), line, count=1)


def _escape_lines(text: str) -> str:
    """Escape what would start a block at the start of each line."""
    return "\n".join(_escape_line_start(line) for line in text.split("\n"))


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
