"""Find the items (needs, outcomes, provision) in a plan section.

Councils number items (B1, E1, F1) and link them with "(B1, B2; E1)", but the
checks must not rely on it: an item is any list item, or any paragraph when a
section has no list. Each item keeps its offsets, so quotes are exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from portal.assistant.text import Span, sentences

_BULLET = re.compile(r"^[ \t]*(?:[-*+\u2022]|\d{1,2}[.)])[ \t]+")
_ITEM_ID = re.compile(
    r"(?:\*\*)?\s*([A-K][12]?\d{0,2}[a-z]?)\s*[.:)]?\s*(?:\*\*)?[.:]?\s+"
)
_REF_GROUP = re.compile(
    r"\(\s*((?:[A-K]\d+[a-z]?)(?:\s*(?:,|;|and|to|-|\u2013)\s*[A-K]?\d+[a-z]?)*)\s*\)"
)
_REF = re.compile(r"([A-K])(\d+)(?:\s*(?:to|-|\u2013)\s*[A-K]?(\d+))?")
_NIL = re.compile(
    r"^\W*(?:none\b|nil\b|n/?a\b|not applicable|no\s+(?:\w+\s+){0,4}?"
    r"(?:provision|needs?|support|services?)\b[^.]*?\b(?:required|needed|identified|"
    r"necessary|at this time|assessed|known)|there (?:are|is) no\b|not required)",
    re.I,
)


@dataclass(frozen=True)
class Item:
    """A need, outcome or provision: its text (no number, no links) and context."""

    start: int
    end: int
    text: str
    item_id: str | None = None
    refs: frozenset[str] = field(default_factory=frozenset)
    heading: str = ""
    is_bullet: bool = True

    def sentences(self) -> list[Span]:
        """The item's sentences, offsets relative to the section text."""
        return sentences(self.text, self.start)


def expand_refs(text: str) -> set[str]:
    """'B1, B2; E1 to E3' -> {'B1', 'B2', 'E1', 'E2', 'E3'}."""
    out: set[str] = set()
    for m in _REF.finditer(text):
        letter, first, last = m.group(1), int(m.group(2)), m.group(3)
        for n in range(first, (int(last) if last else first) + 1):
            out.add(f"{letter}{n}")
    return out


_HEADING_REF = re.compile(
    r"\b[A-K]\d{1,2}[a-z]?(?:\s*(?:to|-|\u2013)\s*[A-K]?\d{1,2})?\b"
)


@lru_cache(maxsize=1024)
def heading_refs(heading: str) -> frozenset[str]:
    """Items a heading links its items to: '### Provision for B2 and B3'."""
    out: set[str] = set()
    for m in _HEADING_REF.finditer(heading):
        out |= expand_refs(m.group())
    return frozenset(out)


def _blocks(section: str) -> list[tuple[int, int, bool, str]]:
    """(start, end, is_bullet, heading) for list items and paragraphs."""
    blocks: list[tuple[int, int, bool, str]] = []
    heading = ""
    pos = 0
    current: list[int | bool] | None = None  # [start, end, is_bullet]
    for line in section.splitlines(keepends=True):
        start, stripped = pos, line.strip()
        pos += len(line)
        if not stripped or stripped.startswith("#") or stripped.startswith("|"):
            if current:
                blocks.append(
                    (int(current[0]), int(current[1]), bool(current[2]), heading)
                )
            current = None
            if stripped.startswith("#"):
                heading = stripped.lstrip("#").strip()
            continue
        bullet = _BULLET.match(line)
        if bullet or current is None:
            if current:
                blocks.append(
                    (int(current[0]), int(current[1]), bool(current[2]), heading)
                )
            current = [start + (bullet.end() if bullet else len(line) - len(line.lstrip())),
                       start + len(line.rstrip()), bool(bullet)]  # fmt: skip
        else:
            current[1] = start + len(line.rstrip())
    if current:
        blocks.append((int(current[0]), int(current[1]), bool(current[2]), heading))
    return blocks


def _make_item(
    section: str, start: int, end: int, is_bullet: bool, heading: str
) -> Item:
    text = section[start:end]
    item_id = None
    refs: set[str] = set()
    m = _ITEM_ID.match(text)
    if m and re.fullmatch(r"[A-K][12]?\d{1,2}[a-z]?", m.group(1)):
        item_id = m.group(1)
        start += m.end()
    lead = _REF_GROUP.match(section, start)
    if lead:
        refs |= expand_refs(lead.group(1))
        start = lead.end()
        while start < end and section[start] in " \t:;,-":
            start += 1
    body = section[start:end]
    groups = list(_REF_GROUP.finditer(body))
    for group in groups:  # "(see B4)" in the middle links as well as at the end
        refs |= expand_refs(group.group(1))
    refs |= heading_refs(heading)
    trail = groups[-1] if groups else None
    if trail and not body[trail.end() :].strip(" .\t"):
        refs |= expand_refs(trail.group(1))
        end = start + trail.start()
    text = section[start:end].rstrip()
    return Item(
        start, start + len(text), text, item_id, frozenset(refs), heading, is_bullet
    )


@lru_cache(maxsize=256)
def parse_items(section: str) -> tuple[Item, ...]:
    """List items of a section; its paragraphs when it has no list at all."""
    blocks = _blocks(section)
    if any(b[2] for b in blocks):
        blocks = [b for b in blocks if b[2]]
    items = [_make_item(section, *b) for b in blocks]
    return tuple(i for i in items if i.text.strip())


def prose_blocks(section: str) -> list[Item]:
    """Every list item and paragraph (for sections such as A, C and D)."""
    return [
        i for i in (_make_item(section, *b) for b in _blocks(section)) if i.text.strip()
    ]


def is_nil(section: str) -> bool:
    """True when a section says there is nothing ('None.', 'No health provision is needed')."""
    text = section.strip()
    if not text:
        return True
    first = sentences(text[:800])  # only the opening sentence matters
    return bool(first) and bool(_NIL.match(first[0].text))
