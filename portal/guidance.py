"""Plain explanations, per contributor, of what good advice contains."""

from __future__ import annotations

GENERAL = [
    "Say what the child can do as well as what they find hard.",
    "Give current levels with dates, for example a test score and when it was taken.",
    "Describe help in numbers: who gives it, how often, for how long, and in what size group.",
    "Say what difference the help should make, and by when.",
    "Explain any technical word or abbreviation the first time you use it.",
]

BY_DISCIPLINE: dict[str, list[str]] = {
    "parent_carer": [
        "Tell us about your child: what they enjoy, what they are good at and what matters to them.",
        "Tell us what they find hard at home and at school, and what helps.",
        "Tell us what you hope for, now and for the future.",
        "Write in your own words. There are no wrong answers, and you can change it until you submit it.",
    ],
    "child_young_person": [
        "This is your part. Write about you: what you like, what you are good at, and what you want to do.",
        "Tell us what is hard for you, and what helps you.",
        "You can write, type, or ask someone you trust to write down what you say.",
    ],
    "school_senco": [
        "Give attainment with dates, and the support already in place and how well it worked.",
        "Recommend special educational provision that is specific and quantified: "
        "'a teaching assistant, 3 sessions of 20 minutes a week, 1:1', not 'regular support'.",
    ],
    "educational_psychologist": [
        "Describe how the child learns: their cognitive and emotional profile, with evidence.",
        "Recommend outcomes that are specific and time-bound, and the provision to reach them.",
    ],
    "speech_language_therapist": [
        "Therapy that educates or trains belongs in Section F: say who delivers it, how often and for how long.",
        "Give assessment results with dates and explain each in plain words.",
    ],
    "social_worker": [
        "Describe social care needs linked to the child's disability, and the services that meet them.",
        "If the family is not known to you, say so briefly: that reply still counts as advice.",
    ],
}


def for_discipline(discipline: str | None) -> list[str]:
    """What good advice contains for this contributor."""
    specific = BY_DISCIPLINE.get(discipline or "", [])
    if discipline in {"parent_carer", "child_young_person"}:
        return specific
    return specific + GENERAL
