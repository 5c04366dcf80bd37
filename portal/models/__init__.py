"""Typed SQLAlchemy 2.0 models, split by domain. Imports nothing outside `portal.models`."""

from __future__ import annotations

from portal.models.advice_received import ExternalAdvice
from portal.models.audit import AuditEvent
from portal.models.base import Base, Session, utcnow
from portal.models.case import ROLES, Case, Invitation, Membership
from portal.models.comment import Comment
from portal.models.document import (
    SECTION_KEYS,
    DocSnapshot,
    Document,
    DocUpdate,
    Version,
)
from portal.models.excerpt import DraftProposal, Excerpt
from portal.models.finding import FindingDismissal
from portal.models.image import DocumentImage
from portal.models.notice import Notification, SentReminder
from portal.models.person import ApiToken, OidcLogin, PasswordReset, Person, SignIn
from portal.models.recording import DocumentRecording

__all__ = [
    "ROLES",
    "SECTION_KEYS",
    "Session",
    "ApiToken",
    "AuditEvent",
    "Base",
    "Case",
    "Comment",
    "DocSnapshot",
    "DocUpdate",
    "DocumentImage",
    "DocumentRecording",
    "Document",
    "DraftProposal",
    "Excerpt",
    "ExternalAdvice",
    "FindingDismissal",
    "Invitation",
    "Membership",
    "OidcLogin",
    "Notification",
    "PasswordReset",
    "Person",
    "SentReminder",
    "SignIn",
    "Version",
    "utcnow",
]
