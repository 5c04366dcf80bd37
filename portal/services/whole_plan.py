"""The whole plan, A to K, as one read-only document in the statutory layout.

Each section is read once (its Markdown and, for the caseworker, the
sources its passages carry, from the same loaded document). Which sections
a reader sees is the policy's decision, made by the caller and passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup
from sqlalchemy import select

from portal import domain
from portal.doclog import reading
from portal.models import Case, Document, Excerpt, Session
from portal.services import markdown, plan_stages, provenance, section_k
from portal.services.cases import case_documents


@dataclass(frozen=True)
class Source:
    """A footnote: where a passage of a section came from."""

    number: int
    excerpt: Excerpt
    words: str  # as they stand in the plan now
    changed: bool


@dataclass(frozen=True)
class Section:
    """One section of the plan as a reader sees it."""

    key: str
    title: str
    document: Document
    readable: bool
    html: Markup = Markup("")
    entries: list[section_k.Entry] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    words: int = 0

    @property
    def is_empty(self) -> bool:
        """A readable section with nothing in it yet."""
        return self.readable and not self.words and not self.entries


@dataclass(frozen=True)
class Heading:
    """The plan's opening facts: whose plan, from which council, at what stage."""

    child_name: str
    date_of_birth: date | None
    council: str
    la_reference: str
    setting: str
    stage: str
    dated: date | None  # the day the draft was shared or the plan issued
    is_final: bool


def heading(case: Case) -> Heading:
    """The facts at the top of the plan."""
    runners = sorted(
        (m for m in case.memberships if m.role == "caseworker"), key=lambda m: m.id
    )
    is_final = case.status == "final_issued"
    return Heading(
        child_name=case.child_name,
        date_of_birth=case.child_date_of_birth,
        council=next((m.organisation for m in runners if m.organisation), ""),
        la_reference=case.la_reference,
        setting=case.setting,
        stage=plan_stages.STAGE_LABELS.get(case.status, case.status),
        dated=case.final_issued_date if is_final else case.draft_issued_date,
        is_final=is_final,
    )


def _sources(
    session: Session, case: Case, marks: dict[str, str], first: int
) -> list[Source]:
    if not marks:
        return []
    excerpts = session.scalars(
        select(Excerpt)
        .where(Excerpt.case_id == case.id, Excerpt.ref.in_(list(marks)))
        .order_by(Excerpt.id)
    )
    out = []
    for n, excerpt in enumerate(excerpts, start=first):
        words = marks[excerpt.ref]
        changed = provenance.normalise(words) != provenance.normalise(excerpt.quote)
        out.append(Source(n, excerpt, words, changed))
    return out


def with_markers(text: str, sources: list[Source]) -> str:
    """The section's Markdown with a footnote link "[n]" after the last
    words of each passage, where those words are found as they are (a
    passage whose end is formatted or escaped keeps its footnote below)."""
    for source in sources:
        tail = source.words.strip().splitlines()[-1:] or [""]
        words = " ".join(tail[0].split()[-6:])
        at = text.rfind(words) if len(words) >= 8 else -1
        if at < 0:
            continue
        end = at + len(words)
        marker = f" [\\[{source.number}\\]](#source-{source.number})"
        text = text[:end] + marker + text[end:]
    return text


def sections(
    session: Session,
    case: Case,
    may_read: Callable[[Document], bool],
    *,
    with_sources: bool,
    script_root: str = "",
) -> list[Section]:
    """Sections A to K in order; those `may_read` refuses are named but empty."""
    out: list[Section] = []
    footnote = 1
    for doc in case_documents(session, case):
        if doc.kind != "plan_section" or not doc.section:
            continue
        title = domain.SECTION_TITLES.get(doc.section, doc.title)
        if not may_read(doc):
            out.append(Section(doc.section, title, doc, readable=False))
            continue
        if doc.section == section_k.SECTION:
            found = section_k.entries(session, case)
            out.append(Section(doc.section, title, doc, True, entries=found))
            continue
        ydoc = reading.load(session, doc.id).ydoc
        text = reading.text_of(ydoc)
        marks = provenance.marked_words(ydoc) if with_sources else {}
        sources = _sources(session, case, marks, footnote)
        footnote += len(sources)
        text = with_markers(text, sources)
        out.append(
            Section(
                doc.section,
                title,
                doc,
                True,
                html=markdown.render(text, script_root),
                sources=sources,
                words=len(text.split()),
            )
        )
    return out


def not_shared(found: Collection[Section]) -> list[str]:
    """The keys of the sections the reader cannot see yet."""
    return [s.key for s in found if not s.readable]
