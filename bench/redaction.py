"""Count the people's names that reach a model, on the shared example cases.

Run: .venv/bin/python bench/redaction.py [CASE_DIR ...]
Every section and every advice document is sent for rewrites, and the whole
plan with its advice for the advice check, to the fake chat-completions server
the tests use. The names below were read off each case by hand (child,
family, friends, staff, advisers); a name is counted wherever it appears as a
whole word in any letter case. Goal: nothing slips through but names no list
of the case or title could reveal (friends and siblings named alone).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from portal.assistant import AssistantSettings, CaseMaterial  # noqa: E402
from portal.assistant.openai_backend import OpenAIAssistant  # noqa: E402
from portal.casefolder import load_case_folder  # noqa: E402
from tests.assistant.fake_openai import FakeOpenAI  # noqa: E402

EXAMPLES = Path("/work/shared/examples")
NAMES = {
    "example01": "Maisie Thornbury Tom Healey Claire Jo Kerr Helen Okafor Sian Maddox "
    "Rachel Dunmore Priya Chandran Ava Leo",
    "example02": "Callum Ashdown Mark Daniel Ferris Fiona Lacey Owen Pritchard "
    "Bernadette Quinn Sunita Varma Jade Rowe Ellis",
}


def sent_to_model(material: CaseMaterial) -> list[str]:
    """The user messages the openai backend sends for every text of the case."""
    with FakeOpenAI() as server:
        backend = OpenAIAssistant(
            AssistantSettings(
                base_url=server.base_url, api_key="k", model="m", max_retries=0
            )
        )
        for section, text in material.sections.items():
            backend.suggest_report(text, section=section, material=material)
        for advice in material.advice:
            backend.suggest_report(advice.text, material=material)
        backend.check_report(material)
        return [r["body"]["messages"][-1]["content"] for r in server.requests]


def count(names: list[str], texts: list[str]) -> dict[str, int]:
    """Whole-word, any-case occurrences of each name in the texts."""
    return {n: sum(len(re.findall(rf"\b{n}\b", t, re.I)) for t in texts) for n in names}


def main(case_dirs: list[Path]) -> None:
    """Print, per case, the name occurrences in the input and in what was sent."""
    for case_dir in case_dirs:
        names = NAMES[case_dir.name].split()
        material = CaseMaterial.from_case_folder(load_case_folder(case_dir))
        inputs = list(material.sections.values()) + [a.text for a in material.advice]
        # The same texts are sent once for rewrites and once for the check.
        before = sum(count(names, inputs).values()) * 2
        slipped = {n: c for n, c in count(names, sent_to_model(material)).items() if c}
        print(
            f"{case_dir.name}: {before} name occurrences sent, "
            f"{sum(slipped.values())} unredacted {json.dumps(slipped)}"
        )


if __name__ == "__main__":
    main([Path(p) for p in sys.argv[1:]] or sorted(EXAMPLES.glob("example*")))
