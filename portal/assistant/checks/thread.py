"""Golden thread checks: B -> F (Q1), C -> G (Q5) and D -> H1/H2 (Q6)."""

from __future__ import annotations

import re

from portal.assistant.base import CaseMaterial, Finding
from portal.assistant.checks.concepts import concepts, content_words
from portal.assistant.checks.provision import provision_parts
from portal.assistant.plan_parse import Item, is_nil, parse_items, prose_blocks

PROVISION_SECTIONS = ("F", "G", "H1", "H2", "H")
HEALTH_DELIVERER = re.compile(
    r"\b(?:therapist|physiotherap\w*|nurse|paediatric\w*|clinician|camhs|consultant|"
    r"doctor|audiolog\w*|occupational therap\w*|health visitor|nhs|dietitian|"
    r"orthoptist|(?:slt|salt|ot)\b)",
    re.I,
)
_NOT_A_NEED = re.compile(
    r"\b(?:no(?:t)?\s+(?:\w+\s+){0,3}?(?:identified|known|needs?|concerns?|diagnos\w*)|"
    r"(?:is|are|was|were)\s+(?:within\s+the\s+)?normal|none\b|nil\b|see\s+section|"
    r"not\s+known|no\s+longer|other than those)",
    re.I,
)
_NOT_PROVISION = re.compile(
    r"\b(?:known to (?:the )?(?:team|service)|see (?:the )?(?:care|child in need) plan|"
    r"will be referred|to be confirmed|tbc)\b",
    re.I,
)


def _ignore_words(material: CaseMaterial) -> frozenset[str]:
    return frozenset(w.lower() for w in material.child_name.split())


def covers(
    need: str, provision: Item, ignore: frozenset[str], linked: bool = False
) -> bool:
    """True when a provision item is about the same topic as a need."""
    shared_concepts = concepts(need) & concepts(provision.text)
    shared_words = content_words(need, ignore) & content_words(provision.text, ignore)
    if shared_concepts and (shared_words or linked or len(shared_concepts) >= 2):
        return True
    return len(shared_words) >= 3


def provision_items(material: CaseMaterial, keys: tuple[str, ...]) -> list[Item]:
    """Items of the named provision sections that are not 'None.'."""
    items: list[Item] = []
    for key in keys:
        text = material.sections.get(key, "")
        if text and not is_nil(text):
            items += [i for i in parse_items(text) if not _NOT_PROVISION.search(i.text)]
    return items


def check_needs_have_provision(material: CaseMaterial) -> list[Finding]:
    """Q1: every need in B has at least one provision in F about the same thing."""
    needs = parse_items(material.sections.get("B", ""))
    # A need in B may be met by health or social care provision ("an adult
    # with him in the community" in H2): all provision sections count.
    provision = provision_items(material, PROVISION_SECTIONS)
    ignore = _ignore_words(material)
    # An outcome linked to a need carries the link on to provision linked to it.
    via: dict[str, set[str]] = {}
    for outcome in parse_items(material.sections.get("E", "")):
        if outcome.item_id:
            for ref in outcome.refs:
                via.setdefault(ref, set()).add(outcome.item_id)
    # A link to provision counts even when that provision is vague: the fault
    # is then the provision's, reported once, on the provision itself.
    linked_ids = {r for p in provision for r in p.refs}
    findings = []
    for need in needs:
        if not concepts(need.text) and len(content_words(need.text, ignore)) < 3:
            continue  # a heading-like line, not a need
        if _AREA_LABEL.match(need.text):
            continue  # "**Social, emotional and mental health**": an area's label
        ids = (
            {need.item_id} | via.get(need.item_id or "", set())
            if need.item_id
            else set()
        )
        if ids & linked_ids:
            continue
        if any(covers(need.text, p, ignore, bool(ids & p.refs)) for p in provision):
            continue
        label = f"{need.item_id} " if need.item_id else ""
        findings.append(
            Finding(
                "B",
                "missing_provision_for_need",
                "high",
                f"The need {label}has no matching provision in Section F. The council "
                "must secure provision for every need in Section B.",
                need.text,
            )
        )
    return findings


# A sentence in C or D is a need when it says what the child needs or cannot
# do; "Zara has global developmental delay" names a condition, and "Kieran is
# a looked after child" a status: the needs they bring are written elsewhere.
_NEED_WORD = re.compile(
    r"\b(?:needs?|needed|requires?|required|must|has\s+to|have\s+to|cannot|can't|"
    r"unable|relies|depends\s+on|struggles?|difficult\w*|at\s+risk|risk\s+of|"
    r"help\s+with|support\s+with|is\s+not\s+able|dependent|asked\s+for|"
    r"short\s+breaks?|respite)\b|"
    # Conditions that need health care of their own, unlike a lifelong
    # diagnosis whose needs Section B sets out ("Zara has global developmental delay").
    r"\b(?:glue\s+ear|grommets|panic|anxiety\s+disorder|depress\w*|epilep\w*|seizures?|"
    r"asthma|diabet\w*|allerg\w*|eczema|constipat\w*|reflux|continen\w*|sleep\w*|"
    r"muscle\s+tone|proprioce\w*|hypermobil\w*|swallow\w*|dysphagia|pain|self-harm\w*|"
    r"eating|weight|tic\s+disorder|tourette\w*)\b",
    re.I,
)
_NOT_CHILDS = re.compile(
    r"\b(?:her|his|their)\s+own\s+(?:health\s+)?needs\b|\bdescribed\s+in\s+(?:part|section)\b|"
    r"\bchild\s+in\s+need\b|\bassess\w*\s+for\b|\beligible\b",
    re.I,
)


_AREA_LABEL = re.compile(r"^\W*\*\*[^*]{1,80}\*\*\W*$|^[^.]{1,60}:\s*$")


_NO_TREATMENT = re.compile(
    r"\bno\s+(?:treatment|(?:health|medical|social\s+care)\s+provision|further\s+action|"
    r"intervention|support)\s+is\s+(?:needed|required|necessary)\b",
    re.I,
)


def _states_provision(sentence: str) -> bool:
    """ "She is reviewed by the paediatrician every 12 months": provision in place."""
    parts = provision_parts(sentence)
    return bool((parts.frequency or parts.scope) and parts.deliverer)


def _need_sentences(section: str) -> list[str]:
    out = []
    for block in prose_blocks(section):
        if _NO_TREATMENT.search(block.text):
            continue  # "His sleep is poor ... No treatment is needed."
        for sentence in block.sentences():
            text = sentence.text
            if (
                len(text.split()) >= 4
                and not _NOT_A_NEED.search(text)
                and _NEED_WORD.search(text)
                and not _NOT_CHILDS.search(text)
                and not _states_provision(text)
            ):
                out.append(text)
    return out


def check_health_needs(
    material: CaseMaterial, health_advice: list[str]
) -> list[Finding]:
    """Q5: each health need in C has provision in G, or in F from a health professional."""
    section_c = material.sections.get("C", "")
    if not section_c or is_nil(section_c):
        return []
    ignore = _ignore_words(material)
    provision = provision_items(material, ("G",)) + [
        i for i in provision_items(material, ("F",)) if HEALTH_DELIVERER.search(i.text)
    ]
    findings = []
    for need in _need_sentences(section_c):
        if any(covers(need, p, ignore) for p in provision):
            continue
        related = [r for r in health_advice if concepts(r) & concepts(need)]
        extra = (
            f" Health advice recommended: {'; '.join(related[:3])}" if related else ""
        )
        findings.append(
            Finding(
                "C",
                "health_need_without_health_provision",
                "high",
                "This health need has no matching health provision in Section G."
                + extra,
                need,
            )
        )
    return findings


def check_social_care_needs(
    material: CaseMaterial, care_advice: list[str]
) -> list[Finding]:
    """Q6: each social care need in D has provision in H1 or H2."""
    section_d = material.sections.get("D", "")
    if not section_d or is_nil(section_d):
        return []
    ignore = _ignore_words(material)
    provision = provision_items(material, ("H1", "H2", "H"))
    findings = []
    for need in _need_sentences(section_d):
        if any(covers(need, p, ignore) for p in provision):
            continue
        extra = (
            f" Social care advice recommended: {'; '.join(care_advice[:3])}"
            if care_advice
            else ""
        )
        findings.append(
            Finding(
                "D",
                "social_care_need_without_provision",
                "high",
                "This social care need has no provision in Section H1 or H2 "
                "('known to the team' or 'see care plan' is not provision)." + extra,
                need,
            )
        )
    return findings
