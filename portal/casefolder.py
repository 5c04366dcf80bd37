"""Read a case folder: case.json, advice/*.md and draft_plan.md.

The case-folder format is described in DESIGN.md ("Case-folder format") and
in the shared examples' README. The portal's importer, the demo data and the
assistant's evaluation all read folders through `load_case_folder`.

Imports only the standard library and PyYAML (for advice front matter).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

SECTION_KEYS = ("A", "B", "C", "D", "E", "F", "G", "H", "H1", "H2", "I", "J", "K")
PLAN_STAGES = ("draft_for_consultation", "final_for_issue", "amended_after_review")

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
# "## Section A: …", "## Section H1 - …", "# SECTION B", "## Part C. …"
_SECTION_WORD = re.compile(
    r"^#{1,4}[ \t]*(?:\*\*)?(?:section|part)[ \t]+([A-K](?:[12])?)"
    r"(?![A-Za-z0-9])[^\n]*$",
    re.I | re.M,
)
# "## A. …", "## H1: …", "## B - …" (a separator must follow the letter).
_SECTION_LETTER = re.compile(
    r"^#{1,4}[ \t]*(?:\*\*)?([A-K](?:[12])?)(?:[ \t]*[.:)\u2013\u2014-])[^\n]*$",
    re.M,
)


class CaseFolderError(ValueError):
    """A case folder that cannot be read; `str(error)` is a sentence for people."""


@dataclass(frozen=True)
class AdviceFile:
    """One advice document: YAML front matter plus a Markdown body."""

    path: str  # relative to the case folder, e.g. "advice/03_school_senco.md"
    role: str
    reg6: str
    title: str
    author: str
    date: date | None
    body: str


@dataclass(frozen=True)
class KOnlyAdvice:
    """Advice received outside the portal and listed only in Section K."""

    k_ref: str
    role: str
    reg6: str
    summary: str


@dataclass(frozen=True)
class CaseFolder:
    """Everything in a case folder, parsed."""

    path: Path
    case_id: str
    child_name: str
    year_group: int | None
    pronouns: str
    school_name: str
    local_authority: str
    primary_area_of_need: str
    plan_stage: str
    request_date: date | None
    caseworker: str
    advice: tuple[AdviceFile, ...]
    advice_listed_in_k_only: tuple[KOnlyAdvice, ...]
    plan_markdown: str
    plan_preamble: str
    sections: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)


def parse_year_group(value: object) -> int | None:
    """'Year 2' -> 2, 'Reception' -> 0, 'Nursery' -> -1, 'Year 12' -> 12, else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if not text:
        return None
    if text.startswith(("reception", "yr r", "year r")):
        return 0
    if text.startswith(("nursery", "pre-school", "preschool", "early years")):
        return -1
    match = re.search(r"\d+", text)
    return int(match.group()) if match else None


def _section_headings(markdown: str) -> list[tuple[int, int, str]]:
    """(heading start, body start, key) for every section heading, in order."""
    found: dict[int, tuple[int, int, str]] = {}
    for pattern in (_SECTION_WORD, _SECTION_LETTER):
        for m in pattern.finditer(markdown):
            found.setdefault(m.start(), (m.start(), m.end(), m.group(1).upper()))
    return [found[k] for k in sorted(found)]


def split_plan(markdown: str) -> tuple[str, dict[str, str]]:
    """Split a plan into (preamble, {section key: text}).

    Keys are A-K, H1 and H2 (and H when a council does not split H). The text of
    a section runs from the line after its heading to the next section heading,
    so each section text is an exact substring of `markdown` (except when a
    heading is repeated: a second "Section F" part is appended to the first).
    """
    headings = _section_headings(markdown)
    preamble = markdown[: headings[0][0]] if headings else markdown
    sections: dict[str, str] = {}
    for i, (_, body_start, key) in enumerate(headings):
        end = headings[i + 1][0] if i + 1 < len(headings) else len(markdown)
        body = markdown[body_start:end].strip("\n")
        sections[key] = f"{sections[key]}\n\n{body}" if key in sections else body
    return preamble, sections


def split_plan_sections(markdown: str) -> dict[str, str]:
    """Plan sections keyed A-K (plus H1/H2, or H); the preamble is left out."""
    return split_plan(markdown)[1]


def _mapping(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def parse_front_matter(
    text: str, *, source: str = "the file"
) -> tuple[dict[str, Any], str]:
    """Split a Markdown document into (front matter dict, body)."""
    match = _FRONT_MATTER.match(text.lstrip("\ufeff"))
    if not match:
        raise CaseFolderError(
            f"{source} has no front matter: it must start with a '---' line, "
            "then role, reg6, title, author and date, then another '---' line."
        )
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise CaseFolderError(
            f"The front matter of {source} is not valid YAML: {exc}"
        ) from exc
    if not isinstance(meta, dict):
        raise CaseFolderError(f"The front matter of {source} must be key: value lines.")
    return meta, text.lstrip("\ufeff")[match.end() :]


def _parse_date(value: object, what: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise CaseFolderError(
            f"{what} must be a date like 2025-01-13, not {value!r}."
        ) from exc


def load_advice_file(path: Path, folder: Path) -> AdviceFile:
    """Parse one advice document from a case folder."""
    rel = path.relative_to(folder).as_posix()
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseFolderError(f"{rel} is not UTF-8 text.") from exc
    meta, body = parse_front_matter(text, source=rel)
    missing = [k for k in ("role", "reg6") if not meta.get(k)]
    if missing:
        raise CaseFolderError(
            f"The front matter of {rel} has no {' or '.join(missing)}."
        )
    return AdviceFile(
        path=rel,
        role=str(meta["role"]).strip(),
        reg6=str(meta["reg6"]).strip(),
        title=str(meta.get("title") or "").strip(),
        author=str(meta.get("author") or "").strip(),
        date=_parse_date(meta.get("date"), f"The date in {rel}"),
        body=body,
    )


def _load_case_json(folder: Path) -> dict[str, Any]:
    case_file = folder / "case.json"
    if not folder.is_dir():
        raise CaseFolderError(f"{folder} is not a folder.")
    if not case_file.is_file():
        raise CaseFolderError(
            f"{folder} has no case.json: every case folder needs one."
        )
    try:
        data = json.loads(case_file.read_text("utf-8"))
    except json.JSONDecodeError as exc:
        raise CaseFolderError(
            f"case.json in {folder} is not valid JSON (line {exc.lineno}: {exc.msg})."
        ) from exc
    if not isinstance(data, dict):
        raise CaseFolderError(f"case.json in {folder} must hold a JSON object.")
    return data


def _k_only(entries: object) -> tuple[KOnlyAdvice, ...]:
    items = entries if isinstance(entries, list) else []
    return tuple(
        KOnlyAdvice(
            k_ref=str(e.get("k_ref", "")),
            role=str(e.get("role", "")),
            reg6=str(e.get("reg6", "")),
            summary=str(e.get("summary", "")),
        )
        for e in items
        if isinstance(e, dict)
    )


def refuse_symbolic_links(folder: Path) -> None:
    """CaseFolderError if the folder is, or holds anywhere, a symbolic link.

    A link could make an import read a file from outside the folder (another
    child's case, the server's secrets) into a case, so none is followed.
    """
    advice = "case folders may not contain links. Copy the file in instead."
    if folder.is_symlink():
        raise CaseFolderError(f"{folder} is a symbolic link: {advice}")
    for root, dirs, files in os.walk(folder):  # never follows links
        dirs.sort()
        for name in sorted(dirs + files):
            path = Path(root) / name
            if path.is_symlink():
                rel = path.relative_to(folder).as_posix()
                raise CaseFolderError(f"{rel} is a symbolic link: {advice}")


def load_case_folder(path: str | Path) -> CaseFolder:
    """Load and check a case folder; raise `CaseFolderError` with a sentence."""
    folder = Path(path)
    refuse_symbolic_links(folder)
    data = _load_case_json(folder)
    child: dict[str, Any] = _mapping(data.get("child"))
    school: dict[str, Any] = _mapping(data.get("school"))
    if not child.get("name"):
        raise CaseFolderError(f"case.json in {folder} has no child name (child.name).")
    stage = str(data.get("plan_stage") or "draft_for_consultation")
    if stage not in PLAN_STAGES:
        raise CaseFolderError(
            f"plan_stage in case.json must be one of {', '.join(PLAN_STAGES)}, not {stage!r}."
        )
    advice_dir = folder / "advice"
    advice_paths = sorted(advice_dir.glob("*.md")) if advice_dir.is_dir() else []
    plan_file = folder / "draft_plan.md"
    plan = plan_file.read_text("utf-8") if plan_file.is_file() else ""
    preamble, sections = split_plan(plan)
    return CaseFolder(
        path=folder,
        case_id=str(data.get("case_id") or folder.name),
        child_name=str(child["name"]).strip(),
        year_group=parse_year_group(child.get("year_group")),
        pronouns=str(child.get("pronouns") or ""),
        school_name=str(school.get("name") or ""),
        local_authority=str(data.get("local_authority") or ""),
        primary_area_of_need=str(data.get("primary_area_of_need") or ""),
        plan_stage=stage,
        request_date=_parse_date(
            data.get("assessment_request_date"), "assessment_request_date in case.json"
        ),
        caseworker=str(data.get("caseworker") or ""),
        advice=tuple(load_advice_file(p, folder) for p in advice_paths),
        advice_listed_in_k_only=_k_only(data.get("advice_listed_in_k_only")),
        plan_markdown=plan,
        plan_preamble=preamble,
        sections=sections,
        raw=data,
    )
