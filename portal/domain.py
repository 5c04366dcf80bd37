"""Domain reference data (advisers, sections, timescales) loaded once, read-only."""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

SECTION_TITLES = {
    "A": "Views, interests and aspirations",
    "B": "Special educational needs",
    "C": "Health needs",
    "D": "Social care needs",
    "E": "Outcomes",
    "F": "Special educational provision",
    "G": "Health provision",
    "H1": "Social care provision (Chronically Sick and Disabled Persons Act)",
    "H2": "Other social care provision",
    "I": "Placement",
    "J": "Personal budget",
    "K": "Advice and information",
}

ROLE_LABELS = {
    "caseworker": "Caseworker",
    "parent": "Parent or carer",
    "young_person": "Child or young person",
    "professional": "Professional",
}

# What each family role writes, as the adviser id used in sections.json.
FAMILY_DISCIPLINES = {"parent": "parent_carer", "young_person": "child_young_person"}


@cache
def load(name: str) -> Any:
    """Parse one of the bundled JSON files in `portal/data`."""
    text = resources.files("portal").joinpath("data", name).read_text("utf-8")
    return json.loads(text)


@cache
def advisers() -> dict[str, dict[str, Any]]:
    """Adviser roles from sections.json, keyed by id (school_senco, …)."""
    return {r["id"]: r for r in load("sections.json")["roles"]}


def professional_disciplines() -> list[tuple[str, str]]:
    """(id, label) of every discipline a professional may have."""
    family = set(FAMILY_DISCIPLINES.values()) | {"caseworker"}
    return [(k, v["label"]) for k, v in advisers().items() if k not in family]


def discipline_label(discipline: str | None) -> str:
    """A readable label for an adviser id; the id itself if unknown."""
    if discipline is None:
        return ""
    return str(advisers().get(discipline, {}).get("label", discipline))


ADVICE_TITLES = {
    "parent_carer": "Parent and carer views",
    "child_young_person": "All about me",
    "school_senco": "Educational advice",
    "educational_psychologist": "Psychological advice",
    "speech_language_therapist": "Speech and language therapy advice",
    "occupational_therapist": "Occupational therapy advice",
    "physiotherapist": "Physiotherapy advice",
    "paediatrician": "Medical advice",
    "camhs_clinician": "Mental health advice",
    "school_nurse": "Health advice from the school nurse",
    "audiologist": "Audiology advice",
    "social_worker": "Social care advice",
    "pfa_adviser": "Preparing for adulthood advice",
    "sensory_teacher": "Sensory teacher advice",
    "specialist_teacher": "Specialist teacher advice",
    "other_professional": "Other advice",
}


def advice_title(discipline: str) -> str:
    """The title of the advice document a discipline is asked to write."""
    return ADVICE_TITLES.get(discipline, f"Advice: {discipline_label(discipline)}")


@cache
def timescales() -> dict[str, dict[str, Any]]:
    """Timescales from timescales.json keyed by id."""
    return {t["id"]: t for t in load("timescales.json")["timescales"]}


def _weeks(timescale_id: str) -> int:
    entry = timescales()[timescale_id]
    if entry["unit"] != "weeks":
        raise ValueError(f"Timescale {timescale_id} is in {entry['unit']}, not weeks.")
    return int(entry["value"])


def statutory_dates(request_date: date) -> dict[str, date]:
    """The key dates that follow from the day the request was received."""
    return {
        "decision_to_assess": request_date
        + timedelta(weeks=_weeks("decision_to_assess")),
        "draft_plan": request_date
        + timedelta(weeks=_weeks("draft_plan_latest_practical")),
        "notify_no_plan": request_date + timedelta(weeks=_weeks("notify_no_plan")),
        "final_plan": request_date + timedelta(weeks=_weeks("final_plan")),
    }


def advice_due_date(asked_on: date) -> date:
    """Advisers reply within the statutory period from the LA's request."""
    return asked_on + timedelta(weeks=_weeks("advice_response"))


STATUTORY_LABELS = {
    "decision_to_assess": "Decide whether to assess",
    "draft_plan": "Draft plan (practical latest)",
    "notify_no_plan": "Tell the family if no plan will be issued",
    "final_plan": "Final plan issued",
}
