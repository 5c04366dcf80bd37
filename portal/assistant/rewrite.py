"""Sentence rewrites: split long sentences, name the doer, plain words, jargon.

Each rewrite is built from the word-level suggestions inside a sentence plus
two sentence-level changes: a passive with a named doer becomes active ("Support
will be provided by the teaching assistant" -> "The teaching assistant will
provide support"), and a long sentence is split at a clause boundary. Every
rewrite is re-parsed (`grammar.reads_as_sentence`) and checked by the meaning
guard (`guard.check_rewrite`: every number, name and date kept); one that fails
either is not offered.
"""

from __future__ import annotations

import re
from functools import lru_cache

from portal.assistant.grammar import reads_as_sentence
from portal.assistant.guard import check_rewrite
from portal.assistant.text import sentences, words

SPLIT_OVER = 14  # words: a sentence longer than this is split when it can be
_MIN_PART = 5

# participle -> (base, third person, past)
_VERBS: dict[str, tuple[str, str, str]] = {}
for _base, _third, _past, _part in (
    ("provide", "provides", "provided", "provided"),
    ("deliver", "delivers", "delivered", "delivered"),
    ("support", "supports", "supported", "supported"),
    ("give", "gives", "gave", "given"),
    ("offer", "offers", "offered", "offered"),
    ("review", "reviews", "reviewed", "reviewed"),
    ("monitor", "monitors", "monitored", "monitored"),
    ("assess", "assesses", "assessed", "assessed"),
    ("teach", "teaches", "taught", "taught"),
    ("run", "runs", "ran", "run"),
    ("lead", "leads", "led", "led"),
    ("use", "uses", "used", "used"),
    ("plan", "plans", "planned", "planned"),
    ("write", "writes", "wrote", "written"),
    ("set", "sets", "set", "set"),
    ("observe", "observes", "observed", "observed"),
    ("diagnose", "diagnoses", "diagnosed", "diagnosed"),
    ("see", "sees", "saw", "seen"),
    ("check", "checks", "checked", "checked"),
    ("model", "models", "modelled", "modelled"),
    ("devise", "devises", "devised", "devised"),
    ("design", "designs", "designed", "designed"),
    ("train", "trains", "trained", "trained"),
    ("complete", "completes", "completed", "completed"),
    ("carry out", "carries out", "carried out", "carried out"),
    ("recommend", "recommends", "recommended", "recommended"),
    ("report", "reports", "reported", "reported"),
    ("identify", "identifies", "identified", "identified"),
    ("prescribe", "prescribes", "prescribed", "prescribed"),
    ("refer", "refers", "referred", "referred"),
    ("agree", "agrees", "agreed", "agreed"),
    ("share", "shares", "shared", "shared"),
    ("update", "updates", "updated", "updated"),
    ("measure", "measures", "measured", "measured"),
    ("record", "records", "recorded", "recorded"),
    ("prompt", "prompts", "prompted", "prompted"),
    ("show", "shows", "showed", "shown"),
):
    _VERBS[_part] = (_base, _third, _past)
_PART = "|".join(sorted((re.escape(p) for p in _VERBS), key=len, reverse=True))
_DET = r"(?:the|a|an|his|her|their|its|this|each|every|all|[A-Z][a-z]+'s)"
# "X will be provided by the TA<rest>": the whole sentence, subject first.
PASSIVE_BY = re.compile(
    rf"^(?P<subj>[A-Z][^,;:()]{{2,80}}?)\s+(?P<aux>will\s+be|is|are|was|were|has\s+been|have\s+been)"
    rf"\s+(?P<verb>{_PART})\s+by\s+(?P<doer>{_DET}\s+[^,;:.()]{{2,60}}?|"
    rf"(?:Dr|Mr|Mrs|Ms|Miss)\.?\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)"
    rf"(?P<rest>(?:\s+(?:every|each|in|at|for|during|from|on|before|after|when|until|with|"
    rf"twice|once|three|daily|weekly|termly)\b[^.!?]*)?[.!?])$"
)
_PLURAL_DOER = re.compile(
    r"\b(?:staff|adults|teachers|assistants|therapists|team)s?\b", re.I
)
_LOWER_START = frozenset(
    "The A An His Her Their This These Each Every All Any Some".split()
)
_COMMON_NOUNS = frozenset(
    """support help therapy speech sessions session teaching provision advice progress
    work training targets strategies equipment programme intervention interventions
    reading writing handwriting homework lessons tasks breaks care medication
    physiotherapy assessment assessments reviews review""".split()
)
_PRONOUN_SUBJ = {
    "he": "him",
    "she": "her",
    "they": "them",
    "i": "me",
    "we": "us",
    "it": "it",
}


def _active(sentence: str) -> str | None:
    m = PASSIVE_BY.match(sentence)
    if not m:
        return None
    base, third, past = _VERBS[m.group("verb")]
    aux = " ".join(m.group("aux").split())
    doer = m.group("doer").strip()
    plural = bool(_PLURAL_DOER.search(doer.split()[-1]))
    if aux == "will be":
        verb = f"will {base}"
    elif aux in ("is", "are"):
        verb = base if plural else third
    elif aux in ("has been", "have been"):
        verb = f"{'have' if plural else 'has'} {m.group('verb')}"
    else:
        verb = past
    subj = m.group("subj")
    first = subj.split()[0]
    if first.lower() in _PRONOUN_SUBJ and len(subj.split()) == 1:
        obj = _PRONOUN_SUBJ[first.lower()]
    elif first in _LOWER_START or first.lower() in _COMMON_NOUNS:
        obj = first.lower() + subj[len(first) :]
    else:
        obj = subj
    doer = doer[:1].upper() + doer[1:]
    return f"{doer} {verb} {obj}{m.group('rest')}"


# A clause boundary and what replaces it when the sentence is split there.
_MODAL = r"(?:should|will|must|can|could|may|might|would|needs?\s+to|has|have|is|are|was|were)"
_BOUNDARY = re.compile(
    r",?\s+and\s+that\s+|"
    rf",?\s+and\s+(?={_MODAL}\s)|,\s+(?:whereas|while)\s+|"
    r";\s+|,\s+(?:and|but|so)\s+(?=(?:he|she|they|it|this|these|we|I|there|his|her|their|"
    r"the|a|an|[A-Z][a-z]+)\b)|,\s+which\s+|,\s+(?=(?:he|she|they|this|these|we|I)\s)|"
    r"\s+(?:and|but)\s+(?=(?:he|she|they|this|these|we|I)\s+\w+)"
)
_LEAD_THAT = re.compile(
    r"^(.{0,60}?\b(?:recommend(?:ed|s)?|essential|important|advised|agreed|suggests?|"
    r"vital|necessary)\s+that)\s",
    re.I,
)
_SUBJECT = re.compile(
    r"^((?:He|She|They|We|I|It|Staff|Adults|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?|"
    r"(?:The|His|Her|Their)\s+[a-z]+(?:\s+[a-z]+)?))\s+(?:should|will|must|can|could|"
    r"may|might|would|needs?|has|have|is|are|was|were)\b"
)
_STARTS_CLAUSE = re.compile(
    r"^(?:he|she|they|it|this|these|we|i|there|his|her|their|the|a|an|[A-Z][a-z]+)\b"
)


def _split_once(sentence: str) -> str | None:
    """Split one sentence at the clause boundary nearest its middle whose two
    halves each read as a sentence."""
    n = len(words(sentence))
    candidates: list[tuple[float, re.Match[str]]] = []
    for m in _BOUNDARY.finditer(sentence):
        left, right = sentence[: m.start()], sentence[m.end() :]
        if sentence.count("(", 0, m.start()) != sentence.count(")", 0, m.start()):
            continue  # inside brackets
        lw, rw = len(words(left)), len(words(right))
        if lw < _MIN_PART or rw < _MIN_PART:
            continue
        candidates.append((abs(lw - n / 2), m))
    for _, m in sorted(candidates, key=lambda c: c[0])[:4]:
        split = _split_at(sentence, m)
        if split and all(reads_as_sentence(s.text) for s in sentences(split)):
            return split
    return None


def _split_at(sentence: str, m: re.Match[str]) -> str | None:
    joint = m.group().strip(" ,;").lower()
    left = sentence[: m.start()].rstrip(" ,;")
    right = sentence[m.end() :].lstrip()
    if joint == "and that":
        lead = _LEAD_THAT.match(sentence)
        if not lead:
            return None
        right = f"{lead.group(1)} {right}"  # "It is recommended that ..." again
    elif joint == "and" and re.match(_MODAL, right):
        subject = _SUBJECT.match(sentence)
        if not subject:
            return None
        right = f"{subject.group(1)} {right}"  # "Staff should ... Staff should ..."
    elif joint in ("whereas", "while"):
        right = "But " + right
    elif joint == "which":
        right = "This " + right
    elif joint == "but":
        right = "But " + right
    elif joint == "so":
        right = "So " + right
    if not _STARTS_CLAUSE.match(right) and joint not in (
        "which",
        "whereas",
        "while",
        "and",
        "and that",
    ):
        return None
    right = right[:1].upper() + right[1:]
    return f"{left}. {right}"


def split_long(sentence: str) -> str:
    """Split a long sentence into shorter ones (twice at most)."""
    out = sentence
    for _ in range(3):
        parts = [s.text for s in sentences(out)]
        changed = False
        for part in parts:
            if len(words(part)) > SPLIT_OVER:
                split = _split_once(part)
                if split:
                    out = out.replace(part, split, 1)
                    changed = True
        if not changed:
            break
    return out


def acceptable(original: str, rewrite: str) -> bool:
    """Every sentence of the rewrite reads as a sentence, and it keeps the facts."""
    if rewrite == original:
        return False
    if not all(reads_as_sentence(s.text) for s in sentences(rewrite)):
        return False
    return check_rewrite(original, rewrite).ok


@lru_cache(maxsize=4096)
def rewrite_sentence(
    sentence: str, swapped: str, explain: tuple[tuple[str, str], ...] = ()
) -> str | None:
    """The best rewrite of `sentence` (`swapped` has the word swaps applied),
    followed by a sentence explaining each term in `explain` (term, meaning)."""
    best = _rewrite(sentence, swapped)
    if not explain:
        return best
    body = best or sentence
    notes = " ".join(
        f"{t} is short for {m}."
        if t.isupper() or t[:2].isupper()
        else f"{t[:1].upper()}{t[1:]} means {m}."
        for t, m in explain
    )
    out = f"{body} {notes}"
    return out if acceptable(sentence, out) else best


def _rewrite(sentence: str, swapped: str) -> str | None:
    for base in (swapped, sentence):
        if base != sentence and not acceptable(sentence, base):
            continue
        candidate = _active(base) or base
        if candidate != base and not acceptable(sentence, candidate):
            candidate = base
        split = split_long(candidate)
        if split != candidate and acceptable(sentence, split):
            candidate = split
        if acceptable(sentence, candidate):
            return candidate
    return None
