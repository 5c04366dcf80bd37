"""Plain-English suggestions: word swaps, acronyms, long sentences, passive voice.

All word-list entries are matched with one precompiled alternation, so a
2,000-word section is scanned once, not once per entry.
"""

from __future__ import annotations

import re
from functools import cache

from portal.assistant.base import Suggestion
from portal.assistant.checks.jargon import (
    _EXPLAINED_AFTER,
    ACRONYM,
    COMMON,
    PHRASES,
    _explained_before,
    technical_terms,
)
from portal.assistant.data import Acronym, PlainWord, acronyms, plain_words
from portal.assistant.grammar import reads_as_sentence
from portal.assistant.rewrite import rewrite_sentence
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


# Participles that describe how someone is, not what was done to them.
_STATES = frozenset(
    """dysregulated distressed overwhelmed agitated frustrated isolated unsettled withdrawn
    overstimulated understimulated exhausted embarrassed ashamed annoyed bullied
    stressed scared excluded disappointed relaxed calmed focused focussed distracted
    disorganised diagnosed delayed impaired affected""".split()
)
_ACTIONS = frozenset(
    """given taught provided offered supported shown told asked helped assessed seen
    reviewed monitored delivered""".split()
)
_PRONOUN_BEFORE = re.compile(r"\b(?:he|she|they|i|we|you|it)\s+$", re.I)
_BY_AFTER = re.compile(r"\s+by\b", re.I)


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


def _still_reads(text: str, start: int, end: int, replacement: str) -> bool:
    """Whether the sentence around text[start:end] still parses with the swap."""
    stop = text.rfind(". ", 0, start)
    left = max(stop + 2 if stop >= 0 else 0, text.rfind("\n", 0, start) + 1)
    right_stop = text.find(". ", end)
    right = len(text) if right_stop < 0 else right_stop + 1
    newline = text.find("\n", end)
    if 0 <= newline < right:
        right = newline
    sentence = text[left:start] + replacement + text[end:right]
    before = text[left:right]
    # A sentence that did not parse before is judged on the swap's own shape.
    return reads_as_sentence(sentence) or not reads_as_sentence(before)


def word_suggestions(text: str) -> list[Suggestion]:
    """Complex words and phrases from plain_words.json."""
    out = []
    table = plain_words()
    for m in _plain_pattern().finditer(text):
        entry = table[m.group().lower()]
        replacement = _replacement(entry, m.group())
        if replacement is not None and not _still_reads(
            text, m.start(), m.end(), replacement
        ):
            replacement = None  # "affect daily taking part": reword by hand
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


_MODIFIES = re.compile(
    r"\s+(?:input|sessions?|services?|team|report|advice|support|programmes?|targets?|"
    r"assessments?|strategies|intervention|provision|referral|review|clinic)\b",
    re.I,
)
_FOLLOWED_BY_NOUN = re.compile(
    r"\s+(?:input|sessions?|services?|team|report|advice|support|programmes?|targets?|"
    r"assessments?|strategies|intervention|provision|skills?|difficult\w*|needs?|"
    r"activities|tools?|breaks?|plan|profile|approach\w*|therapy|groups?|work)\b",
    re.I,
)
_PERSON_BEFORE = re.compile(
    r"\b(?:the|a|an|his|her|their|our|your|each|named)\s+$", re.I
)


def _expansion_in_context(text: str, m: re.Match[str], expansion: str) -> str:
    """'speech and language therapy or therapist': the one that fits here."""
    alt = re.fullmatch(r"(.*\s)(\w+) or (\w+)", expansion)
    if not alt:
        return expansion
    head, thing, person = alt.groups()
    before = text[max(0, m.start() - 12) : m.start()]
    if _PERSON_BEFORE.search(before) and not _MODIFIES.match(text, m.end()):
        return head + person
    return head + thing


def phrase_suggestions(text: str) -> list[Suggestion]:
    """Multi-word professional phrases, explained once in brackets."""
    out, seen = [], set()
    for m in technical_terms().finditer(text):
        term = m.group().lower()
        if term in seen or term not in PHRASES:
            continue
        seen.add(term)
        if _EXPLAINED_AFTER.match(text, m.end()) or _explained_before(
            text, m.start(), m.end()
        ):
            continue
        meaning = PHRASES[term]
        # Brackets inside a noun phrase ("sensory regulation (...) support")
        # break it: then the meaning is offered, not dropped in.
        fits = not _FOLLOWED_BY_NOUN.match(text, m.end()) and (
            text.count("(", 0, m.start()) == text.count(")", 0, m.start())
        )  # and not inside brackets already
        out.append(
            Suggestion(
                m.start(),
                m.end(),
                m.group(),
                f"{m.group()} ({meaning})" if fits else None,
                f"Explain '{m.group()}' the first time: {meaning}.",
                "jargon_phrase",
            )
        )
    return out


def _short_for(s: Suggestion) -> str:
    """'speech and language therapy (SALT)' -> the expansion alone."""
    return (s.replacement or "").rsplit(" (", 1)[0]


def rewrite_suggestions(text: str, found: list[Suggestion]) -> list[Suggestion]:
    """Whole-sentence rewrites: every swap inside, the doer named, long ones split."""
    out = []
    swaps = sorted(
        (s for s in found if s.replacement is not None), key=lambda s: s.start
    )
    i = 0  # swaps and sentences are both in text order: one walk, not a scan each
    for span in sentences(text):
        while i < len(swaps) and swaps[i].start < span.start:
            i += 1
        inside = []
        j = i
        while j < len(swaps) and swaps[j].start < span.end:
            if swaps[j].end <= span.end:
                inside.append(swaps[j])
            j += 1
        local = [
            Suggestion(s.start - span.start, s.end - span.start, s.original,
                       s.replacement, s.reason, s.rule)
            for s in inside
        ]  # fmt: skip
        # Jargon is explained in a short sentence of its own after this one:
        # brackets in the middle make a long sentence longer still.
        explain = tuple(
            (s.original, PHRASES[s.original.lower()])
            for s in inside
            if s.rule == "jargon_phrase"
        )
        explain += tuple(
            (s.original, _short_for(s))
            for s in inside
            if s.rule == "acronym" and s.replacement and s.replacement.endswith(")")
        )
        local = [
            s
            for s in local
            if s.rule != "jargon_phrase"
            and not (s.rule == "acronym" and (s.replacement or "").endswith(")"))
        ]
        swapped = apply_suggestions(span.text, local)
        rewrite = rewrite_sentence(span.text, swapped, explain)
        if rewrite is None or rewrite == swapped == span.text:
            continue
        if rewrite == swapped and len(inside) <= 1 and not explain:
            continue  # the word swap alone says it
        out.append(
            Suggestion(
                span.start,
                span.end,
                span.text,
                rewrite,
                "A plainer version of this sentence: shorter sentences, everyday "
                "words, and who does what. Every number, name and date is kept.",
                "rewrite",
            )
        )
    return out


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
        expansion = _expansion_in_context(text, m, known.expansion)
        if _MODIFIES.match(text, m.end()):
            # "regular SALT input": "speech and language therapy (SALT) input"
            # breaks the noun phrase; the expansion alone reads.
            replacement = expansion
            seen.discard(token)  # spell it out with brackets at its next use
        else:
            replacement = f"{expansion} ({token})"
        out.append(
            Suggestion(
                m.start(),
                m.end(),
                token,
                replacement,
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
        verb = m.group("verb").lower()
        if verb in _ADJECTIVAL or verb in _STATES:
            continue
        before = text[max(0, m.start() - 12) : m.start()]
        if _PRONOUN_BEFORE.search(before) and not _BY_AFTER.match(text, m.end()):
            if verb not in _ACTIONS:
                continue  # "when he is dysregulated": a state, not an action
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
        word_suggestions(text)
        + acronym_suggestions(text)
        + phrase_suggestions(text)
        + sentence_suggestions(text)
    )
    found += rewrite_suggestions(text, found)
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
