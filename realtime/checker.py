"""The periodic check of open connections, on one background thread.

A connection is authenticated once, when it opens, and a room member's
access is read once, when it joins; announcements (`Admission.changed`, the
Redis doorbell) keep both current. Every `COLLAB_CHECK_SECONDS` this check
reads them again, so a sign-out in another process, an idle timeout, a token
revoked from the command line, or an access change whose announcement was
lost still takes effect. Editing counts as use of a sign-in.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from flask import Flask

from portal.config import Settings
from portal.extensions import db
from realtime import credentials
from realtime.admission import Admission
from realtime.connections import Connections
from realtime.workers import Worker

log = logging.getLogger(__name__)
SIGNED_OUT = "You have been signed out. Sign in again to go on editing."
TOKEN_REVOKED = "The access token of this connection was revoked."  # noqa: S105 - a message


class Checker:
    """Re-checks sign-ins, tokens and room access of this process's connections."""

    def __init__(
        self,
        app: Flask,
        settings: Settings,
        connections: Connections,
        admission: Admission,
        close: Callable[[str, str], None],
    ) -> None:
        self.app = app
        self.settings = settings
        self.connections = connections
        self.admission = admission
        self.close = close
        self._worker = Worker(self._run, "collab-checker")

    def ensure_running(self) -> None:
        """Start the periodic check (cheap to call on every connection)."""
        self._worker.ensure_running()

    def _run(self) -> None:
        while True:
            time.sleep(self.settings.collab_check_seconds)
            try:
                self.check()
            except Exception:
                log.exception("checking open connections failed")

    def check(self) -> None:
        """One round: credentials first, then the access of every room member."""
        self.check_credentials()
        with self.app.app_context():
            try:
                self.admission.recheck_all()
            finally:
                db.session.remove()

    def check_credentials(self) -> None:
        """Close connections whose sign-in ended or went idle, or whose token
        was revoked."""
        conns = self.connections.all()
        if not conns:
            return
        editing = {
            c.credential.sign_in_id
            for c in conns
            if c.wrote and c.credential.sign_in_id is not None
        }
        for conn in conns:
            conn.wrote = False
        creds = [c.credential for c in conns]
        with self.app.app_context():
            try:
                live_sign_ins, live_tokens = credentials.still_valid(
                    db.session,
                    {c.sign_in_id for c in creds if c.sign_in_id is not None},
                    {c.token_id for c in creds if c.token_id is not None},
                    idle=self.settings.session_idle,
                    in_use=editing,
                )
            finally:
                db.session.remove()
        for conn in conns:
            cred = conn.credential
            if cred.sign_in_id is not None and cred.sign_in_id not in live_sign_ins:
                self.close(conn.sid, SIGNED_OUT)
            elif cred.token_id is not None and cred.token_id not in live_tokens:
                self.close(conn.sid, TOKEN_REVOKED)
