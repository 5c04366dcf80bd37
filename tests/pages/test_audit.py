"""The audit trail page: paging, filters, plain words and the CSV download."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Case, Person
from tests.browserlike import Browser
from tests.factories import Factory

START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def add_decisions(
    dbs: Session, case: Case, actor: Person, count: int, *, kind: str = "rejected"
) -> None:
    """`count` suggestion decisions, one a day from START, tagged n0, n1 …"""
    dbs.add_all(
        AuditEvent(
            action=f"suggestion.{kind}",
            actor_id=actor.id,
            case_id=case.id,
            detail={"original": f"n{i}", "rule": "plain_words"},
            created_at=START + timedelta(days=i),
        )
        for i in range(count)
    )
    dbs.commit()


def tags(page: str) -> list[str]:
    return re.findall(r"\bn\d+\b", page)


def trail_of(make: Factory, dbs: Session) -> tuple[Case, Person, Person]:
    case = make.case()
    reader = make.member(case, "professional", discipline="school_senco").person
    other = make.member(case, "parent").person
    return case, reader, other


def test_510_events_page_50_at_a_time_newest_first(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case, reader, _ = trail_of(make, dbs)
    add_decisions(dbs, case, reader, 510)
    total = dbs.scalar(select(func.count()).where(AuditEvent.case_id == case.id))
    browser.sign_in(case.memberships[0].person.email)
    first = browser.text(f"/cases/{case.id}/audit")
    assert "govuk-pagination" in first and "?page=2" in first
    assert f"{total} events" in first
    seen: list[str] = []
    pages = -(-total // 50)
    for page in range(1, pages + 1):
        text = browser.text(f"/cases/{case.id}/audit?page={page}")
        rows = text.count('<tr class="govuk-table__row">') - 1  # the header row
        assert rows == (50 if page < pages else total - 50 * (pages - 1))
        seen += tags(text)
    assert seen == [f"n{i}" for i in reversed(range(510))]
    assert '<td class="govuk-table__cell">Rejected a suggestion</td>' in first
    assert ">suggestion.rejected<" not in first
    assert browser.get(f"/cases/{case.id}/audit?page={pages + 1}").status_code == 404
    assert browser.get(f"/cases/{case.id}/audit?page=x").status_code == 404


def test_each_filter_narrows_the_trail(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case, reader, other = trail_of(make, dbs)
    add_decisions(dbs, case, reader, 10)
    add_decisions(dbs, case, other, 3, kind="accepted")
    browser.sign_in(case.memberships[0].person.email)
    url = f"/cases/{case.id}/audit"
    assert len(tags(browser.text(f"{url}?who={other.id}"))) == 3
    assert len(tags(browser.text(f"{url}?what=suggestion.rejected"))) == 10
    dated = "from-day=3&from-month=3&from-year=2025&to-day=5&to-month=3&to-year=2025"
    assert sorted(tags(browser.text(f"{url}?{dated}"))) == ["n2", "n2", "n3", "n4"]
    both = browser.text(f"{url}?{dated}&who={reader.id}&what=suggestion.rejected")
    assert sorted(tags(both)) == ["n2", "n3", "n4"]
    bad = browser.get(f"{url}?from-day=31&from-month=2&from-year=2025")
    assert bad.status_code == 400 and "must be a real date" in bad.get_data(True)


def test_the_csv_has_every_filtered_row_and_no_formulas(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case, reader, other = trail_of(make, dbs)
    reader.name = "=cmd|' /C calc'!A0"
    add_decisions(dbs, case, reader, 120)
    add_decisions(dbs, case, other, 5, kind="accepted")
    dbs.add(
        AuditEvent(
            action="suggestion.rejected",
            actor_id=reader.id,
            case_id=case.id,
            detail={'@SUM(1+1)*cmd|"/C calc"!A0': "x", "rule": "+x"},
        )
    )
    dbs.commit()
    browser.sign_in(case.memberships[0].person.email)
    response = browser.get(f"/cases/{case.id}/audit.csv?what=suggestion.rejected")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 121
    assert {r["What"] for r in rows} == {"Rejected a suggestion"}
    for row in rows:
        for cell in row.values():
            assert not cell or cell[0] not in "=+-@\t\r", row
    assert rows[0]["Who"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["Details"].startswith("'@SUM(1+1)")
    downloaded = dbs.scalars(
        select(AuditEvent).where(AuditEvent.action == "audit.downloaded")
    ).all()
    assert len(downloaded) == 1 and downloaded[0].detail["rows"] == 121
    assert downloaded[0].detail["what"] == "suggestion.rejected"
    assert "Downloaded the audit trail" in browser.text(f"/cases/{case.id}/audit")


def test_a_parent_cannot_see_or_download_the_trail(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case, reader, other = trail_of(make, dbs)
    add_decisions(dbs, case, reader, 3)
    browser.sign_in(other.email)
    assert browser.get(f"/cases/{case.id}/audit").status_code == 403
    download = browser.get(f"/cases/{case.id}/audit.csv")
    assert download.status_code == 403 and "n1" not in download.get_data(True)
    outsider = make.person()
    browser.sign_out()
    browser.sign_in(outsider.email)
    assert browser.get(f"/cases/{case.id}/audit.csv").status_code == 404
    assert not dbs.scalar(
        select(func.count()).where(AuditEvent.action == "audit.downloaded")
    )
