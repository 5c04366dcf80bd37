"""Findings on a case: which are open, which the caseworker dismissed and why."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select

from portal.assistant import Finding
from portal.errors import InvalidInput
from portal.models import Case, FindingDismissal, Person, Session
from portal.services import audit


def fingerprint(finding: Finding) -> str:
    """Identifies a finding across recomputations: section, kind and what it quotes."""
    about = finding.quote or finding.message  # absences have no quote
    raw = "\x1f".join([finding.section or "", finding.kind, about])
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class Triaged:
    """Open findings grouped by section, and the dismissals that still apply."""

    open_by_section: dict[str, list[tuple[str, Finding]]]
    dismissed: list[FindingDismissal]

    @property
    def open_count(self) -> int:
        """How many findings are still open."""
        return sum(len(items) for items in self.open_by_section.values())


def triage(session: Session, case: Case, findings: list[Finding]) -> Triaged:
    """Split findings into open ones and those dismissed earlier."""
    dismissals = {
        d.fingerprint: d
        for d in session.scalars(
            select(FindingDismissal).where(FindingDismissal.case_id == case.id)
        )
    }
    grouped: dict[str, list[tuple[str, Finding]]] = {}
    applied: list[FindingDismissal] = []
    for finding in findings:
        key = fingerprint(finding)
        if key in dismissals:
            applied.append(dismissals[key])
            continue
        grouped.setdefault(finding.section or "Plan", []).append((key, finding))
    return Triaged(grouped, applied)


def dismiss(
    session: Session, case: Case, finding: Finding, reason: str, by: Person
) -> FindingDismissal:
    """Record that the caseworker will not act on a finding, and why."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Enter why you are dismissing this check.")
    if len(reason) > 2000:
        raise InvalidInput("The reason must be 2,000 characters or fewer.")
    dismissal = FindingDismissal(
        case_id=case.id,
        fingerprint=fingerprint(finding),
        section=finding.section or "",
        kind=finding.kind,
        quote=finding.quote,
        message=finding.message,
        reason=reason,
        dismissed_by_id=by.id,
    )
    session.add(dismissal)
    audit.record(
        session,
        "finding.dismissed",
        actor=by,
        case=case,
        section=finding.section,
        kind=finding.kind,
        reason=reason,
    )
    return dismissal
