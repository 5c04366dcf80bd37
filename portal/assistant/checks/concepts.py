"""What a need or a provision is about: concept tags and content words.

The golden-thread checks compare topics, not item numbers, so they still work
when links are missing or wrong. A concept is a small set of word stems; two
texts share a topic when they share a concept or enough distinctive words.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from portal.assistant.data import acronyms
from portal.assistant.text import trie_pattern

# Stems, matched at the start of a word ("read" matches "reading", "reader").
CONCEPTS: dict[str, tuple[str, ...]] = {
    "understanding": ("instruction", "understand", "receptive", "question", "comprehen", "follow"),
    "expressive": ("vocabular", "sentence", "expressive", "retell", "narrative", "story",
                   "stori", "word", "verb", "talk", "explain", "speak", "spoken", "language"),
    "speech_sounds": ("speech sound", "intelligib", "articulat", "stammer", "stutter", "pronoun"),
    "social": ("friend", "playtime", "peer", "social", "game", "playground", "group work",
               "conversation", "turn-taking", "lunchtime", "join in", "relationship"),
    "reading": ("read", "phonic", "blend", "decod", "letter sound", "book", "literacy", "dyslex"),
    "writing": ("writ", "handwrit", "pencil", "record"),
    "spelling": ("spell",),
    "maths": ("math", "number", "calculat", "arithmetic", "dyscalcul", "numeracy"),
    "memory": ("memory", "remember", "recall", "hold", "in mind", "chunk"),
    "processing": ("process", "extra time", "slow", "pace", "time to"),
    "attention": ("attention", "concentrat", "focus", "adhd", "distract", "impuls", "sit still",
                  "fidget", "movement break"),
    "anxiety": ("anxi", "worr", "feeling", "emotion", "calm", "upset", "distress", "mood",
                "wellbeing", "stress", "shut", "overwhelm", "mask", "hide", "hidden", "panic",
                "self-esteem", "confiden", "cbt", "elsa"),
    "behaviour": ("behaviour", "hit", "kick", "aggress", "anger", "angry", "meltdown",
                  "exclu", "dysregulat", "regulat"),
    "attendance": ("attend", "school avoid", "timetable", "absence", "return to school",
                   "part-time", "refus"),
    "change": ("change", "routine", "transition", "unexpected", "predictab", "advance",
               "cover teacher", "move to", "visit"),
    "safe_space": ("quiet space", "quiet room", "hub", "calm room", "safe space", "break",
                   "exit card", "time out", "time-out", "sensory room", "base", "retreat"),
    "sensory": ("noise", "noisy", "loud", "sensory", "crowd", "smell", "texture", "ear defender",
                "headphone", "quiet"),
    "fine_motor": ("fine motor", "scissor", "cutlery", "button", "grip", "pencil", "handwrit",
                   "dexterity", "zip"),
    "gross_motor": ("gross motor", "balance", "coordinat", "walk", "run", "climb", "mobility",
                    "wheelchair", "stairs", "physio", "posture", "dyspraxia"),
    "self_care": ("toilet", "continen", "dress", "personal care", "eat", "feed", "wash",
                  "hygien", "self-care", "nappy", "pad"),
    "medical": ("medic", "epilep", "seizure", "diabet", "asthma", "allerg", "inhaler",
                "insulin", "condition", "diagnos", "nurse", "paediatric", "gp"),
    "sleep": ("sleep", "bedtime", "melatonin", "tired", "night"),
    "hearing": ("hearing", "deaf", "audiolog", "hearing aid", "radio aid", "cochlear"),
    "vision": ("vision", "visual impair", "sight", "braille", "glasses", "blind"),
    "mental_health": ("mental health", "camhs", "therap", "counsel", "self-harm", "depress"),
    "exams": ("exam", "test", "gcse", "access arrangement"),
    "pfa_work": ("college", "career", "work experience", "employ", "job", "apprentice",
                 "universit", "post-16", "internship", "course"),
    "pfa_independence": ("independen", "travel", "bus", "money", "cook", "shop", "on his own",
                         "on her own", "on their own"),
    "family_support": ("short break", "respite", "carer", "family support", "parenting",
                       "home", "overnight", "care package"),
}  # fmt: skip

STOPWORDS = frozenset(
    """a an and are as at be been being but by can could do does for from had has have he
    her hers him his how i if in into is it its me my no not of on or our she so than that
    the their them then there these they this those to too up us was we were what when where
    which who will with would you your also about after all any before each every more most
    other over some such very well just only own same much many may might must should out
    off per via being within without between during while until""".split()
)
# Words every provision item uses; they say nothing about the topic.
GENERIC = frozenset(
    """minute minutes hour hours week weeks weekly day days daily term terms termly session
    sessions time times deliver delivered delivering provide provided provision support
    supported programme plan planned school class staff adult adults member team named
    key use using used year years month months child children pupil pupils group lesson
    lessons teacher teachers teaching assistant trained training start end least least
    help helps need needs needed block twice once ta 1:1 one two three four five six
    check review reviewed progress""".split()
)
_STEM_SUFFIXES = ("ingly", "ations", "ation", "ments", "ment", "ings", "ing", "ies", "ied",
                  "ers", "er", "ed", "es", "ly", "s")  # fmt: skip
TOKEN = re.compile(r"[a-z0-9][a-z0-9'-]*")


_STEM_CONCEPTS: dict[str, set[str]] = {}
for _name, _stems in CONCEPTS.items():
    for _stem in _stems:
        _STEM_CONCEPTS.setdefault(_stem, set()).add(_name)
# A long stem also carries the concepts of shorter stems it starts with
# ("quiet room" is a safe space and also "quiet"), as the alternation below
# matches the longest stem only.
for _long in list(_STEM_CONCEPTS):
    for _short in list(_STEM_CONCEPTS):
        if _long != _short and _long.startswith(_short):
            _STEM_CONCEPTS[_long] = _STEM_CONCEPTS[_long] | _STEM_CONCEPTS[_short]
# One alternation for every stem: a text is scanned once, not once per concept.
_CONCEPT_PATTERN = re.compile(r"\b(?:" + trie_pattern(list(_STEM_CONCEPTS)) + ")", re.I)


@lru_cache(maxsize=8192)
def concepts(text: str) -> frozenset[str]:
    """Concept tags found in `text`."""
    found: set[str] = set()
    for m in _CONCEPT_PATTERN.finditer(text):
        found |= _STEM_CONCEPTS[m.group().lower()]
    return frozenset(found)


@lru_cache(maxsize=32768)
def stem(word: str) -> str:
    """A crude stem: 'sessions' -> 'session', 'reading' -> 'read'."""
    for suffix in _STEM_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@cache
def _acronym_expansions() -> dict[str, str]:
    return {k.lower(): v.expansion.lower() for k, v in acronyms().items()}


@lru_cache(maxsize=8192)
def content_words(text: str, ignore: frozenset[str] = frozenset()) -> frozenset[str]:
    """Distinctive word stems, with acronyms expanded ('SLT' -> speech, language…)."""
    expansions = _acronym_expansions()
    out: set[str] = set()
    for token in TOKEN.findall(text.lower()):
        for part in expansions.get(token, token).replace("-", " ").split():
            part = part.strip("'")
            if len(part) < 3 or part in STOPWORDS or part in GENERIC or part in ignore:
                continue
            if part.isdigit():
                continue
            out.add(stem(part))
    return frozenset(out)
