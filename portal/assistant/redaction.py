"""Replace personal details with placeholders before text leaves the server.

`Redactor.redact` turns names, dates, NHS numbers, phone numbers, emails,
postcodes, street addresses and school names into `[CHILD]`, `[PERSON_1]`,
`[DATE_1]`, `[NHS_NUMBER_1]`… and keeps the mapping so `restore` can put the
originals back into the model's answer. The same value always gets the same
placeholder, so the model can still tell people apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
TITLES = r"(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Sir|Dame)"
# Order matters: emails before anything that could eat their parts, NHS
# numbers (3-3-4 digits) before phone numbers.
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("EMAIL", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("NHS_NUMBER", re.compile(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b")),
    (
        "PHONE",
        re.compile(r"(?:\+44\s?\(?0?\)?\s?|\b0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b"),
    ),
    ("POSTCODE", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")),
    (
        "ADDRESS",
        re.compile(
            r"\b\d{1,4}[A-Za-z]?,?\s+(?:[A-Z][a-z]+\s+){1,3}(?:Road|Street|Avenue|Lane|Close|"
            r"Drive|Way|Crescent|Place|Gardens|Court|Terrace|Grove|Hill|Rise|Walk|Row|Square)\b"
        ),
    ),
    (
        "DATE",
        re.compile(
            rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\.?,?\s+\d{{4}}\b|"
            rf"\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b|"
            r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b",
            re.I,
        ),
    ),
    (
        "SCHOOL",
        re.compile(
            r"\b(?:[A-Z][\w'’-]+\s+){1,4}(?:Primary School|Junior School|Infant School|"
            r"High School|Secondary School|School|Academy|College|Nursery)\b"
        ),
    ),
    ("PERSON", re.compile(rf"\b{TITLES}\.?\s+(?:[A-Z][a-z'’-]+\s+)?[A-Z][a-z'’-]+\b")),
]
PLACEHOLDER = re.compile(
    r"\[(?:CHILD|CHILD_NAME|CHILD_SURNAME|[A-Z]+(?:_[A-Z]+)*_\d+)\]"
)


def person_name(author: str) -> str:
    """'Dr Sian Maddox, Educational Psychologist' -> 'Sian Maddox'."""
    name = re.split(r"[,(]|\bwith\b", author, maxsplit=1)[0]
    name = re.sub(rf"^\s*{TITLES}\.?\s+", "", name.strip())
    return (
        name.strip()
        if re.fullmatch(r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,3}", name.strip())
        else ""
    )


@dataclass
class Redactor:
    """Redacts one case's text; keep it for the request and its answer."""

    child_name: str = ""
    people: Iterable[str] = ()
    schools: Iterable[str] = ()
    mapping: dict[str, str] = field(default_factory=dict)  # placeholder -> original
    _by_value: dict[str, str] = field(default_factory=dict)
    _counts: dict[str, int] = field(default_factory=dict)

    def _placeholder(self, kind: str, value: str) -> str:
        key = f"{kind}:{value.lower()}"
        if key not in self._by_value:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            placeholder = f"[{kind}_{self._counts[kind]}]"
            self._by_value[key] = placeholder
            self.mapping[placeholder] = value
        return self._by_value[key]

    def _known_names(self) -> list[tuple[str, str]]:
        """(name, placeholder or kind) for the child and people named in the material."""
        pairs: list[tuple[str, str]] = []
        parts = self.child_name.split()
        if parts:
            pairs.append((parts[0], "[CHILD]"))
            if len(parts) > 1:
                pairs.append((self.child_name, "[CHILD_NAME]"))
                pairs.append((parts[-1], "[CHILD_SURNAME]"))
        for raw in self.people:
            name = person_name(raw)
            if name and name != self.child_name:
                pairs.append((name, "PERSON"))
                surname = name.split()[-1]
                if len(name.split()) > 1 and surname not in parts:
                    pairs.append((f"{surname}", "PERSON_SURNAME"))
        return sorted(pairs, key=lambda p: len(p[0]), reverse=True)

    def _placeholder_for(self, kind: str) -> Callable[[re.Match[str]], str]:
        """A `re.sub` replacement giving each match a `kind` placeholder."""
        return lambda match: self._placeholder(kind, match.group())

    def redact(self, text: str) -> str:
        """Text with personal details replaced by placeholders."""
        for school in sorted(self.schools, key=len, reverse=True):
            if school:
                text = re.sub(
                    re.escape(school),
                    lambda m: self._placeholder("SCHOOL", m.group()),
                    text,
                )
        for kind, pattern in PATTERNS:
            text = pattern.sub(self._placeholder_for(kind), text)
        for name, target in self._known_names():
            pattern = re.compile(rf"(?<![\w\[]){re.escape(name)}(?![\w\]])")
            if target.startswith("["):
                self.mapping[target] = name
                text = pattern.sub(target, text)
            elif target == "PERSON_SURNAME":
                text = re.sub(
                    rf"\b({TITLES}\.?\s+){re.escape(name)}\b",
                    lambda m: self._placeholder("PERSON", m.group()),
                    text,
                )
            else:
                text = pattern.sub(
                    lambda m: self._placeholder("PERSON", m.group()), text
                )
        return text

    def restore(self, text: str) -> str:
        """Put the originals back in place of every known placeholder."""
        return PLACEHOLDER.sub(lambda m: self.mapping.get(m.group(), m.group()), text)
