"""A word-level comparison of two texts, for people rather than machines:
whole words inserted and deleted, with the spaces and line breaks between
them kept, so the result reads as the document does."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_TOKEN = re.compile(r"\s+|[^\s]+")
MAX_TOKENS = 60_000  # about 30,000 words a side; larger texts compare by lines


@dataclass(frozen=True)
class Piece:
    """A run of text that is the same in both (`same`), or only in the old
    (`deleted`) or only in the new (`inserted`)."""

    kind: str
    text: str


_MARKUP = re.compile(r"\*\*|__|^#{1,6} +", re.M)


def readable(markdown: str) -> str:
    """The stored Markdown as a reader sees its words: no bold marks or heading
    hashes (list dashes and numbers stay, as they read as bullets)."""
    return _MARKUP.sub("", markdown)


def words(old: str, new: str) -> list[Piece]:
    """The pieces that turn `old` into `new`, deletions before insertions."""
    old, new = readable(old), readable(new)
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    if len(a) > MAX_TOKENS or len(b) > MAX_TOKENS:
        a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    out: list[Piece] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            _add(out, "same", "".join(a[i1:i2]))
            continue
        if op in ("delete", "replace"):
            _add(out, "deleted", "".join(a[i1:i2]))
        if op in ("insert", "replace"):
            _add(out, "inserted", "".join(b[j1:j2]))
    return out


def _add(out: list[Piece], kind: str, text: str) -> None:
    if not text:
        return
    if out and out[-1].kind == kind:
        out[-1] = Piece(kind, out[-1].text + text)
    else:
        out.append(Piece(kind, text))


def counts(pieces: list[Piece]) -> tuple[int, int]:
    """(words inserted, words deleted)."""
    inserted = sum(len(p.text.split()) for p in pieces if p.kind == "inserted")
    deleted = sum(len(p.text.split()) for p in pieces if p.kind == "deleted")
    return inserted, deleted
