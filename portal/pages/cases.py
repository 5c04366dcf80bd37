"""Creating a case, the case page, inviting people and members."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from auth import access, policy, throttle
from auth.invitations import (
    InvitationRequest,
    create_invitation,
    normal_email,
    pending_invitations,
)
from auth.sessions import login_required, signed_in_person
from portal import domain, guidance
from portal.assistant import Finding, get_assistant
from portal.config import Settings
from portal.doclog import quarantine
from portal.errors import InvalidInput
from portal.extensions import db
from portal.models import Case, Document, Invitation, Membership, utcnow
from portal.pages import forms
from portal.pages.documents import page_of
from portal.services import (
    audit,
    cases,
    documents,
    findings,
    mail,
    notify,
    plan_stages,
    review,
    timeline,
)

bp = Blueprint("cases", __name__, url_prefix="/cases")

YEAR_GROUPS = [str(n) for n in range(0, 15)]


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> str | Response:
    """Open a case (local authority staff only)."""
    person = signed_in_person()
    if not policy.can_open_cases(person.is_staff):
        abort(403)
    errors = forms.FormErrors()
    values = request.form
    if request.method == "POST":
        today = date.today()
        child_name = forms.text(
            values, "child_name", errors, label="the child's full name"
        )
        dob = forms.date_field(
            values,
            "dob",
            errors,
            label="the date of birth",
            not_future=True,
            today=today,
        )
        year = forms.choice(
            values,
            "year_group",
            YEAR_GROUPS + ["none"],
            errors,
            message="Select the child's year group.",
        )
        setting = forms.text(
            values, "setting", errors, label="the school or setting", required=False
        )
        reference = forms.text(
            values,
            "la_reference",
            errors,
            label="the local authority reference",
            max_length=50,
        )
        requested = forms.date_field(
            values,
            "request_date",
            errors,
            label="the date the request was received",
            not_future=True,
            today=today,
        )
        if not errors and requested is not None:
            case = cases.create_case(
                db.session,
                cases.CaseDetails(
                    child_name=child_name,
                    child_date_of_birth=dob,
                    year_group=None if year in (None, "none") else int(year),
                    setting=setting,
                    la_reference=reference,
                    request_date=requested,
                ),
                person,
            )
            db.session.commit()
            flash("Case created. Now invite the family and the professionals.")
            return redirect(url_for("cases.case", case_id=case.id))
    return render_template(
        "cases/new.html", errors=errors, values=values, year_groups=YEAR_GROUPS
    )


@bp.get("/<int:case_id>")
@login_required
def case(case_id: int) -> str:
    """Child summary, timeline, members, advice and plan sections."""
    person = signed_in_person()
    the_case, membership = access.require_case(db.session, person, case_id)
    if audit.note_first_read(
        db.session, the_case, person, membership, request.remote_addr
    ):
        db.session.commit()
    member = access.member_facts(membership)
    today = date.today()
    docs = cases.case_documents(db.session, the_case)
    visible = [
        (d, policy.document_access(member, access.doc_facts(d, the_case))) for d in docs
    ]
    visible = [(d, a) for d, a in visible if a > policy.Access.NONE]
    is_caseworker = policy.can_on_case(member, "manage")
    checks = None
    if policy.can_on_case(member, "view_findings"):
        found = _rule_findings(the_case, membership, today)
        checks = findings.triage(db.session, the_case, found)
    set_aside: list[tuple[Document, int]] = []
    if is_caseworker:  # after the checks, which load (and check) every document
        counts = quarantine.set_aside_counts(db.session, the_case.id)
        set_aside = [(d, counts[d.id]) for d in docs if d.id in counts]
    parents = [m for m in the_case.memberships if m.role == "parent"]
    return render_template(
        "cases/show.html",
        case=the_case,
        membership=membership,
        is_caseworker=is_caseworker,
        words=guidance.case_words(membership.role),
        parents=parents,
        can_ask_parent=bool(parents) and not _child_pages(docs),
        advice=[(d, a) for d, a in visible if d.kind == "advice"],
        sections=[(d, a) for d, a in visible if d.kind == "plan_section"],
        can_download_plan=access.may_download_plan(db.session, membership, the_case),
        members=sorted(
            the_case.memberships, key=lambda m: (m.role != "caseworker", m.id)
        ),
        pending=pending_invitations(db.session, the_case) if is_caseworker else [],
        now=utcnow(),
        position=cases.position(the_case, docs, today),
        line=timeline.build(the_case, docs, today).only({d.id for d, _ in visible}),
        is_family=membership.role in guidance.FAMILY_ROLES,
        family_labels=timeline.FAMILY_LABELS,
        dates=domain.statutory_dates(the_case.request_date),
        labels=domain.STATUTORY_LABELS,
        today=today,
        stage=plan_stages.STAGE_LABELS.get(the_case.status, the_case.status),
        comment_period=plan_stages.comment_period(the_case),
        checks=checks,
        set_aside=set_aside,
    )


def _child_pages(docs: list[Document]) -> list[Document]:
    return [d for d in docs if d.discipline == guidance.CHILD]


@bp.post("/<int:case_id>/all-about-me")
@login_required
def ask_parent_for_all_about_me(case_id: int) -> Response:
    """For a child with no account: a parent on the case writes "All about me"
    with them, as its author (the page says so)."""
    person = signed_in_person()
    the_case, _ = access.require_case(db.session, person, case_id, "invite")
    wanted = request.form.get("membership_id", "")
    parent = next(
        (m for m in the_case.memberships if m.role == "parent" and str(m.id) == wanted),
        None,
    )
    if parent is None:
        abort(404)
    if _child_pages(cases.case_documents(db.session, the_case)):
        flash("This case already has an All about me page.")
        return redirect(url_for("cases.case", case_id=case_id))
    doc = documents.create_advice(
        db.session,
        the_case,
        guidance.CHILD,
        domain.advice_due_date(date.today()),
        owner=parent,
    )
    audit.record(
        db.session,
        "document.assigned",
        actor=person,
        document=doc,
        membership_id=parent.id,
    )
    db.session.commit()
    child = guidance.first_name(the_case.child_name)
    flash(f"{parent.person.name} can now write All about me with {child}.")
    return redirect(url_for("cases.case", case_id=case_id))


def _rule_findings(
    the_case: Case, membership: Membership, today: date
) -> list[Finding]:
    # The built-in rules: instant and offline, so the page never waits on a model.
    report = review.case_findings(
        db.session,
        get_assistant("rules"),
        the_case,
        today,
        access.assistant_scope(db.session, membership, the_case),
        page_of,
    )
    return report.findings


@bp.post("/<int:case_id>/findings/dismiss")
@login_required
def dismiss_finding(case_id: int) -> Response:
    """The caseworker dismisses a check, with a reason that is kept and audited."""
    person = signed_in_person()
    the_case, membership = access.require_case(
        db.session, person, case_id, "dismiss_finding"
    )
    wanted = request.form.get("fingerprint", "")
    current = {
        findings.fingerprint(f): f
        for f in _rule_findings(the_case, membership, date.today())
    }
    finding = current.get(wanted)
    if finding is None:
        flash(
            "That check no longer applies: the plan has changed since the page loaded."
        )
        return redirect(
            url_for("cases.case", case_id=case_id, _anchor="findings-heading")
        )
    try:
        findings.dismiss(
            db.session, the_case, finding, request.form.get("reason", ""), person
        )
    except InvalidInput as error:
        db.session.rollback()
        flash(error.message)
        return redirect(
            url_for("cases.case", case_id=case_id, _anchor="findings-heading")
        )
    db.session.commit()
    flash("The check has been dismissed. The reason is kept in the audit trail.")
    return redirect(url_for("cases.case", case_id=case_id, _anchor="findings-heading"))


@bp.route("/<int:case_id>/invite", methods=["GET", "POST"])
@login_required
def invite(case_id: int) -> str | Response:
    """Invite a person by email with a role; professionals also get a discipline."""
    person = signed_in_person()
    the_case, _ = access.require_case(db.session, person, case_id, "invite")
    errors = forms.FormErrors()
    values = request.form
    disciplines = domain.professional_disciplines()
    if request.method == "POST":
        email = forms.text(
            values, "email", errors, label="an email address", max_length=254
        )
        if email:
            try:
                email = normal_email(email)
            except InvalidInput as error:
                errors["email"] = error.message
        role = forms.choice(
            values,
            "role",
            ["parent", "young_person", "professional"],
            errors,
            message="Select the person's role on this case.",
        )
        discipline = None
        organisation = job_title = ""
        if role == "professional":
            discipline = forms.choice(
                values,
                "discipline",
                [k for k, _ in disciplines],
                errors,
                message="Select the professional's discipline.",
            )
            organisation = forms.text(
                values, "organisation", errors, label="their organisation"
            )
            job_title = forms.text(values, "job_title", errors, label="their job title")
        if not errors and role is not None:
            req = InvitationRequest(email, role, discipline, organisation, job_title)
            try:
                invitation, token = create_invitation(
                    db.session, the_case, req, person, date.today()
                )
            except InvalidInput as refused:
                db.session.rollback()
                errors["email"] = refused.message
            else:
                db.session.commit()
                return invited_page(the_case, invitation, token)
    return render_template(
        "cases/invite.html",
        case=the_case,
        errors=errors,
        values=values,
        disciplines=disciplines,
    )


def invited_page(the_case: Case, invitation: Invitation, token: str) -> str:
    """Email the new link (or show it), and warn when its advice is due late."""
    link = invitation_link(token)
    sent = send_invitation(invitation.email, the_case, link)
    warnings: tuple[str, ...] = ()
    doc = db.session.get(Document, invitation.document_id or 0)
    if doc is not None and doc.due_date is not None:
        check = timeline.check_advice_due(the_case, doc.due_date, date.today())
        warnings = (check.refusal,) if check.refusal else check.warnings
    return render_template(
        "cases/invited.html",
        case=the_case,
        invitation=invitation,
        link=None if sent else link,
        sent=sent,
        doc=doc,
        warnings=warnings,
    )


def invitation_link(token: str) -> str:
    settings: Settings = current_app.config["SETTINGS"]
    path = url_for("auth.invitation", token=token)
    if settings.public_url:
        return settings.public_url + path
    return str(url_for("auth.invitation", token=token, _external=True))


def send_invitation(email: str, case: Case, link: str) -> bool:
    """Email the link when a mail server is configured; False means show it instead.

    The email names the case by its reference, never the child: it may be
    read by anyone with access to the mailbox."""
    settings = current_app.config["SETTINGS"]
    if not mail.is_configured(settings):
        return False
    ref = notify.case_ref(case)
    body = (
        "You have been invited to contribute to an Education, Health and Care Plan "
        f"assessment ({ref}).\n\nOpen this link within 14 days to join:\n{link}\n\n"
        "If you were not expecting this email, you can ignore it.\n"
    )
    try:
        mail.send(settings, email, "You are invited to contribute to an EHC plan", body)
    except OSError as error:
        current_app.logger.warning("Invitation email to %s failed: %s", email, error)
        flash("We could not send the email. Copy the link below and send it yourself.")
        return False
    return True


@bp.post("/<int:case_id>/share")
@login_required
def share(case_id: int) -> Response:
    """Share or unshare the plan sections with the family and professionals."""
    person = signed_in_person()
    the_case, _ = access.require_case(db.session, person, case_id, "share_draft")
    shared = request.form.get("shared") == "yes"
    if shared:
        try:
            period = plan_stages.share_draft(db.session, the_case, person, date.today())
        except InvalidInput as refused:
            flash(str(refused))
            return redirect(url_for("cases.case", case_id=case_id))
        message = (
            "The draft plan is shared, and a version of it is kept. The family can "
            f"comment and name a school until {period.ends.day} {period.ends:%B %Y}."
        )
    else:
        cases.set_draft_shared(db.session, the_case, False, person)
        message = "The draft plan is no longer shared."
    db.session.commit()
    flash(message)
    return redirect(url_for("cases.case", case_id=case_id))


@bp.post("/<int:case_id>/members/<int:membership_id>/remove")
@login_required
def remove_member(case_id: int, membership_id: int) -> Response:
    """Take someone off the case."""
    person = signed_in_person()
    the_case, mine = access.require_case(db.session, person, case_id, "remove_member")
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.case_id != the_case.id:
        abort(404)
    if not policy.can_remove_member(
        access.member_facts(mine), policy.Member(membership.role, membership.id)
    ):
        flash("You cannot remove yourself from a case you manage.")
        return redirect(url_for("cases.case", case_id=case_id))
    name = membership.person.name
    cases.remove_member(db.session, membership, person)
    db.session.commit()
    flash(f"{name} has been removed from the case.")
    return redirect(url_for("cases.case", case_id=case_id))


@bp.post("/<int:case_id>/members/<int:membership_id>/clear-sign-in-delays")
@login_required
def clear_sign_in_delays(case_id: int, membership_id: int) -> Response:
    """The caseworker lets a member sign in again at once after failed passwords."""
    person = signed_in_person()
    the_case, mine = access.require_case(db.session, person, case_id)
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.case_id != the_case.id:
        abort(404)
    if not policy.can_clear_sign_in_delays(
        access.member_facts(mine), policy.Member(membership.role, membership.id)
    ):
        abort(403)
    throttle.clear_delays(db.session, membership.person, person, the_case)
    db.session.commit()
    flash(f"{membership.person.name} can sign in again straight away, from any device.")
    return redirect(url_for("cases.case", case_id=case_id))
