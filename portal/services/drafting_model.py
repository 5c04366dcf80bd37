""" "Start the draft" with a language model (the `openai` backend).

Each piece of submitted advice goes to the model redacted, as the assistant's
checks do (the child, the people on the case and the school become
placeholders), and comes back as proposals. A proposal is kept only when:

- its section is one of B–H2 and, in B, its area is one of the four broad
  areas of need;
- the advice words it names (`recommendation`) are really in the advice, so
  it can carry provenance like any passage taken by hand;
- its plan wording keeps every number, name, duration and negation of those
  words (the assistant's guard).

The caller falls back to the rules when the model cannot be used.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from portal.assistant.base import AssistantUnavailable
from portal.assistant.guard import check_rewrite
from portal.assistant.openai_backend import OpenAIAssistant
from portal.assistant.redaction import Redactor
from portal.models import Case, Document

log = logging.getLogger(__name__)

SECTIONS = ("B", "C", "D", "E", "F", "G", "H1", "H2")
MAX_ADVICE_CHARS = 30_000  # one advice document per request, bounded
MAX_PER_ADVICE = 60
_EMPHASIS = re.compile(r"\*{1,3}|(?<!\w)_{1,3}|_{1,3}(?!\w)")

PROMPT = """You help a council caseworker start an Education, Health and Care Plan from \
professional advice. From the advice, list each need, outcome and provision the plan \
should carry. For each give the plan section: B (special educational needs), C (health \
needs), D (social care needs), E (outcomes), F (special educational provision; therapy \
that educates or trains is F), G (health provision), H1 or H2 (social care provision). \
For B give the broad area of need: "Communication and interaction", "Cognition and \
learning", "Social, emotional and mental health" or "Sensory and/or physical needs". \
Copy the advice's own words exactly into "recommendation". Write "text" as plain, \
specific plan wording: keep every number, frequency, duration, name, negation and \
placeholder in square brackets; add no facts. Leave out background, test results and \
views. Answer with JSON only: {"proposals": [{"section": "F", "area": "", \
"recommendation": "<exact words from the advice>", "text": "<plan wording>"}]}"""


@dataclass(frozen=True)
class ModelProposal:
    section: str
    area: str
    recommendation: str  # the advice's own words, restored
    text: str  # the proposed plan wording, restored


def redactor_for(case: Case, docs: Iterable[Document]) -> Redactor:
    people = [m.person.name for m in case.memberships]
    people += [d.owner.person.name if d.owner else d.source_author for d in docs]
    return Redactor(case.child_name, [p for p in people if p], [case.setting or ""])


def propose(
    assistant: OpenAIAssistant,
    redactor: Redactor,
    advice_text: str,
    plain_advice: str,
    areas: Iterable[str],
) -> list[ModelProposal]:
    """The model's proposals for one advice text, checked as the module says.
    Raises AssistantUnavailable when the model cannot be used."""
    redacted = redactor.redact(advice_text[:MAX_ADVICE_CHARS])
    data = assistant._chat(PROMPT, redacted)  # one guarded, timed-out call
    known_areas = set(areas)
    flat_advice = " ".join(plain_advice.split())
    out: list[ModelProposal] = []
    entries = data.get("proposals")
    if not isinstance(entries, list):
        raise AssistantUnavailable("its answer was not the JSON the portal asked for")
    for entry in entries[:MAX_PER_ADVICE]:
        checked = _checked(entry, redactor, flat_advice, known_areas)
        if checked is not None:
            out.append(checked)
    return out


def _checked(
    entry: Any, redactor: Redactor, flat_advice: str, areas: set[str]
) -> ModelProposal | None:
    if not isinstance(entry, dict):
        return None
    section = str(entry.get("section", "")).strip().upper()
    area = str(entry.get("area", "") or "").strip()
    # The model reads Markdown and may copy its emphasis marks; the advice's
    # words as the plan quotes them have none.
    recommendation_r = _EMPHASIS.sub("", str(entry.get("recommendation", ""))).strip()
    text_r = _EMPHASIS.sub("", str(entry.get("text", ""))).strip()
    if section not in SECTIONS or not recommendation_r or not text_r:
        return None
    if section == "B" and area not in areas:
        return None
    recommendation = " ".join(redactor.restore(recommendation_r).split())
    if recommendation not in flat_advice:
        log.info("model proposal dropped: its words are not the advice's")
        return None
    verdict = check_rewrite(recommendation_r, text_r)
    if not verdict.ok:
        log.info("model proposal dropped by the guard: %s", verdict.problems)
        return None
    return ModelProposal(
        section,
        area if section == "B" else "",
        recommendation,
        redactor.restore(text_r),
    )
