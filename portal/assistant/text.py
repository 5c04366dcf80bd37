"""Small text helpers shared by the rules: sentences, words, numbers, items."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# A sentence ends at . ! ? (optionally followed by a closing quote or bracket)
# before whitespace, or at a blank line / list item boundary.
# "1.0 logMAR", "2.5 hours": a full stop between digits is a decimal point.
_SENTENCE = re.compile(
    r"(?:[^\n.!?]|\.(?=\d))*(?:[.!?]+(?:[\"'\u201d)\]]+)?(?=\s|$)|(?:[^\n.!?]|\.(?=\d))*(?=\n|$))",
    re.M,
)
_ABBREV_END = re.compile(
    r"\b(?:Dr|Mr|Mrs|Ms|Mx|St|e\.g|i\.e|etc|No|vs|approx)\.$", re.I
)
WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*")
_MD_PREFIX = re.compile(
    r"^\s*(?:[-*+]\s+|\d+[.)]\s+|#+\s+|>\s*)?(?:\*\*[^*]{1,12}\*\*\s*)?[*_\s]*"
)

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
    "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45, "sixty": 60,
    "once": 1, "twice": 2, "single": 1, "half": 0.5, "fortnightly": 0.5,
}  # fmt: skip
NUMBER = re.compile(
    r"\d+(?:[.:]\d+)?|\b(?:"
    + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
    + r")\b",
    re.I,
)


@dataclass(frozen=True)
class Span:
    """A piece of text and where it sits in its parent string."""

    start: int
    end: int
    text: str


def sentences(text: str, offset: int = 0) -> list[Span]:
    """Sentences with offsets; Markdown list markers and headings are left out."""
    out: list[Span] = []
    pending: int | None = None
    for m in _SENTENCE.finditer(text):
        raw = m.group()
        if not raw.strip():
            continue
        start = m.start() if pending is None else pending
        if _ABBREV_END.search(raw.rstrip()) and not raw.endswith("\n"):
            pending = start  # "Dr." does not end a sentence
            continue
        pending = None
        chunk = text[start : m.end()]
        lead = len(chunk) - len(chunk.lstrip())
        prefix = _MD_PREFIX.match(chunk[lead:])
        lead += prefix.end() if prefix else 0
        body = chunk[lead:].rstrip()
        if body and WORD.search(body):
            out.append(
                Span(offset + start + lead, offset + start + lead + len(body), body)
            )
    return out


def words(text: str) -> list[str]:
    """Words (letters, apostrophes and hyphens)."""
    return WORD.findall(text)


@lru_cache(maxsize=8192)
def numbers(text: str) -> frozenset[float]:
    """Every number in `text`, digits or words ('three' -> 3, 'twice' -> 2)."""
    out: set[float] = set()
    for m in NUMBER.finditer(text):
        token = m.group().lower()
        if token in NUMBER_WORDS:
            out.add(float(NUMBER_WORDS[token]))
        else:
            for part in re.split(r"[:]", token):
                if part:
                    out.add(float(part))
    return frozenset(out)


def strip_markdown(text: str) -> str:
    """Text without emphasis markers and link syntax (offsets are not kept)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[*_`]+", "", text)


def is_heading(line: str) -> bool:
    """True for a Markdown heading line."""
    return line.lstrip().startswith("#")


def followed_in_clause(
    text: str, first: re.Pattern[str], then: re.Pattern[str]
) -> bool:
    """Whether a match of `first` is followed by one of `then` with no full stop
    between them: `first[^.]*then` in one pass over each stretch, where that
    regex rescans a long stretch from every match of `first` (quadratic)."""
    for clause in text.split("."):
        found = first.search(clause)
        if found and then.search(clause, found.end()):
            return True
    return False


def trie_pattern(phrases: list[str]) -> str:
    """One regex alternation for many literal phrases, shared prefixes factored
    out ("work", "working memory" -> "work(?:ing memory)?"): the engine then
    tries each letter once at a position, where a flat alternation tries
    every phrase in turn. Case is kept; compile it with re.I as needed."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for phrase in phrases:
        node = trie
        for ch in phrase.lower():
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_regex(trie)


def _trie_regex(node: dict) -> str:  # type: ignore[type-arg]
    ends = "" in node
    branches = [
        re.escape(ch) + _trie_regex(child) for ch, child in sorted(node.items()) if ch
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:
        return f"(?:{body})?"
    return body
