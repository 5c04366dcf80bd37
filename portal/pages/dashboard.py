"""Home: the caseworker's dashboard and the contributor's "what I am asked to write"."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from auth import access, policy
from auth.sessions import login_required, signed_in_person
from portal import guidance
from portal.extensions import db
from portal.services import cases, documents

bp = Blueprint("pages", __name__)


@bp.get("/")
@login_required
def home() -> str | Response:
    """Cases the person manages, sorted by urgency, and what they are asked to write."""
    person = signed_in_person()
    today = date.today()
    managed, contributing = [], []
    for case, membership in cases.cases_for(db.session, person):
        if policy.manages_case(access.member_facts(membership)):
            docs = cases.case_documents(db.session, case)
            managed.append((case, cases.position(case, docs, today)))
        else:
            asked = documents.advice_of(db.session, membership)
            contributing.append((case, membership, asked))
    sort = request.args.get("sort", "urgency")
    if sort == "name":
        managed.sort(key=lambda item: item[0].child_name.lower())
    else:
        managed.sort(key=lambda item: cases.urgency_key(item[1]))
    submitted = documents.submitted_since_seen(db.session, [c.id for c, _ in managed])
    return render_template(
        "home.html",
        managed=managed,
        contributing=contributing,
        submitted=submitted,
        sort=sort,
        today=today,
        guidance_for=guidance.for_discipline,
    )


@bp.get("/health")
def health() -> dict[str, str]:
    """For load balancers: the app is up and the database answers."""
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
