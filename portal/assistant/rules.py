"""The `rules` backend: offline, deterministic and explainable."""

from __future__ import annotations

from portal.assistant.base import CaseMaterial, Finding, Report, Suggestion
from portal.assistant.checks import advice, jargon, outcomes, provision, thread, voice
from portal.assistant.plain_english import plain_english_suggestions
from portal.assistant.readability import ReadingMeasures, reading_measures

_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}
_SECTION_ORDER = ["A", "B", "C", "D", "E", "F", "G", "H", "H1", "H2", "I", "J", "K", ""]


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for f in findings:
        key = (f.section, f.kind, f.quote or f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def run_checks(material: CaseMaterial) -> list[Finding]:
    """Every gap check of domain/EHCP.md §4, in plan order."""
    recs = advice.recommendations(material.advice)
    by_target: dict[str, list[str]] = {}
    for rec in recs:
        by_target.setdefault(rec.target, []).append(rec.text)
    health = thread.check_health_needs(material, by_target.get("G", []))
    care = thread.check_social_care_needs(material, by_target.get("H", []))
    pfa = outcomes.check_preparing_for_adulthood(material, by_target.get("PfA", []))
    # Recommendations already named inside those findings are not repeated.
    folded = {"G"} if health else set()
    folded |= {"H"} if care else set()
    folded |= {"PfA"} if pfa else set()
    findings = [
        *voice.check_child_voice(material),
        *thread.check_needs_have_provision(material),
        *health,
        *care,
        *outcomes.check_outcomes_smart(material),
        *pfa,
        *provision.check_provision_quantified(material),
        *advice.check_recommendations(material, recs, folded),
        *outcomes.check_placement(material),
        *advice.check_advice_complete(material),
        *advice.check_advice_vague(material),
        *jargon.check_acronyms(material),
        *jargon.check_technical_terms(material),
    ]
    order = {k: i for i, k in enumerate(_SECTION_ORDER)}
    findings = _dedupe(findings)
    return sorted(
        findings,
        key=lambda f: (order.get(f.section, 99), _SEVERITY_ORDER.get(f.severity, 9)),
    )


def section_measures(material: CaseMaterial) -> dict[str, ReadingMeasures]:
    """Reading measures for each plan section."""
    return {key: reading_measures(text) for key, text in material.sections.items()}


class RuleBasedAssistant:
    """Plain-English suggestions and gap findings from word lists and rules."""

    name = "rules"

    def __init__(self, settings: object | None = None) -> None:
        self.settings = settings

    def suggest(self, text: str, *, section: str | None = None) -> list[Suggestion]:
        """Plain-English suggestions with offsets into `text`."""
        return plain_english_suggestions(text)

    def check(self, material: CaseMaterial) -> list[Finding]:
        """Gap findings for the whole case."""
        return run_checks(material)

    def suggest_report(
        self,
        text: str,
        *,
        section: str | None = None,
        material: CaseMaterial | None = None,
    ) -> Report:
        """Suggestions plus the text's reading measures (`material` is unused:
        nothing leaves the server, so there is nothing to redact)."""
        report = Report(
            suggestions=self.suggest(text, section=section), backend=self.name
        )
        report.measures = {section or "text": reading_measures(text)}
        return report

    def check_report(self, material: CaseMaterial) -> Report:
        """Findings plus reading measures per section."""
        report = Report(findings=self.check(material), backend=self.name)
        report.measures = section_measures(material)
        return report
