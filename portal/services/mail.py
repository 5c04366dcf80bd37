"""Sending email over SMTP when a mail server is configured."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from portal.config import Settings


def send(settings: Settings, to: str, subject: str, body: str) -> None:
    """Send a plain-text message; raises OSError/SMTPException on failure."""
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
