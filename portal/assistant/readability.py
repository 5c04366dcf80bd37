"""Reading measures: Flesch reading ease and a reading age.

Reading age is the Flesch-Kincaid grade plus 5 (a US grade is roughly the
year of schooling; children start at about 5). GOV.UK aims for a reading age
of about 9.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from portal.assistant.text import sentences, words

_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


@dataclass(frozen=True)
class ReadingMeasures:
    """Counts and scores for a piece of text."""

    words: int
    sentences: int
    syllables: int
    flesch_reading_ease: float
    reading_age: float
    long_sentences: int

    def to_dict(self) -> dict[str, float]:
        """A JSON-ready dict."""
        return dict(self.__dict__)


@lru_cache(maxsize=20000)
def syllables(word: str) -> int:
    """An estimate of the syllables in an English word (at least 1)."""
    w = word.lower().strip("'-")
    if not w:
        return 0
    if len(w) <= 3:
        return 1
    w = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", "", w)
    w = re.sub(r"^y", "", w)
    count = len(_VOWEL_GROUPS.findall(w))
    if word.lower().endswith("le") and len(w) > 2 and w[-1] not in "aeiouy":
        count += 1
    return max(1, count)


def reading_measures(text: str, *, long_sentence: int = 25) -> ReadingMeasures:
    """Flesch reading ease and reading age for `text` (Markdown is fine)."""
    spans = sentences(text)
    counts = [len(words(s.text)) for s in spans]
    n_words = sum(counts)
    n_sentences = max(1, sum(1 for c in counts if c))
    n_syllables = sum(syllables(w) for s in spans for w in words(s.text))
    if n_words == 0:
        return ReadingMeasures(0, 0, 0, 100.0, 5.0, 0)
    wps = n_words / n_sentences
    spw = n_syllables / n_words
    ease = 206.835 - 1.015 * wps - 84.6 * spw
    grade = 0.39 * wps + 11.8 * spw - 15.59
    return ReadingMeasures(
        words=n_words,
        sentences=n_sentences,
        syllables=n_syllables,
        flesch_reading_ease=round(ease, 1),
        reading_age=round(max(5.0, grade + 5), 1),
        long_sentences=sum(1 for c in counts if c > long_sentence),
    )
