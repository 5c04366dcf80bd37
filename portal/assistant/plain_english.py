"""Plain-English suggestions: word swaps, acronyms, long sentences, passive voice.

All word-list entries are matched with one precompiled alternation, so a
2,000-word section is scanned once, not once per entry.
"""

from __future__ import annotations

import re
from functools import cache

from portal.assistant.base import Suggestion
from portal.assistant.checks.jargon import ACRONYM, COMMON
from portal.assistant.data import Acronym, PlainWord, acronyms, plain_words
from portal.assistant.text import sentences, trie_pattern, words

LONG_SENTENCE = 25
_PARTICIPLE = (
    r"(?:\w+ed|given|made|done|seen|taken|written|shown|known|set|put|taught|brought|kept|"
    r"held|met|run|led|sent|told|paid|provided|offered|chosen|drawn|spoken)"
)
PASSIVE = re.compile(
    rf"\b(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?(?P<verb>{_PARTICIPLE})\b",
    re.I,
)
_ADJECTIVAL = frozenset(
    """interested worried tired pleased excited scared bored frightened upset confused
    supposed used based related concerned motivated determined qualified skilled
    trained experienced organised settled engaged involved prepared named red
    registered retired married allowed need""".split()
)


@cache
def _plain_pattern() -> re.Pattern[str]:
    return re.compile(r"\b(?:" + trie_pattern(list(plain_words())) + r")\b", re.I)


def _replacement(entry: PlainWord, original: str) -> str | None:
    """The first plain option, if it can be dropped in as is."""
    option = entry.plain.split(" / ")[0].strip()
    if re.search(r"[()\[\]']|\bsay\b|\bdescribe\b|\bname it\b", option):
        return None
    if len(option.split()) > len(original.split()) + 1:
        return None  # an explanation, not a swap: offer it in the reason
    if original[:1].isupper():
        option = option[:1].upper() + option[1:]
    return option


def word_suggestions(text: str) -> list[Suggestion]:
    """Complex words and phrases from plain_words.json."""
    out = []
    table = plain_words()
    for m in _plain_pattern().finditer(text):
        entry = table[m.group().lower()]
        replacement = _replacement(entry, m.group())
        reason = f"Use everyday words: '{entry.plain}' instead of '{m.group()}'."
        if entry.note:
            reason += f" {entry.note}"
        out.append(
            Suggestion(
                m.start(), m.end(), m.group(), replacement, reason, "plain_words"
            )
        )
    return out


_OPENS_EXPLANATION = re.compile(r"\s*\(\s*[a-z]", re.I)


def _spelt_out(text: str, m: re.Match[str], known: Acronym | None) -> bool:
    token = re.escape(m.group())
    around = text[max(0, m.start() - 100) : m.end() + 100]
    if re.search(
        rf"\w[\w ,'-]{{3,}}\(\s*{token}\s*\)", around
    ) or _OPENS_EXPLANATION.match(text, m.end()):
        return True
    if known:
        expansion = known.expansion.split("(")[0].strip().lower()
        return expansion in text[: m.start()].lower()
    return False


def acronym_suggestions(text: str) -> list[Suggestion]:
    """Known acronyms not spelt out at their first use: offer the expansion."""
    out, seen = [], set()
    table = acronyms()
    for m in ACRONYM.finditer(text):
        token = m.group()
        if token in seen or token in COMMON or token not in table:
            continue
        seen.add(token)
        known = table[token]
        if _spelt_out(text, m, known):
            continue
        out.append(
            Suggestion(
                m.start(),
                m.end(),
                token,
                f"{known.expansion} ({token})",
                f"Spell out {token} the first time: {known.expansion}. {known.explanation}",
                "acronym",
            )
        )
    return out


def sentence_suggestions(text: str) -> list[Suggestion]:
    """Sentences over 25 words, and passive verbs that hide who does what."""
    out = []
    for span in sentences(text):
        count = len(words(span.text))
        if count > LONG_SENTENCE:
            out.append(
                Suggestion(
                    span.start,
                    span.end,
                    span.text,
                    None,
                    f"This sentence has {count} words. Split it: aim for 15 to 20, "
                    f"never more than {LONG_SENTENCE}.",
                    "long_sentence",
                )
            )
    for m in PASSIVE.finditer(text):
        if m.group("verb").lower() in _ADJECTIVAL:
            continue
        out.append(
            Suggestion(
                m.start(),
                m.end(),
                m.group(),
                None,
                "Passive voice hides who does what: name the person, e.g. "
                "'A teaching assistant will…'.",
                "passive_voice",
            )
        )
    return out


def plain_english_suggestions(text: str) -> list[Suggestion]:
    """Every plain-English suggestion for `text`, in text order."""
    found = (
        word_suggestions(text) + acronym_suggestions(text) + sentence_suggestions(text)
    )
    return sorted(found, key=lambda s: (s.start, -s.end))


def apply_suggestions(text: str, suggestions: list[Suggestion]) -> str:
    """Apply every suggestion that has a replacement, skipping overlapping ones."""
    chosen: list[Suggestion] = []
    last_end = -1
    for s in sorted(suggestions, key=lambda s: (s.start, -s.end)):
        if s.replacement is not None and s.start >= last_end:
            chosen.append(s)
            last_end = s.end
    for s in reversed(chosen):
        text = text[: s.start] + s.replacement + text[s.end :]  # type: ignore[operator]
    return text
