"""What each person is asked to write, and the words pages use for each of them.

Checked against domain/EHCP.md: Section F items are specified and quantified
(Q2), outcomes are SMART and describe a benefit to the child, not a service
(Q3), and the family's views feed Section A.
Role wording lives here, not in templates: a parent reads "your views" and
"Please finish by", a caseworker or professional reads "advice" and "Due".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

CHILD = "child_young_person"
PARENT = "parent_carer"
FAMILY_DISCIPLINES = frozenset({CHILD, PARENT})
FAMILY_ROLES = frozenset({"parent", "young_person"})

GENERAL = [
    "Say what the child can do as well as what they find hard. Describe what "
    "they do, not a label.",
    "Give current levels with dates, for example a test score and when it was taken.",
    "Describe each piece of help exactly: what will happen, who gives it and "
    "their training, how often and for how long, the group size, and who checks "
    "it and when.",
    "Say what difference the help should make, and by when. An outcome is "
    "something the child will be able to do, not a service they receive.",
    "Explain any technical word or abbreviation the first time you use it.",
]

HEALTH = [
    "Describe the health needs linked to the child's special educational needs "
    "or disability, and the health provision that meets each one.",
    "Therapy that educates or trains the child is special educational provision "
    "(Section F): say who delivers it, how often and for how long.",
]

BY_DISCIPLINE: dict[str, list[str]] = {
    PARENT: [
        "Tell us about your child: what they enjoy, what they are good at and "
        "what matters to them.",
        "Tell us how your child communicates, and how they like to be involved "
        "in decisions about them.",
        "Tell us what they find hard at home and at school, and what helps.",
        "Tell us what you hope for, now and in the future.",
        "Write in your own words. There are no wrong answers, and you can change "
        "it until you send it.",
    ],
    CHILD: [
        "Write about you: what you like, what you are good at, and what you "
        "want to do.",
        "Tell us what is hard for you, and what helps you.",
        "You can write, add pictures, or ask a grown-up to write down what you say.",
    ],
    "school_senco": [
        "Give attainment with dates, and the support already in place and how "
        "well it worked.",
        "Recommend special educational provision that is specific and quantified: "
        "'a teaching assistant, 3 sessions of 20 minutes a week, 1:1', not "
        "'regular support'.",
    ],
    "educational_psychologist": [
        "Describe how the child learns: their cognitive and emotional profile, "
        "with evidence.",
        "Recommend outcomes that are specific and time-bound, and the provision "
        "to reach them.",
    ],
    "speech_language_therapist": [
        "Speech and language therapy normally goes in Section F: say who "
        "delivers it, how often and for how long.",
        "Give assessment results with dates and explain each in plain words.",
    ],
    "occupational_therapist": HEALTH,
    "physiotherapist": HEALTH,
    "paediatrician": HEALTH[:1],
    "camhs_clinician": HEALTH[:1],
    "school_nurse": HEALTH[:1],
    "audiologist": HEALTH[:1],
    "social_worker": [
        "Describe social care needs linked to the child's special educational "
        "needs or disability, and the services that meet them.",
        "If the family is not known to you, say so briefly: that reply still "
        "counts as advice.",
    ],
    "pfa_adviser": [
        "From Year 9, recommend outcomes and provision for adult life: work and "
        "study, living independently, friends and community, and good health.",
    ],
}


def for_discipline(discipline: str | None) -> list[str]:
    """What good advice contains for this contributor; families get their own list."""
    specific = BY_DISCIPLINE.get(discipline or "", [])
    if discipline in FAMILY_DISCIPLINES:
        return specific
    return specific + GENERAL


class Prompt(TypedDict):
    """A heading the child may write under, with sentence starters in their voice."""

    heading: str
    starters: list[str]


ALL_ABOUT_ME_PROMPTS: list[Prompt] = [
    {"heading": "What I like", "starters": ["I like …", "I feel happy when …"]},
    {
        "heading": "What I'm good at",
        "starters": ["I am good at …", "People say I am good at …"],
    },
    {
        "heading": "What I find hard",
        "starters": ["I find it hard when …", "I feel worried when …"],
    },
    {
        "heading": "What helps me",
        "starters": ["It helps me when …", "I like it when grown-ups …"],
    },
    {
        "heading": "What I want to do when I'm older",
        "starters": ["When I'm older I want to …", "One day I would like to …"],
    },
]

IMAGE_ALT_LABEL = "What is in your picture?"
CHILD_EDITOR_LABEL = "Write about you"
CHILD_EDITOR_HINT = (
    "It saves by itself as you go. Use the buttons to make words bold, "
    "make a list or add a picture."
)
IMAGE_ALT_HINT = "For example: me and my dog at the park"


@dataclass(frozen=True)
class Words:
    """What a page calls a person's part and its steps, in words for that person."""

    audience: str  # "child", "family" or "staff"
    guidance_heading: str
    submit_button: str
    submit_warning: str
    submitted: str
    due_label: str = "Please finish by"
    author_label: str = "Written by"
    sent_status: str = "Sent"
    no_versions: str = "No copies kept yet. A copy is kept each time it is sent."

    def version(self, label: str) -> str:
        """A version's label as this reader says it: families send, not submit."""
        if self.audience != "staff" and label == "Advice submitted":
            return "Sent"
        return label


def first_name(full_name: str) -> str:
    """The first word of a name, as families address each other."""
    return full_name.split()[0] if full_name.strip() else full_name


def words_for(discipline: str | None, role: str, caseworker: str | None) -> Words:
    """The words for a document of `discipline` read by someone in `role`.

    Args:
        caseworker: the caseworker's first name, or None to say "the council".
    """
    to = caseworker or "the council"
    if discipline == CHILD:
        return Words(
            audience="child",
            guidance_heading="Ideas for what to write",
            submit_button=f"Send to {to}",
            submit_warning=f"After you send it, you can't change it unless {to} "
            "opens it again.",
            submitted=f"Thank you. You sent All about me to {to}.",
        )
    if role in FAMILY_ROLES:
        return Words(
            audience="family",
            guidance_heading="What to write about",
            submit_button=f"Send your views to {to}",
            submit_warning=f"After you send your views, you can't change them "
            f"unless {to} opens them again.",
            submitted=f"Thank you. Your views have been sent to {to}.",
        )
    return Words(
        audience="staff",
        guidance_heading="What good advice contains",
        submit_button="Submit advice",
        submit_warning="When you submit, you cannot change it unless the "
        "caseworker reopens it.",
        submitted="Your advice has been submitted. The caseworker has been told.",
        due_label="Due",
        author_label="Author",
        sent_status="Submitted",
        no_versions="No versions yet. A version is kept when advice is submitted "
        "or a plan is issued.",
    )


@dataclass(frozen=True)
class CaseWords:
    """The case page's headings for the advice table, for one reader."""

    heading: str = "Advice"
    document: str = "Advice"
    author: str = "Author"
    due: str = "Due"
    sent: str = "Submitted"
    empty: str = "No advice you can see yet."
    sections: str = "Plan sections"


_FAMILY_CASE = {
    "document": "Document",
    "author": "Written by",
    "due": "Please finish by",
    "sent": "Sent",
    "sections": "The plan",
}
CASE_WORDS = {
    "parent": CaseWords(
        heading="Your family's views", empty="Nothing written yet.", **_FAMILY_CASE
    ),
    "young_person": CaseWords(
        heading="Your views", empty="Nothing written yet.", **_FAMILY_CASE
    ),
}


def case_words(role: str) -> CaseWords:
    """The case page's words for someone in `role`; staff get the precise ones."""
    return CASE_WORDS.get(role, CaseWords())


def case_intro(role: str, child_first_name: str, role_label: str) -> str:
    """One line on the dashboard saying how the person takes part in the case."""
    if role == "parent":
        return (
            f"You are helping to write {child_first_name}'s Education, Health and "
            "Care (EHC) plan."
        )
    if role == "young_person":
        return (
            "This is your Education, Health and Care (EHC) plan. You can help write it."
        )
    return f"You are on this case as {role_label}."


def section_a_note(child_first_name: str, role: str) -> str:
    """Tells the family, in plain words, that they co-write Section A."""
    if role == "young_person":
        return (
            "Section A is about your views, interests and hopes. You write it "
            "together with your family and the caseworker."
        )
    return (
        f"Section A is about {child_first_name}'s views, interests and hopes. "
        f"You and {child_first_name} write it together with the caseworker."
    )
