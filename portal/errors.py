"""Domain errors, each carrying a sentence a person can act on.

PortalError
├── NotAllowed        the person may not do this (pages answer 403 or 404)
├── NotFound          no such thing, or not visible to this person (404)
├── InvalidInput      a form or API field is wrong (400 with the message)
├── ImageRefused      a picture or its description cannot be used (400)
│   └── ImageTooLarge the picture's file is over the size limit (413)
├── RecordingRefused  a recording or its transcript cannot be used (400)
│   └── RecordingTooLarge the recording is over the size limit (413)
├── InvitationError   an invitation link is expired, used or forged
├── ResetLinkError    a password-reset link is expired, used or unknown
├── SignInRefused     a single sign-on answer is refused (a `reason` for the audit)
└── Busy              the server cannot finish this now; try again (503)
"""

from __future__ import annotations


class PortalError(Exception):
    """Base of the portal's errors; `str(error)` is safe to show to users."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(PortalError):
    """The person is on the case but may not do this."""

    status_code = 403


class NotFound(PortalError):
    """Unknown, or not visible to this person: both look the same from outside."""

    status_code = 404


class InvalidInput(PortalError):
    """A field is missing or malformed."""


class InvitationError(PortalError):
    """The invitation cannot be used; the message says why."""

    status_code = 410


class ResetLinkError(PortalError):
    """The password-reset link cannot be used; the message says why."""

    status_code = 410


class ImageRefused(PortalError):
    """The picture or its description cannot be used; the message says why."""


class ImageTooLarge(ImageRefused):
    """The picture's file is over the size limit."""

    status_code = 413


class RecordingRefused(PortalError):
    """The recording or its transcript cannot be used; the message says why."""


class RecordingTooLarge(RecordingRefused):
    """The recording's file is over the size limit."""

    status_code = 413


class Busy(PortalError):
    """The work took longer than it may; the message says what to do."""

    status_code = 503


class SignInRefused(PortalError):
    """A single sign-on answer cannot be accepted; the message says what to do.

    `reason` is a short code for the audit trail and the log (for example
    `wrong_issuer`, `replayed_state`, `unverified_email`, `nonce_mismatch`)."""

    def __init__(self, message: str, *, reason: str, provider: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.provider = provider
        self.status_code = 502 if reason == "unreachable" else 400
        if reason in {"unverified_email", "no_account", "inactive", "other_email"}:
            self.status_code = 403
