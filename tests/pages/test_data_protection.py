"""Data-protection requests: export everything held about a case as a ZIP,
erase a case and every row of it, close cases and list those due for erasure;
who may do each (the caseworker and admins only)."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Base, Case, Person, utcnow
from tests.browserlike import Browser
from tests.factories import PASSWORD, Factory
from tests.full_case import ADVICE, build

# Rows that belong to people, not cases: erasing a case leaves them.
PEOPLE_TABLES = {"person", "sign_in", "api_token", "password_reset"}


def admin(make: Factory, dbs: Session) -> Person:
    person = make.person(name="Ada Admin")
    person.is_admin = True
    dbs.commit()
    return person


def table_counts(dbs: Session) -> dict[str, int]:
    """Rows per table; of the audit, those on a case (signing in is on none)."""
    counts = {
        t.name: dbs.scalar(select(func.count()).select_from(t)) or 0
        for t in Base.metadata.sorted_tables
    }
    counts["audit_event"] = (
        dbs.scalar(select(func.count()).where(AuditEvent.case_id.is_not(None))) or 0
    )
    return counts


def exists(dbs: Session, case_id: int) -> bool:
    return bool(dbs.scalar(select(func.count()).where(Case.id == case_id)))


def unzip(body: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {
            name.split("/", 1)[1]: archive.read(name) for name in archive.namelist()
        }


def export(browser: Browser, case: Case) -> dict[str, bytes]:
    response = browser.post(f"/cases/{case.id}/export", {})
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "no-store" in response.headers["Cache-Control"]
    return unzip(response.data)


def test_the_export_holds_documents_versions_attachments_case_and_audit(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    full = build(make, dbs)
    browser.sign_in(full.caseworker.email)
    files = export(browser, full.case)
    case_json = json.loads(files["case.json"])
    assert case_json["child_name"] == "Ruby Ashworth"
    assert {m["email"] for m in case_json["members"]} >= {
        full.parent.email,
        full.therapist.email,
    }
    assert [i["email"] for i in case_json["invitations"]] == ["school@example.org"]
    assert "token" not in json.dumps(case_json["invitations"])
    docs = json.loads(files["documents.json"])
    advice = next(d for d in docs if d["kind"] == "advice")
    assert ADVICE in files[advice["file"]].decode()
    assert len([d for d in docs if d["kind"] == "plan_section"]) == 12
    versions = json.loads(files["versions.json"])
    assert versions and ADVICE in files[versions[0]["file"]].decode()
    attachments = json.loads(files["attachments.json"])
    kinds = {a["file"].rsplit(".", 1)[-1] for a in attachments}
    assert kinds == {"jpg", "ogg"}  # pictures are re-encoded
    assert files[attachments[0]["file"]][:4] in (b"\xff\xd8\xff\xe0", b"OggS")
    assert json.loads(files["plan-passages.json"])[0]["section"] == "F"
    assert json.loads(files["dismissed-checks.json"])[0]["reason"]
    note, reply = json.loads(files["comments.json"])
    assert note["text"] == "Ruby says this too." and note["by"] == full.parent.name
    assert note["document"] == advice["file"].rsplit("/", 1)[-1].removesuffix(".md")
    assert reply["reply_to"] == note["id"] and reply["text"] == "Noted."
    trail = list(csv.reader(io.StringIO(files["audit.csv"].decode())))
    assert trail[0][:3] == ["When (UTC)", "Who", "What"]
    whats = {row[2] for row in trail[1:]}
    assert {"Opened the case", "Submitted advice", "Changed a document"} <= whats
    assert len(json.loads(files["audit.json"])) == len(trail) - 1
    recorded = dbs.scalars(
        select(AuditEvent).where(
            AuditEvent.case_id == full.case.id, AuditEvent.action == "case.exported"
        )
    ).all()
    assert [e.actor_id for e in recorded] == [full.caseworker.id]


def test_erasing_removes_every_row_of_the_case_and_nothing_else(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    kept = build(make, dbs, child_name="Kept Child")
    before = table_counts(dbs)
    doomed = build(make, dbs, child_name="Zebedee Quill")
    built = table_counts(dbs)
    for table in (
        "document",
        "doc_update",
        "doc_snapshot",
        "version",
        "document_image",
        "document_recording",
        "excerpt",
        "draft_proposal",
        "finding_dismissal",
        "comment",
        "invitation",
        "membership",
        "audit_event",
    ):
        assert built[table] > before[table], f"the case has no {table} rows to erase"
    browser.sign_in(doomed.caseworker.email)
    page = browser.post(
        f"/cases/{doomed.case.id}/erase",
        {"reference": doomed.case.la_reference, "password": PASSWORD},
        follow_redirects=True,
    )
    assert page.status_code == 200
    assert f"Case {doomed.case.la_reference} and everything held" in page.get_data(
        as_text=True
    )
    after = table_counts(dbs)
    for name, count in after.items():
        if name in PEOPLE_TABLES:
            continue
        assert count == before[name], f"{name}: {count} rows, not {before[name]}"
    assert exists(dbs, kept.case.id)
    assert browser.get(f"/cases/{doomed.case.id}").status_code == 404
    record = dbs.scalars(
        select(AuditEvent).where(AuditEvent.action == "case.erased")
    ).one()
    assert record.case_id is None and record.actor_id == doomed.caseworker.id
    assert record.detail["reference"] == doomed.case.la_reference
    # Nothing anywhere still names the child.
    for table in Base.metadata.sorted_tables:
        for row in dbs.execute(select(table)).all():
            assert "Zebedee" not in str(row), table.name


def test_erasing_needs_the_reference(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case = make.case()
    browser.sign_in(case.memberships[0].person.email)
    response = browser.post(f"/cases/{case.id}/erase", {"reference": "WRONG-1"})
    assert response.status_code == 400
    assert "Type the case reference" in response.get_data(as_text=True)
    assert exists(dbs, case.id)
    refused = dbs.scalar(
        select(func.count()).where(AuditEvent.action == "case.erasure_refused")
    )
    assert refused == 1


def test_erasing_asks_who_it_is_after_a_while(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case = make.case()
    browser.sign_in(case.memberships[0].person.email)
    with browser.client.session_transaction() as session:
        session["auth_at"] = time.time() - 6 * 60  # signed in six minutes ago
    response = browser.post(f"/cases/{case.id}/erase", {"reference": case.la_reference})
    assert response.status_code == 302
    assert "/confirm-its-you" in response.headers["Location"]
    assert exists(dbs, case.id)


@pytest.mark.parametrize("role", ["parent", "young_person", "professional"])
def test_other_members_cannot_read_the_audit_export_or_erase(
    browser: Browser, make: Factory, dbs: Session, role: str
) -> None:
    case = make.case()
    member = make.member(case, role).person
    browser.sign_in(member.email)
    assert browser.get(f"/cases/{case.id}/audit").status_code == 403
    assert browser.get(f"/cases/{case.id}/audit.csv").status_code == 403
    assert browser.get(f"/cases/{case.id}/records").status_code == 403
    assert browser.post(f"/cases/{case.id}/export", {}).status_code == 403
    assert browser.get(f"/cases/{case.id}/erase").status_code == 403
    erase = {"reference": case.la_reference, "password": PASSWORD}
    assert browser.post(f"/cases/{case.id}/erase", erase).status_code == 403
    assert browser.post(f"/cases/{case.id}/close", {}).status_code == 403
    assert browser.get("/admin/cases").status_code == 404
    assert exists(dbs, case.id)


def test_a_stranger_finds_nothing(browser: Browser, make: Factory) -> None:
    case = make.case()
    browser.sign_in(make.person(staff=True).email)
    for url in ("audit", "audit.csv", "records", "erase"):
        assert browser.get(f"/cases/{case.id}/{url}").status_code == 404
    assert browser.post(f"/cases/{case.id}/export", {}).status_code == 404


def test_an_admin_reads_exports_and_erases_a_case_they_are_not_on(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    full = build(make, dbs)
    ada = admin(make, dbs)
    browser.sign_in(ada.email)
    listing = browser.text("/admin/cases")
    assert full.case.la_reference in listing and "Ruby" not in listing
    trail = browser.text(f"/cases/{full.case.id}/audit")
    assert "Read the case for the first time" in trail and "Ada Admin" in trail
    assert browser.get(f"/cases/{full.case.id}/audit.csv").status_code == 200
    assert "case.json" in export(browser, full.case)
    response = browser.post(
        f"/cases/{full.case.id}/erase",
        {"reference": full.case.la_reference, "password": PASSWORD},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert response.request.path == "/admin/cases"
    assert full.case.la_reference in page and "No case has been erased" not in page
    assert not exists(dbs, full.case.id)


def test_closing_starts_retention_and_the_report_lists_cases_past_it(
    browser: Browser, make: Factory, dbs: Session, runner: object
) -> None:
    old, recent, open_case = make.case(), make.case(), make.case()
    old.status = "amending"
    dbs.commit()
    browser.sign_in(old.memberships[0].person.email)
    page = browser.post(f"/cases/{old.id}/close", {}, follow_redirects=True)
    assert "The case is closed. It will be due for erasure in 2555 days" in (
        page.get_data(as_text=True)
    )
    dbs.refresh(old)
    assert old.status == "closed" and old.closed_at is not None
    # Closed long ago (the retention period is 7 years by default).
    dbs.execute(
        text('UPDATE "case" SET closed_at = :t WHERE id = :id'),
        {"t": (utcnow() - timedelta(days=8 * 365)).replace(tzinfo=None), "id": old.id},
    )
    recent.status, recent.closed_at = "closed", utcnow() - timedelta(days=30)
    dbs.commit()
    result = runner.invoke(args=["retention-report"])  # type: ignore[attr-defined]
    assert result.exit_code == 0
    assert old.la_reference in result.output
    assert recent.la_reference not in result.output
    assert open_case.la_reference not in result.output
    reopened = browser.post(
        f"/cases/{old.id}/close", {"closed": "no"}, follow_redirects=True
    )
    assert "The case is open again." in reopened.get_data(as_text=True)
    dbs.refresh(old)
    assert old.status == "amending" and old.closed_at is None
    actions = dbs.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.case_id == old.id)
        .order_by(AuditEvent.id)
    ).all()
    assert actions[-2:] == ["case.closed", "case.reopened"]
    result = runner.invoke(args=["retention-report"])  # type: ignore[attr-defined]
    assert "No closed case has been kept longer than 2555 days." in result.output


def test_make_admin_gives_and_takes_the_role(
    make: Factory, dbs: Session, runner: object
) -> None:
    person = make.person()
    result = runner.invoke(args=["make-admin", person.email])  # type: ignore[attr-defined]
    assert result.exit_code == 0 and "now an admin" in result.output
    dbs.refresh(person)
    assert person.is_admin
    runner.invoke(args=["make-admin", person.email, "--revoke"])  # type: ignore[attr-defined]
    dbs.refresh(person)
    assert not person.is_admin
    missing = runner.invoke(args=["make-admin", "nobody@example.org"])  # type: ignore[attr-defined]
    assert missing.exit_code != 0 and "No account uses" in missing.output
