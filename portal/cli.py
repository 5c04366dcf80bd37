"""Command-line tools: demo data, importing case folders, people and API tokens."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from auth.passwords import hash_password, password_problem
from auth.tokens import create_token, revoke_token, tokens_of
from portal.casefolder import CaseFolderError, load_case_folder
from portal.config import Settings
from portal.doclog.compaction import compact
from portal.errors import InvalidInput
from portal.extensions import db
from portal.models import Document, Person
from portal.services import audit, demo, erasure, mail, notify, reminders
from portal.services.importer import import_case_folder

token_cli = AppGroup("token", help="Create, list and revoke personal access tokens.")
user_cli = AppGroup("user", help="Create accounts for local authority staff.")


def _person(email: str) -> Person:
    person = db.session.scalar(
        select(Person).where(func.lower(Person.email) == email.lower())
    )
    if person is None:
        raise click.ClickException(f"No account uses the email address {email}.")
    return person


@token_cli.command("create")
@click.argument("email")
@click.option("--name", default="API token", help="What the token is for.")
def token_create(email: str, name: str) -> None:
    """Print a new personal access token for EMAIL (shown once)."""
    token = create_token(db.session, _person(email), name)
    db.session.commit()
    click.echo(token)


@token_cli.command("list")
@click.argument("email")
def token_list(email: str) -> None:
    """List EMAIL's tokens with their last use."""
    for t in tokens_of(db.session, _person(email)):
        state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
        used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
        click.echo(f"{t.id}\t{t.prefix}…\t{t.name}\t{state}\tlast used {used}")


@token_cli.command("revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """Revoke a token by its id (from `token list`)."""
    if revoke_token(db.session, token_id) is None:
        raise click.ClickException(f"There is no token with id {token_id}.")
    db.session.commit()
    click.echo(f"Token {token_id} revoked.")


@user_cli.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--staff/--no-staff", default=True, help="May open cases (caseworkers).")
@click.password_option()
def user_create(email: str, name: str, staff: bool, password: str) -> None:
    """Create a local account."""
    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem)
    db.session.add(
        Person(
            email=email.lower(),
            name=name,
            is_staff=staff,
            password_hash=hash_password(password),
        )
    )
    db.session.commit()
    click.echo(f"Created {email}.")


@click.command("import-case")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--caseworker",
    "email",
    default="caseworker@example.org",
    help="Email of the staff account that will manage the case.",
)
@with_appcontext
def import_case(folder: Path, email: str) -> None:
    """Load a case folder (case.json, advice/*.md, draft_plan.md) as a new case."""
    try:
        parsed = load_case_folder(folder)
        case = import_case_folder(db.session, parsed, _person(email), date.today())
    except (CaseFolderError, InvalidInput) as error:
        db.session.rollback()
        raise click.ClickException(f"{error} Nothing was imported.") from None
    db.session.commit()
    click.echo(f"Imported case {case.id} for {case.child_name}.")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Create the fictional demo case and its accounts (safe to run twice)."""
    case, created = demo.load_demo(
        db.session, hash_password(demo.DEMO_PASSWORD), date.today()
    )
    db.session.commit()
    click.echo(
        ("Created" if created else "Already present:") + f" demo case {case.id}"
        f" for {case.child_name}."
    )
    click.echo(f"Sign in at http://127.0.0.1:5000 with password {demo.DEMO_PASSWORD}:")
    for account in demo.ACCOUNTS:
        click.echo(f"  {account.email:28} {account.name} ({account.role})")


@click.command("send-reminders")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day to remind as of (YYYY-MM-DD); today by default.",
)
@with_appcontext
def send_reminders(today: datetime | None) -> None:
    """Remind people of advice and statutory dates due within 5 days or
    overdue, and email notifications still waiting. Run it daily; a reminder
    is never sent twice."""
    day = today.date() if today else date.today()
    settings: Settings = current_app.config["SETTINGS"]
    made = reminders.record_reminders(db.session, day)
    base = settings.public_url or f"http://{settings.host}:{settings.port}"
    sent = notify.deliver_pending(db.session, settings, base)
    for note in made:
        click.echo(f"Reminder for {note.person.email}: {note.message}")
    for note in sent:
        click.echo(f"Emailed {note.person.email}: {note.email_subject}")
    if not mail.is_configured(settings) and made:
        click.echo(
            "No mail server is set (SMTP_HOST or NOTIFY_API_KEY): reminders are in the portal only."
        )
    click.echo(f"{len(made)} new reminders, {len(sent)} emails sent.")


@click.command("make-admin")
@click.argument("email")
@click.option("--revoke", is_flag=True, help="Take the admin role away instead.")
@with_appcontext
def make_admin(email: str, revoke: bool) -> None:
    """Let EMAIL read the audit of, export and erase any case (data protection)."""
    person = _person(email)
    person.is_admin = not revoke
    audit.record(
        db.session,
        "person.admin_revoked" if revoke else "person.made_admin",
        person_id=person.id,
    )
    db.session.commit()
    click.echo(f"{email} is {'no longer' if revoke else 'now'} an admin.")


@click.command("retention-report")
@with_appcontext
def retention_report() -> None:
    """List closed cases kept longer than RETENTION_DAYS: due for erasure."""
    settings: Settings = current_app.config["SETTINGS"]
    days = settings.retention_days
    due = erasure.due_for_erasure(db.session, days)
    if not due:
        click.echo(f"No closed case has been kept longer than {days} days.")
        return
    click.echo(f"{len(due)} closed case(s) kept longer than {days} days:")
    for case in due:
        closed = case.closed_at.date().isoformat() if case.closed_at else ""
        click.echo(f"{case.id}\t{case.la_reference}\tclosed {closed}")


@click.command("compact")
@with_appcontext
def compact_command() -> None:
    """Fold every document's update log into its snapshot.

    Safe while the portal serves: appends made meanwhile are kept, and a
    document another process is compacting is skipped."""
    ids = db.session.scalars(select(Document.id).order_by(Document.id)).all()
    folded = failed = 0
    for document_id in ids:
        try:
            upto = compact(db.session, document_id)
        except Exception as error:  # one broken document must not stop the rest
            db.session.rollback()
            failed += 1
            click.echo(f"Document {document_id}: not compacted ({error}).", err=True)
            continue
        if upto is not None:
            folded += 1
    click.echo(
        f"Compacted {folded} of {len(ids)} documents"
        + (f"; {failed} failed." if failed else ".")
    )
    if failed:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    """Register the commands."""
    for command in (
        token_cli,
        user_cli,
        import_case,
        demo_command,
        make_admin,
        retention_report,
        compact_command,
        send_reminders,
    ):
        app.cli.add_command(command)
