"""Emailing the notifications a request made, once its transaction commits."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.services import notify


def _committed(session: OrmSession) -> None:
    new = session.info.pop(notify.NEW_IDS, None)
    if new:
        session.info.setdefault(notify.READY_IDS, []).extend(new)


def _rolled_back(session: OrmSession, *_: Any) -> None:
    session.info.pop(notify.NEW_IDS, None)


def base_url() -> str:
    """Where links in emails point: PUBLIC_URL, else this request's host."""
    settings = current_app.config["SETTINGS"]
    return str(settings.public_url or request.url_root)


def _deliver(response: Response) -> Response:
    ready = db.session.info.pop(notify.READY_IDS, None)
    if ready:
        try:
            notify.deliver_pending(
                db.session, current_app.config["SETTINGS"], base_url(), ready
            )
        except Exception:  # the change is saved; send-reminders retries the email
            current_app.logger.exception("Emailing notifications failed")
            db.session.rollback()
    return response


def init_app(app: Flask) -> None:
    """Note committed notifications and email them after the response is built."""
    if not event.contains(OrmSession, "after_commit", _committed):
        event.listen(OrmSession, "after_commit", _committed)
        event.listen(OrmSession, "after_rollback", _rolled_back)
    app.after_request(_deliver)
