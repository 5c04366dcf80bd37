"""The plan, or one piece of advice, as a PDF or a Word file.

`plan_export` and `document_export` gather what a download holds (a cover
with the child's details and the council, then each part under its statutory
heading, as Markdown) from the documents as they are now or from a frozen
version. `plan_pdf.write_pdf` renders that through HTML with WeasyPrint;
`plan_docx.write_docx` writes Word; both read the Markdown with `parse`.

The sources of merged passages (`provenance`) become footnotes when asked:
a copy of each document gets a marker after every run of words that carries
a `source` mark, so the footnote sits where the passage ends however it was
edited since. The markers are private-use characters that Markdown leaves
alone; the renderers turn them into footnotes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from pycrdt import Doc, XmlElement, XmlText
from sqlalchemy import select

from portal import docmodel
from portal.doclog import reading
from portal.domain import SECTION_TITLES
from portal.models import Case, Document, Excerpt, Session, Version
from portal.services import plan_stages, provenance, section_k

FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
NOTE = re.compile("\ue000([0-9]+)\ue001")
_MAX_DEPTH = 120


@dataclass(frozen=True)
class Part:
    """One section of the plan (or the advice itself) under its heading."""

    heading: str
    markdown: str


@dataclass(frozen=True)
class Picture:
    """A picture the portal keeps, as a download shows it."""

    data: bytes
    content_type: str
    width: int  # pixels
    height: int


# A picture's address as documents write it (after any script root).
OWN_PICTURE = re.compile(r"/documents/([0-9]+)/images/([0-9]+)$")


@dataclass(frozen=True)
class Export:
    """Everything a download holds, whatever its format."""

    title: str
    version_label: str
    cover: list[tuple[str, str]]
    parts: list[Part]
    draft: bool
    notes: list[str] = field(default_factory=list)  # footnote n is notes[n - 1]
    footer: str = ""
    # By address: the pictures the person may see (`picture_refs`); any other
    # shows its description only.
    pictures: dict[str, Picture] = field(default_factory=dict)


def picture_refs(export: Export) -> list[tuple[int, int]]:
    """(document id, image id) of each of the portal's pictures the export shows."""
    found: list[tuple[int, int]] = []
    for part in export.parts:
        for token in _inline_tokens(parse(part.markdown)):
            match = own_picture(token)
            if match and (ref := (int(match[1]), int(match[2]))) not in found:
                found.append(ref)
    return found


def _inline_tokens(tokens: Sequence[Token]) -> Iterator[Token]:
    for token in tokens:
        yield from (c for c in token.children or [] if c.type == "image")


def own_picture(token: Token) -> re.Match[str] | None:
    """The portal's address of the picture an image token shows, if it is one."""
    return OWN_PICTURE.search(str(token.attrGet("src") or ""))


def picture_of(export: Export, token: Token) -> Picture | None:
    """The picture an image token shows, if the export may hold it."""
    match = own_picture(token)
    return export.pictures.get(match.group(0)) if match else None


def section_heading(key: str) -> str:
    """The statutory heading of a plan section: "Section F: Special educational provision"."""
    return f"Section {key}: {SECTION_TITLES.get(key, '')}".rstrip(": ")


def _on(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _cover(case: Case, council: str, label: str) -> list[tuple[str, str]]:
    rows = [("Name", case.child_name)]
    if case.child_date_of_birth:
        rows.append(("Date of birth", _on(case.child_date_of_birth)))
    if case.year_group is not None:
        rows.append(
            (
                "Year group",
                "Reception" if case.year_group == 0 else f"Year {case.year_group}",
            )
        )
    if case.setting:
        rows.append(("School or setting", case.setting))
    if council:
        rows.append(("Local authority", council))
    if case.la_reference:
        rows.append(("Reference", case.la_reference))
    rows.append(("This copy", label))
    return rows


def _ydoc_of(session: Session, doc: Document, version: Version | None) -> Doc[Any]:
    if version is None:
        return reading.load(session, doc.id).ydoc
    ydoc = reading.new_ydoc()
    ydoc.apply_update(version.state)
    return ydoc


def _mark_notes(ydoc: Doc[Any], excerpts: dict[str, Excerpt], notes: list[str]) -> None:
    """Put a note marker after each run of words carrying a known source,
    numbering on from `notes` (to which each note's words are added)."""
    for text in _texts(docmodel.body_of(ydoc).children, 0):
        ends: list[tuple[int, int]] = []  # (byte offset, note number)
        offset = 0
        runs = text.diff()
        for n, (value, attrs) in enumerate(runs):
            offset += len(value.encode("utf-8")) if isinstance(value, str) else 1
            following = runs[n + 1][1] if n + 1 < len(runs) else None
            for ref in provenance._refs_in(attrs):
                if ref in excerpts and ref not in provenance._refs_in(following):
                    notes.append(_note_words(excerpts[ref]))
                    ends.append((offset, len(notes)))
        for at, number in reversed(ends):  # from the end, so offsets hold
            text.insert(at, f"\ue000{number}\ue001")


def _texts(children: Iterable[Any], depth: int) -> Iterator[XmlText]:
    for child in children:
        if isinstance(child, XmlText):
            yield child
        elif isinstance(child, XmlElement) and depth < _MAX_DEPTH:
            yield from _texts(child.children, depth + 1)


def _note_words(excerpt: Excerpt) -> str:
    who = ", ".join(
        p for p in (excerpt.source_author, excerpt.source_organisation) if p
    )
    return (
        f"From {excerpt.source_title}"
        + (f" by {who}" if who else "")
        + (f", {_on(excerpt.source_date)}.")
    )


def _versions_frozen_with(
    session: Session, case: Case, version: Version
) -> dict[int, Version]:
    """For a plan section's version, the version of every section frozen with
    it (`plan_stages` freezes all sections at once under one label): the same
    label, counted the same number of times."""
    same = select(Version).where(Version.label == version.label).order_by(Version.id)
    mine = session.scalars(same.where(Version.document_id == version.document_id))
    rank = [v.id for v in mine].index(version.id)
    out: dict[int, Version] = {}
    for section in plan_stages.plan_sections(session, case):
        theirs = list(session.scalars(same.where(Version.document_id == section.id)))
        if len(theirs) > rank:
            out[section.id] = theirs[rank]
    return out


def plan_export(
    session: Session,
    case: Case,
    *,
    council: str,
    today: date,
    version: Version | None = None,
    with_sources: bool = False,
) -> Export:
    """The whole plan A-K, as it is now or as frozen with `version` (a
    version of any one of its sections); the caller checked who may have it."""
    frozen = _versions_frozen_with(session, case, version) if version else {}
    if version is not None:
        label, draft = version.label, not plan_stages.is_final_version(version)
    elif case.status == "final_issued" and case.final_issued_date:
        label, draft = plan_stages.FINAL_LABEL + _on(case.final_issued_date), False
    else:
        label, draft = f"Draft as it stood on {_on(today)}", True
    excerpts = (
        {
            e.ref: e
            for e in session.scalars(select(Excerpt).where(Excerpt.case_id == case.id))
        }
        if with_sources
        else {}
    )
    notes: list[str] = []
    parts = []
    for doc in plan_stages.plan_sections(session, case):
        key = doc.section or ""
        if version is not None and doc.id not in frozen:
            parts.append(Part(section_heading(key), "*Not part of this version.*\n"))
            continue
        if version is None and key == section_k.SECTION:
            # K is the list of advice as it stands (a version holds its copy).
            parts.append(Part(section_heading(key), section_k.markdown(session, case)))
            continue
        ydoc = _ydoc_of(session, doc, frozen.get(doc.id))
        if excerpts:
            _mark_notes(ydoc, excerpts, notes)
        parts.append(Part(section_heading(key), docmodel.markdown_of(ydoc)))
    return Export(
        title="Education, Health and Care Plan",
        version_label=label,
        cover=_cover(case, council, label),
        parts=parts,
        draft=draft,
        notes=notes,
        footer=f"{case.child_name}: Education, Health and Care Plan",
    )


def document_export(
    session: Session,
    doc: Document,
    *,
    council: str,
    today: date,
    version: Version | None = None,
) -> Export:
    """One document (advice, or a single plan section) as it is now or as
    frozen in `version`; a draft until submitted (advice) or issued (plan)."""
    if version is not None:
        label = version.label
        draft = doc.kind == "plan_section" and not plan_stages.is_final_version(version)
        text = version.text
    else:
        label = f"As it stood on {_on(today)}"
        draft = doc.status not in ("submitted", "issued")
        text = reading.document_text(session, doc.id)
    heading = section_heading(doc.section) if doc.section else doc.title
    who = doc.owner.person.name if doc.owner else doc.source_author
    cover = _cover(doc.case, council, label)
    if who:
        cover.insert(-1, ("Written by", who))
    return Export(
        title=heading,
        version_label=label,
        cover=cover,
        parts=[Part(heading, text)],
        draft=draft,
        footer=f"{doc.case.child_name}: {heading}",
    )


# Cells on lines of one paragraph: how `docmodel.markdown_in` keeps a table
# the editor cannot hold ("a | b" lines joined by hard breaks).
_CELL_SEPARATOR = " | "


def tables_from_cell_lines(markdown: str) -> str:
    """Turn each top-level paragraph whose lines (two or more) all hold the
    same number (two or more) of " | "-separated cells back into a table."""
    blocks = markdown.split("\n\n")
    for n, block in enumerate(blocks):
        lines = [line.removesuffix("\\") for line in block.strip("\n").split("\n")]
        counts = {line.count(_CELL_SEPARATOR) for line in lines}
        if (
            len(lines) >= 2
            and len(counts) == 1
            and min(counts) >= 1
            and not any(line[:1] in (" ", "#", "-", "*", ">") for line in lines)
            and not any(line[:1].isdigit() and ". " in line[:5] for line in lines)
        ):
            cells = [[c.strip() for c in line.split(_CELL_SEPARATOR)] for line in lines]
            rows = [f"| {' | '.join(row)} |" for row in cells]
            rule = "|" + "---|" * len(cells[0])
            blocks[n] = "\n".join([rows[0], rule, *rows[1:]])
    return "\n\n".join(blocks)


_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def parse(markdown: str) -> list[Token]:
    """A part's Markdown as markdown-it tokens (tables restored)."""
    return _md.parse(tables_from_cell_lines(markdown))


def filename(export: Export, extension: str) -> str:
    """A plain file name: "Leo Marchetti - EHCP - draft.pdf"."""
    name = export.footer.replace(":", " -")
    if export.draft:
        name += " - draft"
    # Letters of any alphabet stay; path separators and control characters go.
    safe = re.sub(r"[^\w ().,'-]+", "", name).strip(" .") or "plan"
    return f"{safe}.{extension}"
