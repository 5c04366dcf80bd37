"""The domain word lists the rules use, loaded once from `portal/data`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_json(name: str) -> Any:
    """Parse one of the JSON files bundled in `portal/data`."""
    return json.loads(
        resources.files("portal").joinpath("data", name).read_text("utf-8")
    )


@dataclass(frozen=True)
class PlainWord:
    """A complex word or phrase and its plain alternative."""

    complex: str
    plain: str
    category: str
    note: str


@dataclass(frozen=True)
class Acronym:
    """An acronym, its expansion and a plain explanation."""

    acronym: str
    expansion: str
    explanation: str


@dataclass(frozen=True)
class VagueTerm:
    """A vague provision phrase with its compiled patterns."""

    id: str
    phrase: str
    category: str
    severity: str
    why_weak: str
    specify_instead: str
    pattern: re.Pattern[str]


def _variants(complex_word: str) -> list[str]:
    """'transition (between settings)' -> ['transition']; 'a / b' -> ['a', 'b']."""
    base = re.sub(r"\s*\(.*?\)", "", complex_word)
    return [v.strip() for v in base.split("/") if v.strip()]


@cache
def plain_words() -> dict[str, PlainWord]:
    """Complex word (lower case, each variant) -> its entry."""
    out: dict[str, PlainWord] = {}
    for w in load_json("plain_words.json")["words"]:
        entry = PlainWord(
            w["complex"], w["plain"], w.get("category", ""), w.get("note", "")
        )
        for variant in _variants(w["complex"]):
            out.setdefault(variant.lower(), entry)
        for form, inflected in _verb_forms(entry):
            out.setdefault(form, inflected)
    return out


# Forms made for words that are not verbs never occur in text, so they do no
# harm; these endings would only make odd forms of forms. Plain verbs whose
# past tense is irregular get an explanation instead of a swap.
_NOT_VERB_ENDINGS = ("ly", "s", "ed", "ing")
_IRREGULAR = {
    "get",
    "go",
    "give",
    "make",
    "tell",
    "show",
    "keep",
    "send",
    "find",
    "buy",
    "begin",
    "see",
    "take",
    "say",
    "do",
    "have",
    "be",
    "put",
    "set",
    "let",
    "choose",
    "think",
    "bring",
    "run",
    "come",
    "write",
    "speak",
    "meet",
    "lead",
}


def _inflect(word: str, kind: str) -> str:
    if kind == "s":
        return word + ("es" if word.endswith(("s", "sh", "ch", "x", "z", "o")) else "s")
    if kind == "ed":
        return word + ("d" if word.endswith("e") else "ed")
    stem = word[:-1] if word.endswith("e") and not word.endswith("ee") else word
    return stem + "ing"


def _verb_forms(entry: PlainWord) -> list[tuple[str, PlainWord]]:
    """'utilises', 'utilised', 'utilising' for 'utilise', with the plain word
    inflected the same way ('uses', 'used', 'using') when that is safe."""
    word = entry.complex.lower()
    if " " in word or "/" in word or word.endswith(_NOT_VERB_ENDINGS):
        return []
    plain = entry.plain.split(" / ")[0].strip()
    forms = []
    for kind in ("s", "ed", "ing"):
        if plain.isalpha() and plain.lower() not in _IRREGULAR:
            swap = _inflect(plain, kind)
        else:
            swap = f"a form of '{entry.plain}'"  # an explanation, not a drop-in swap
        forms.append(
            (
                _inflect(word, kind),
                PlainWord(_inflect(word, kind), swap, entry.category, entry.note),
            )
        )
    return forms


def _expansion_for(expansion: str, index: int, count: int) -> str:
    """The expansion of the index-th of `count` spellings ('SENCo / SENDCo')."""
    optional = re.search(r"\s*\((.*?)\)", expansion)
    if optional and count == 2:  # "needs (and disabilities) co-ordinator"
        inner = f" {optional.group(1)}" if index else ""
        return expansion[: optional.start()] + inner + expansion[optional.end() :]
    parts = [p.strip() for p in expansion.split("/")]
    if len(parts) == count and all(len(p.split()) > 1 for p in parts):
        return parts[index]
    return expansion.replace(" / ", " or ")


@cache
def acronyms() -> dict[str, Acronym]:
    """Acronym (as written, each variant: 'SENCo', 'SENDCo', 'KS2') -> entry."""
    out: dict[str, Acronym] = {}
    for a in load_json("plain_words.json")["acronyms"]:
        names = [n.strip() for n in a["acronym"].split("/")]
        for i, name in enumerate(names):
            token = name.split()[0]  # "CWD team" -> "CWD", "EHC plan" -> "EHC"
            if re.search(r"[A-Z]{2}", token):  # "physio" is a word, not an acronym
                expansion = _expansion_for(a["expansion"], i, len(names))
                out.setdefault(token, Acronym(token, expansion, a["plain_explanation"]))
    return out


@cache
def vague_terms() -> tuple[VagueTerm, ...]:
    """Vague provision terms, each with one compiled alternation of its patterns."""
    terms = []
    for t in load_json("vague_terms.json")["terms"]:
        pattern = re.compile("|".join(f"(?:{p})" for p in t["patterns"]), re.I)
        terms.append(
            VagueTerm(
                t["id"],
                t["phrase"],
                t["category"],
                t["severity"],
                t.get("why_weak", ""),
                t.get("specify_instead", ""),
                pattern,
            )
        )
    return tuple(terms)


@cache
def any_vague_term() -> re.Pattern[str]:
    """One alternation of every vague term: most sentences hit none, and one
    search says so where a search per term took 37."""
    return re.compile("|".join(f"(?:{t.pattern.pattern})" for t in vague_terms()), re.I)


@cache
def reg6_categories() -> dict[str, dict[str, Any]]:
    """Reg 6(1) letter -> the sections.json entry ('a' … 'h')."""
    out = {}
    for entry in load_json("sections.json")["reg6_advice"]:
        match = re.fullmatch(r"6\(1\)\(([a-h])\)", entry["ref"])
        if match:
            out[match.group(1)] = entry
    return out


@cache
def role_reg6() -> dict[str, str]:
    """Adviser id -> Reg 6(1) letter."""
    return {r["id"]: (r["reg6"] or "")[:1] for r in load_json("sections.json")["roles"]}


@cache
def role_groups() -> dict[str, str]:
    """Adviser id -> group ('family', 'health', 'education', 'social_care')."""
    out = {}
    for group, roles in load_json("sections.json")["role_groups"].items():
        for role in roles:
            out[role] = group
    return out
