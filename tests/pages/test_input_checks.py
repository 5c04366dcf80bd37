"""Input the security review found unchecked: invitation email addresses, and
case folders given to `flask import-case`."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auth.invitations import InvitationRequest, create_invitation
from portal.errors import InvalidInput
from portal.models import Case, Document, Invitation
from tests.browserlike import Browser
from tests.factories import Factory

DEMO_FOLDER = Path(__file__).resolve().parents[2] / "portal" / "demo" / "case"
FORMAT = "Enter an email address in the correct format, like name@example.org."


@pytest.mark.parametrize(
    "email",
    [
        "a@x.org\r\nBcc: b@evil.example",
        "a@x.org\nb@evil.example",
        "a@x.org,b@evil.example",
        "a@x.org;b@evil.example",
        "a b@x.org",
        "Ana <a@x.org>",
        "a@x",
        "@x.org",
        "a@",
        "a@@x.org",
        "a@x.org\x00",
    ],
)
def test_a_malformed_invitation_address_is_refused_and_nothing_is_kept(
    browser: Browser, make: Factory, dbs: Session, email: str
) -> None:
    case = make.case()
    browser.sign_in(case.memberships[0].person.email)
    response = browser.post(
        f"/cases/{case.id}/invite", {"email": email, "role": "parent"}
    )
    assert response.status_code == 200
    assert FORMAT in response.get_data(as_text=True)
    assert dbs.scalar(select(func.count(Invitation.id))) == 0
    documents = select(func.count(Document.id)).where(Document.kind == "advice")
    assert dbs.scalar(documents) == 0


def test_the_invitation_service_refuses_a_malformed_address_too(
    dbs: Session, make: Factory
) -> None:
    case = make.case()
    request = InvitationRequest("a@x.org,b@evil.example", "parent")
    with pytest.raises(InvalidInput, match="correct format"):
        create_invitation(dbs, case, request, case.memberships[0].person, date.today())
    dbs.rollback()
    assert (
        dbs.scalar(select(func.count(Document.id)).where(Document.kind == "advice"))
        == 0
    )


def test_a_good_address_is_kept_in_its_normal_form(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case = make.case()
    browser.sign_in(case.memberships[0].person.email)
    response = browser.post(
        f"/cases/{case.id}/invite",
        {"email": " Ana.Smith@Example.ORG ", "role": "parent"},
    )
    assert response.status_code == 200
    assert dbs.scalar(select(Invitation.email)) == "ana.smith@example.org"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "case"
    shutil.copytree(DEMO_FOLDER, folder)
    return folder


@pytest.mark.parametrize(
    "link",
    ["advice/99_secrets.md", "draft_plan.md", "photos/inner/link", "case.json"],
)
def test_import_refuses_a_folder_holding_a_symbolic_link(
    runner, dbs: Session, tmp_path: Path, link: str
) -> None:
    runner.invoke(args=["demo"])
    before = dbs.scalar(select(func.count(Case.id)))
    folder = _folder(tmp_path)
    secret = tmp_path / "secret.md"
    secret.write_text("---\nrole: x\nreg6: y\n---\nSECRET FROM OUTSIDE\n")
    target = folder / link
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    target.symlink_to(secret)
    result = runner.invoke(args=["import-case", str(folder)])
    assert result.exit_code != 0
    assert f"{link} is a symbolic link" in result.output
    assert "Nothing was imported." in result.output
    assert dbs.scalar(select(func.count(Case.id))) == before


def test_import_refuses_a_folder_that_is_itself_a_link(runner, tmp_path: Path) -> None:
    runner.invoke(args=["demo"])
    link = tmp_path / "linked"
    link.symlink_to(_folder(tmp_path))
    result = runner.invoke(args=["import-case", str(link)])
    assert result.exit_code != 0 and "is a symbolic link" in result.output


def test_import_refuses_a_reference_that_already_exists(
    runner, dbs: Session, tmp_path: Path
) -> None:
    runner.invoke(args=["demo"])
    folder = _folder(tmp_path)
    case_json = folder / "case.json"
    case_json.write_text(case_json.read_text().replace('"case_id"', '"ignored"', 1))
    first = runner.invoke(args=["import-case", str(folder)])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["import-case", str(folder)])
    assert second.exit_code != 0
    assert f"A case with reference {folder.name} already exists" in second.output
    assert (
        dbs.scalar(select(func.count(Case.id)).where(Case.la_reference == folder.name))
        == 1
    )
