"""Where the plan's words came from: passages taken from contributions.

A passage the caseworker takes from a piece of advice (or the family's
views) into a plan section is an ordinary edit of that section, made in the
caseworker's browser, whose words carry a `source` mark holding one
`Excerpt.ref`. The mark is a Yjs format attribute, so it moves with the words
through any edit by anyone; what it points at (the source document, its
author, organisation and date, and the words as they were taken) is kept
here. Reading the plan's marks back gives, for each excerpt, whether it is
still in the plan, where, and whether its words still match the source.
"""

from __future__ import annotations

import difflib
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from pycrdt import Doc, XmlElement, XmlText
from sqlalchemy import select

from portal import docmodel
from portal.doclog import reading
from portal.models import Case, Document, Excerpt, Person, Session
from portal.services import audit
from portal.services.cases import case_documents

MARK = "source"
MAX_QUOTE_CHARS = 20_000
_SPACE = re.compile(r"\s+")


class ExcerptRefused(ValueError):
    """A passage that cannot be taken, with the sentence to show."""


def normalise(text: str) -> str:
    """Words as compared: runs of white space made one space, ends trimmed."""
    return _SPACE.sub(" ", text).strip()


def plain_text(ydoc: Doc[Any]) -> str:
    """A document's words, one block to a line, as the editor's selection
    gives them (pictures and recordings carry no words here)."""
    return "\n".join(_block_texts(docmodel.body_of(ydoc).children, 0))


def _words(text: XmlText) -> str:
    """A text's words without its formatting (`str()` would write marks as tags)."""
    return "".join(value for value, _ in text.diff() if isinstance(value, str))


def _block_texts(children: Iterable[Any], depth: int) -> Iterator[str]:
    for child in children:
        if isinstance(child, XmlText):
            yield _words(child)
        elif isinstance(child, XmlElement) and depth < 120:
            if child.tag in ("paragraph", "heading"):
                yield "".join(
                    _words(c) if isinstance(c, XmlText) else " "
                    for c in child.children
                    if isinstance(c, XmlText)
                    or (isinstance(c, XmlElement) and c.tag == "hard_break")
                )
            else:
                yield from _block_texts(child.children, depth + 1)


def _refs_in(attrs: dict[str, Any] | None) -> list[str]:
    """The excerpt refs in a run's formats (y-prosemirror may name a mark
    `source--hash` when marks of one type overlap)."""
    out = []
    for key, value in (attrs or {}).items():
        if (key == MARK or key.startswith(MARK + "--")) and isinstance(value, dict):
            ref = value.get("ref")
            if isinstance(ref, str) and ref:
                out.append(ref)
    return out


def marked_words(ydoc: Doc[Any]) -> dict[str, str]:
    """For each excerpt ref in a document, the words that carry it now (the
    pieces of a passage split by edits joined, one block to a line)."""
    found: dict[str, list[str]] = {}

    def walk(children: Iterable[Any], depth: int) -> None:
        for child in children:
            if isinstance(child, XmlText):
                block: dict[str, str] = {}
                for value, attrs in child.diff():
                    if isinstance(value, str):
                        for ref in _refs_in(attrs):
                            block[ref] = block.get(ref, "") + value
                for ref, words in block.items():
                    found.setdefault(ref, []).append(words)
            elif isinstance(child, XmlElement) and depth < 120:
                walk(child.children, depth + 1)

    walk(docmodel.body_of(ydoc).children, 0)
    return {ref: "\n".join(parts) for ref, parts in found.items()}


def contributions(session: Session, case: Case) -> list[Document]:
    """The documents passages may be taken from: advice and the family's views."""
    return [d for d in case_documents(session, case) if d.kind == "advice"]


def _source_facts(doc: Document, today: date) -> tuple[str, str, date]:
    author = doc.owner.person.name if doc.owner else doc.source_author
    organisation = doc.owner.organisation if doc.owner else ""
    taken_on = doc.submitted_at.date() if doc.submitted_at else today
    return author, organisation, taken_on


def take(
    session: Session,
    case: Case,
    source: Document,
    section: str,
    quote: str,
    by: Person,
    today: date,
) -> Excerpt:
    """Record a passage the caseworker is about to put into a plan section.

    The words must be the source's own (compared with runs of white space
    made one), so a passage can never claim a source that did not say it.
    The caller has checked that `by` may read the source and edit the section.
    """
    if source.case_id != case.id or source.kind != "advice":
        raise ExcerptRefused("Passages can only be taken from this case's advice.")
    words = normalise(quote)
    if not words:
        raise ExcerptRefused("Select some words in the advice first.")
    if len(quote) > MAX_QUOTE_CHARS:
        raise ExcerptRefused(
            f"That passage is too long to take in one go (at most {MAX_QUOTE_CHARS:,} "
            "characters). Take it in parts."
        )
    if words not in normalise(plain_text(reading.load(session, source.id).ydoc)):
        raise ExcerptRefused(
            "Those words are not in the advice as it stands now (it may have just "
            "changed). Select the passage again."
        )
    author, organisation, taken_on = _source_facts(source, today)
    excerpt = Excerpt(
        ref=secrets.token_urlsafe(12),
        case_id=case.id,
        source_document_id=source.id,
        section=section,
        quote=quote,
        source_title=source.title,
        source_author=author,
        source_organisation=organisation,
        source_date=taken_on,
        created_by_id=by.id,
    )
    session.add(excerpt)
    session.flush()
    audit.record(
        session,
        "plan.passage_taken",
        actor=by,
        case=case,
        document=source,
        section=section,
        excerpt=excerpt.id,
        characters=len(quote),
    )
    return excerpt


@dataclass(frozen=True)
class Passage:
    """One excerpt as the plan holds it now."""

    excerpt: Excerpt
    section: str | None  # where its words are now; None if none are left
    words: str  # its words as they stand in the plan

    @property
    def in_plan(self) -> bool:
        return self.section is not None

    @property
    def changed(self) -> bool:
        """True once the words in the plan differ from the words taken."""
        return self.in_plan and normalise(self.words) != normalise(self.excerpt.quote)


def plan_marks(
    session: Session, case: Case, sections: Iterable[Document] | None = None
) -> dict[str, tuple[str, str]]:
    """Every excerpt ref the plan's sections carry: ref -> (section, words)."""
    docs = (
        sections
        if sections is not None
        else [d for d in case_documents(session, case) if d.kind == "plan_section"]
    )
    out: dict[str, tuple[str, str]] = {}
    for doc in docs:
        if doc.kind != "plan_section" or not doc.section:
            continue
        for ref, words in marked_words(reading.load(session, doc.id).ydoc).items():
            # A passage split across sections is named by the first section
            # that holds any of it, and its words are all of its pieces.
            section, before = out.get(ref, (doc.section, ""))
            out[ref] = (section, f"{before}\n{words}" if before else words)
    return out


def passages(session: Session, case: Case) -> list[Passage]:
    """Every passage taken on this case, with where it is now."""
    marks = plan_marks(session, case)
    excerpts = session.scalars(
        select(Excerpt).where(Excerpt.case_id == case.id).order_by(Excerpt.id)
    ).all()
    out = []
    for excerpt in excerpts:
        section, words = marks.get(excerpt.ref, (None, ""))
        out.append(Passage(excerpt, section, words))
    return out


@dataclass(frozen=True)
class Usage:
    """How much of one contribution the plan uses."""

    document: Document
    words: int  # words in the contribution
    used_words: int  # of those, words inside passages still in the plan
    passages: int  # passages from it still in the plan

    @property
    def percent(self) -> int:
        return round(100 * self.used_words / self.words) if self.words else 0


def usage(
    session: Session, case: Case, found: list[Passage] | None = None
) -> list[Usage]:
    """For each contribution, the share of its words that are in the plan,
    counted once however often a passage was taken."""
    found = passages(session, case) if found is None else found
    out = []
    for doc in contributions(session, case):
        source = normalise(plain_text(reading.load(session, doc.id).ydoc))
        covered = [False] * len(source)
        count = 0
        for passage in found:
            if passage.excerpt.source_document_id != doc.id or not passage.in_plan:
                continue
            count += 1
            quote = normalise(passage.excerpt.quote)
            start = source.find(quote) if quote else -1
            if start >= 0:
                for offset, length in _kept_words(quote, passage.words):
                    at = start + offset
                    covered[at : at + length] = [True] * length
        total = len(source.split())
        used = sum(
            1 for m in re.finditer(r"\S+", source) if all(covered[m.start() : m.end()])
        )
        out.append(Usage(doc, total, used, count))
    return out


def _bare(word: str) -> str:
    """A word as compared for usage: "school." where a sentence now ends is
    still "school"."""
    return word.strip(".,;:!?()[]\"'“”‘’").lower()


def _kept_words(quote: str, now: str) -> Iterator[tuple[int, int]]:
    """(offset, length) in `quote` of each of its words the plan still holds,
    matched in order, so a shortened passage counts only what is left."""
    taken = list(re.finditer(r"\S+", quote))
    kept = [_bare(w) for w in normalise(now).split(" ")]
    matcher = difflib.SequenceMatcher(
        None, [_bare(m.group()) for m in taken], kept, autojunk=False
    )
    for block in matcher.get_matching_blocks():
        for m in taken[block.a : block.a + block.size]:
            yield m.start(), m.end() - m.start()
