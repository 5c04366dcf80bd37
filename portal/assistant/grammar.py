"""A small parser check: does a rewritten sentence still read as a sentence?

Not a full grammar: a sentence passes when it opens with a capital (or a
number, quote or bracket), ends with a full stop, question or exclamation
mark, has balanced brackets, has a verb, and none of the broken shapes that
word swaps and splits are known to make ("difficulties for attention",
"affect daily taking part", "(SALT) input", "the the", a clause that ends on
"and" or "the"). Every rewrite the rules offer, and every rewrite a model
offers, passes through it.
"""

from __future__ import annotations

import re

_OPENS = re.compile(r"^[\"'\u201c\u2018(\[]?[A-Z0-9]")
_ENDS = re.compile(r"[.!?][\"'\u201d\u2019)\]]*$")
_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*")
_AUX = frozenset(
    """is are was were be been being am has have had will would can could should shall
    may might must do does did need needs needed isn't aren't wasn't weren't won't can't
    cannot doesn't don't didn't hasn't haven't""".split()
)
_LAST_TOKEN = re.compile(r"([A-Za-z0-9'\u2019-]+)\W*$")
_VERBISH = re.compile(r"^[a-z]+(?:ed|es|s)$")
_DANGLING = frozenset(
    """a an the and or but of to in on at for with by from his her their its our your my
    which that who because so if than as""".split()
)
# Shapes word swaps are known to break (issue #14); each is wrong in any plan.
_BROKEN = re.compile(
    r"\b(?P<word>[a-z]+)\s+(?P=word)\b|"  # "the the"
    r"\bdifficult(?:y|ies)\s+for\s+(?!him\b|her\b|them\b|me\b|us\b)\w+|"
    r"\b(?:daily|weekly|regular|good|poor|limited|his|her|their|the|a|an|more|less|"
    r"full|active|social)\s+taking\s+part\b|"
    r"\([A-Z][A-Za-z]{1,7}\)\s+(?:input|sessions?|services?|team|report|advice|"
    r"support|programme|targets?|assessment|strategies)\b|"
    r"\b(?:a)\s+[aeiou]\w*ing\b|"
    r"\(\s*\)|,\s*[.,;]|\.\s*\.",
    re.I,
)


def reads_as_sentence(text: str) -> bool:
    """Whether `text` still reads as one or more whole sentences."""
    text = text.strip()
    if not text or not _OPENS.match(text) or not _ENDS.search(text):
        return False
    if text.count("(") != text.count(")"):
        return False
    words = _WORD.findall(text)
    if len(words) < 2:
        return False
    last = _LAST_TOKEN.search(text)
    if last and last.group(1).lower() in _DANGLING:
        return False
    if _BROKEN.search(text):
        return False
    lowered = [w.lower() for w in words]
    return any(w in _AUX for w in lowered) or any(
        _VERBISH.match(w) for w in lowered[1:]
    )
