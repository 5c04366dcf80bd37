"""Replace personal details with placeholders before text leaves the server.

`Redactor.redact` turns names, dates, NHS numbers, phone numbers, emails,
postcodes, street addresses and school names into `[CHILD]`, `[PERSON_1]`,
`[DATE_1]`, `[NHS_NUMBER_1]`… and keeps the mapping so `restore` can put the
originals back into the model's answer. The same value always gets the same
placeholder, so the model can still tell people apart.

Names: the child's and every person's on the case (members, advice authors,
"with Jo Kerr" on an author line) are replaced whole and word by word
(`[PERSON_1]`, `[PERSON_1_FIRST]`, `[PERSON_1_SURNAME]`), in any letter case
and before a possessive. Anyone written after a title ("Dr Sarah Jones", "Mrs
Patel") is replaced too, there and wherever the name recurs capitalised. A
first name written alone of someone not on the case and never titled ("her
brother Leo") is not found: there is no list of first names to find it by.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
TITLE_WORDS = (
    "dr",
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "prof",
    "professor",
    "sir",
    "dame",
)
TITLES = rf"(?:{'|'.join(t.title() for t in TITLE_WORDS)})"
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
]
# A name-shaped word: capitalised, and O'Neill, McDonald, Ruiz-Lopez, Zoë;
# "Patel's" stops before the possessive. An initial ("S.") only inside a name.
_UP, _LOW = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
NAME_WORD = rf"[{_UP}](?:[{_LOW}]+|['’](?=[{_UP}]))(?:['’-]?[{_UP}][{_LOW}]+)*"
TITLED = re.compile(
    rf"\b{TITLES}\.?\s+(?P<name>(?:(?:[{_UP}]\.|{NAME_WORD})\s+){{0,2}}{NAME_WORD})"
    rf"(?![{_LOW}{_UP}])"
)
PLACEHOLDER = re.compile(
    r"\[(?:CHILD(?:_[A-Z]+)*|[A-Z]+(?:_[A-Z]+)*_\d+(?:_[A-Z]+)*)\]"
)


def person_name(author: str) -> str:
    """'Dr Sian Maddox, Educational Psychologist' -> 'Sian Maddox'."""
    name = re.split(r"[,(]|\bwith\b", author, maxsplit=1)[0]
    name = re.sub(rf"^\s*{TITLES}\.?\s+", "", name.strip())
    return (
        name.strip()
        if re.fullmatch(rf"[{_UP}][\w'’-]+(?:\s+[{_UP}][\w'’-]+){{0,3}}", name.strip())
        else ""
    )


def person_names(author: str) -> list[str]:
    """'Maisie Thornbury, with Jo Kerr (TA)' -> ['Maisie Thornbury', 'Jo Kerr']."""
    names = (person_name(part) for part in re.split(r"\bwith\b", author))
    return [name for name in names if name]


def titled_names(text: str) -> list[str]:
    """Names written after a title: 'Dr Sarah Jones', 'Mrs Patel' -> both names."""
    return [m.group("name") for m in TITLED.finditer(text)]


def _word(name: str, *, any_case: bool) -> re.Pattern[str]:
    """`name` as a whole word, never inside a placeholder; `'s` may follow."""
    flags = re.I if any_case else 0
    return re.compile(rf"(?<![\w\[]){re.escape(name)}(?!\w)", flags)


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

    def _name_placeholders(self, text: str) -> list[tuple[str, str, bool]]:
        """(name, placeholder, any letter case) for every name, longest first.

        The child and the people on the case are known, so their names are
        replaced in any letter case. A name only seen after a title is a guess,
        so its single words are replaced only where written as found ("Dr
        Jones Speech" must not take every "speech" with it).
        """
        claimed: dict[str, tuple[str, str, bool]] = {}

        def claim(name: str, placeholder: str, any_case: bool) -> None:
            key = name.lower()
            if len(name) > 1 and key not in claimed and key not in TITLE_WORDS:
                claimed[key] = (name, placeholder, any_case)

        child = self.child_name.split()
        if child:
            claim(self.child_name, "[CHILD_NAME]", True)
            claim(child[0], "[CHILD]", True)
            claim(child[-1], "[CHILD_SURNAME]", True)
            for middle in child[1:-1]:
                claim(middle, "[CHILD_MIDDLE_NAME]", True)
        known = [(n, True) for raw in self.people for n in person_names(raw)]
        for name, any_case in known + [(n, False) for n in titled_names(text)]:
            parts = name.split()
            if name.lower() in claimed:
                continue
            person = self._person_placeholder(name)
            claim(name, person, any_case or len(parts) > 1)
            for i, part in enumerate(parts if len(parts) > 1 else []):
                last = i == len(parts) - 1
                suffix = "FIRST" if i == 0 else "SURNAME" if last else "MIDDLE"
                claim(part, f"{person[:-1]}_{suffix}]", any_case)
        return sorted(claimed.values(), key=lambda c: len(c[0]), reverse=True)

    def _person_placeholder(self, name: str) -> str:
        """The next free [PERSON_n] for a name (the mapping fills when it is used)."""
        key = f"PERSON:{name.lower()}"
        if key not in self._by_value:
            self._counts["PERSON"] = self._counts.get("PERSON", 0) + 1
            self._by_value[key] = f"[PERSON_{self._counts['PERSON']}]"
        return self._by_value[key]

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
        for name, placeholder, any_case in self._name_placeholders(text):
            text, found = _word(name, any_case=any_case).subn(placeholder, text)
            if found:
                self.mapping.setdefault(placeholder, name)
        return text

    def restore(self, text: str) -> str:
        """Put the originals back in place of every known placeholder."""
        return PLACEHOLDER.sub(lambda m: self.mapping.get(m.group(), m.group()), text)
