"""Sending email: over SMTP by default, through GOV.UK Notify when
NOTIFY_API_KEY is set. Nothing is sent when neither is configured."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from portal.config import Settings


class MailError(OSError):
    """The message could not be handed to the mail service."""


def is_configured(settings: Settings) -> bool:
    """Whether the portal can send email at all."""
    return bool(settings.notify_api_key or settings.smtp_host)


def send(settings: Settings, to: str, subject: str, body: str) -> None:
    """Send a plain-text message; raises OSError (MailError, SMTPException) on failure."""
    if settings.notify_api_key:
        _send_notify(settings, to, subject, body)
    else:
        _send_smtp(settings, to, subject, body)


def _send_smtp(settings: Settings, to: str, subject: str, body: str) -> None:
    if settings.smtp_host is None:
        raise RuntimeError("SMTP_HOST is not set, so the portal cannot send email.")
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        if settings.smtp_use_tls:
            smtp.starttls()
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)


def _send_notify(settings: Settings, to: str, subject: str, body: str) -> None:
    from notifications_python_client.errors import APIError
    from notifications_python_client.notifications import NotificationsAPIClient

    client = NotificationsAPIClient(  # type: ignore[no-untyped-call]
        settings.notify_api_key, base_url=settings.notify_base_url, timeout=10
    )
    try:
        client.send_email_notification(  # type: ignore[no-untyped-call]
            email_address=to,
            template_id=settings.notify_template_id,
            personalisation={"subject": subject, "body": body},
        )
    except APIError as error:
        raise MailError(f"GOV.UK Notify refused the email: {error}") from error
    except Exception as error:  # requests' connection errors are not OSErrors
        raise MailError(f"GOV.UK Notify could not be reached: {error}") from error
