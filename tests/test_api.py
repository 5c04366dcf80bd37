"""The JSON API with personal access tokens, tried as an attacker would."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import ApiToken
from tests.factories import Factory


def _token(runner, email: str) -> str:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["token", "create", email])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def _get(client: FlaskClient, url: str, token: str):  # type: ignore[no-untyped-def]
    return client.get(url, headers={"Authorization": f"Bearer {token}"})


def test_token_reads_cases_documents_and_access(
    app: Flask, client: FlaskClient, runner, make: Factory
) -> None:
    case = make.case()
    ep = make.member(case, "professional", discipline="educational_psychologist")
    advice = make.advice(
        case, ep, "educational_psychologist", text="# Advice\n\n3 x 30 minutes."
    )
    token = _token(runner, ep.person.email)
    cases = _get(client, "/api/cases", token).get_json()
    assert [c["id"] for c in cases["cases"]] == [case.id]
    body = _get(client, f"/api/cases/{case.id}", token).get_json()
    docs = {d["id"]: d for d in body["documents"]}
    mine = docs[advice.id]
    assert mine["kind"] == "advice" and mine["discipline"] == "educational_psychologist"
    assert mine["access"] == "edit" and mine["section"] is None
    # Section A is not theirs to read before the draft is shared: not listed.
    assert not any(d["section"] == "A" for d in body["documents"])
    assert {m["role"] for m in body["members"]} == {"caseworker", "professional"}
    doc = _get(client, f"/api/documents/{advice.id}", token).get_json()
    assert doc["text"] == "# Advice\n\n3 x 30 minutes.\n" and doc["status"] == "draft"
    assert doc["versions"] == []


def test_token_use_is_recorded_and_listed(
    runner, client: FlaskClient, make: Factory, dbs: Session
) -> None:
    person = make.person()
    token = _token(runner, person.email)
    row = dbs.scalar(select(ApiToken))
    assert row is not None and row.token_hash != token and row.last_used_at is None
    _get(client, "/api/cases", token)
    listing = runner.invoke(args=["token", "list", person.email]).output
    assert "active" in listing and "last used never" not in listing


def test_bad_missing_and_revoked_tokens_get_401(
    runner, client: FlaskClient, make: Factory, dbs: Session
) -> None:
    person = make.person()
    token = _token(runner, person.email)
    assert client.get("/api/cases").status_code == 401
    assert _get(client, "/api/cases", "ehcp_forged").status_code == 401
    assert _get(client, "/api/cases", token + "x").status_code == 401
    assert _get(client, "/api/cases", "x" * 10_000).status_code == 401
    token_id = dbs.scalar(select(ApiToken.id))
    assert runner.invoke(args=["token", "revoke", str(token_id)]).exit_code == 0
    response = _get(client, "/api/cases", token)
    assert response.status_code == 401
    assert "Bearer" in response.headers["WWW-Authenticate"]


def test_other_cases_and_hidden_documents_are_not_reachable(
    runner, client: FlaskClient, make: Factory
) -> None:
    mine, theirs = make.case(), make.case()
    parent = make.member(mine, "parent")
    ep = make.member(mine, "professional", discipline="educational_psychologist")
    secret = make.advice(mine, ep, "educational_psychologist", text="secret")
    elsewhere = make.advice(theirs, None, "school_senco", text="elsewhere")
    token = _token(runner, parent.person.email)
    assert _get(client, f"/api/cases/{theirs.id}", token).status_code == 404
    assert _get(client, f"/api/documents/{elsewhere.id}", token).status_code == 404
    hidden = _get(client, f"/api/documents/{secret.id}", token)
    assert hidden.status_code == 403 and "secret" not in hidden.get_data(as_text=True)
    assert _get(client, "/api/documents/999999", token).status_code == 404


def test_openapi_describes_the_endpoints(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/cases", "/api/cases/{case_id}", "/api/documents/{doc_id}"} <= set(
        spec["paths"]
    )
