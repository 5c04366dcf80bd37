"""Single sign-on with OpenID Connect, through Authlib's client.

Each provider in `Settings.oidc_providers` (OIDC_<NAME>_* variables) gets an
Authlib client that reads the provider's discovery document. A round trip
sends the browser to the provider with a random `state`, a `nonce` and a PKCE
challenge (S256), and keeps them in an `OidcLogin` row (the state only as its
SHA-256) so that the answer is accepted once: a state that is unknown, used
or older than ten minutes is refused. The ID token must be signed by the
provider's keys, come from the configured issuer, be for our client id and
carry our nonce.

A person is found by the provider account's (issuer, subject) link; the first
time, only by an email address the provider says it has verified, and the
link is then stored. An invitation accepted by single sign-on must be for
that verified address.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask
from joserfc.errors import ClaimError, JoseError
from sqlalchemy import delete, func, select

from portal.config import OidcProvider, Settings
from portal.errors import NotFound, SignInRefused
from portal.models import Invitation, OidcLogin, Person, Session, utcnow
from portal.services import audit

EXTENSION_KEY = "auth.oidc"
SCOPE = "openid email profile"
VALID_FOR = timedelta(minutes=10)
HTTP_TIMEOUT_SECONDS = 10
PURPOSES = ("sign_in", "invitation", "reauth")
# A provider's clock and ours may differ a little.
CLOCK_LEEWAY_SECONDS = 120


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in, from a checked ID token."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None


def init_app(app: Flask, settings: Settings) -> None:
    """Make an Authlib client for each configured provider (none: SSO is off)."""
    oauth = OAuth(app)
    for provider in settings.oidc_providers:
        oauth.register(
            provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.discovery_url,
            client_kwargs={
                "scope": SCOPE,
                "code_challenge_method": "S256",
                "default_timeout": HTTP_TIMEOUT_SECONDS,
            },
        )
    app.extensions[EXTENSION_KEY] = oauth


def find_provider(settings: Settings, name: str) -> OidcProvider:
    """The configured provider called `name`, or NotFound."""
    for provider in settings.oidc_providers:
        if provider.name == name:
            return provider
    raise NotFound("There is no such way to sign in.")


def provider_for_person(settings: Settings, person: Person) -> OidcProvider | None:
    """The configured provider the person's account is linked to, if any."""
    for provider in settings.oidc_providers:
        if person.oidc_issuer == provider.issuer and person.oidc_subject:
            return provider
    return None


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _refused(provider: OidcProvider, reason: str, message: str) -> SignInRefused:
    return SignInRefused(message, reason=reason, provider=provider.name)


def _metadata(client: Any, provider: OidcProvider) -> dict[str, Any]:
    """The provider's discovery document; its issuer must be the configured one."""
    try:
        metadata: dict[str, Any] = client.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        client.server_metadata.clear()
        raise _refused(
            provider,
            "unreachable",
            f"We could not reach {provider.display_name} just now. Try again in "
            "a few minutes, or sign in with your email address and password.",
        ) from error
    if metadata.get("issuer") != provider.issuer:
        client.server_metadata.clear()
        raise _wrong_issuer(provider)
    return metadata


def _wrong_issuer(provider: OidcProvider) -> SignInRefused:
    return _refused(
        provider,
        "wrong_issuer",
        f"The answer did not come from {provider.display_name}, so you have not "
        "been signed in. Try again; if it happens again, tell the council's IT "
        "service desk.",
    )


def begin(
    session: Session,
    oauth: OAuth,
    provider: OidcProvider,
    redirect_uri: str,
    purpose: str,
    *,
    next_url: str = "",
    invitation: Invitation | None = None,
    person: Person | None = None,
) -> tuple[str, str]:
    """Start a round trip: the provider's URL to send the browser to, and the
    state (kept by the caller in the browser's session too).

    For `reauth` the provider is asked to check who it is again now
    (`prompt=login`, `max_age=0`)."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}, not {purpose!r}")
    client = oauth.create_client(provider.name)
    _metadata(client, provider)
    # Round trips never finished serve no one after a day.
    session.execute(
        delete(OidcLogin).where(OidcLogin.expires_at < utcnow() - timedelta(days=1))
    )
    extra = {"prompt": "login", "max_age": 0} if purpose == "reauth" else {}
    rv = client.create_authorization_url(redirect_uri, **extra)
    session.add(
        OidcLogin(
            state_hash=_hash(rv["state"]),
            provider=provider.name,
            purpose=purpose,
            nonce=rv["nonce"],
            code_verifier=rv["code_verifier"],
            next_url=next_url[:2000],
            invitation_id=invitation.id if invitation else None,
            person_id=person.id if person else None,
            expires_at=utcnow() + VALID_FOR,
        )
    )
    return str(rv["url"]), str(rv["state"])


def use_state(session: Session, provider: OidcProvider, state: str) -> OidcLogin:
    """The round trip a returning state belongs to, marked used (the caller
    commits that at once); SignInRefused when it is unknown or used before."""
    row = session.scalar(select(OidcLogin).where(OidcLogin.state_hash == _hash(state)))
    if row is None or row.provider != provider.name:
        raise _refused(provider, "unknown_state", _STATE_MESSAGE)
    if row.used_at is not None:
        raise _refused(provider, "replayed_state", _STATE_MESSAGE)
    row.used_at = utcnow()
    return row


def check_login(
    provider: OidcProvider, login: OidcLogin, in_this_browser: bool
) -> None:
    """A round trip must be answered in time, in the browser that started it."""
    if not in_this_browser:
        raise _refused(provider, "other_browser", _STATE_MESSAGE)
    if login.expires_at < utcnow():
        raise _refused(provider, "expired_state", _STATE_MESSAGE)


_STATE_MESSAGE = (
    "This sign-in has expired or has already been used, so you have not been "
    "signed in. Go back to the sign-in page and try again."
)


def identity_from_callback(
    oauth: OAuth, provider: OidcProvider, login: OidcLogin, code: str, redirect_uri: str
) -> Identity:
    """Swap the code for tokens (with the PKCE verifier) and check the ID token."""
    client = oauth.create_client(provider.name)
    _metadata(client, provider)
    try:
        token = client.fetch_access_token(
            redirect_uri=redirect_uri, code=code, code_verifier=login.code_verifier
        )
    except (OAuthError, requests.RequestException, ValueError) as error:
        raise _refused(
            provider,
            "token_refused",
            f"{provider.display_name} did not confirm who you are, so you have not "
            "been signed in. Go back to the sign-in page and try again.",
        ) from error
    claims = _id_token_claims(client, provider, login, token)
    if login.purpose == "reauth":
        _check_fresh(provider, login, claims)
    verified = claims.get("email_verified")
    email = claims.get("email")
    name = claims.get("name")
    return Identity(
        issuer=str(claims["iss"]),
        subject=str(claims["sub"]),
        email=email if isinstance(email, str) and email else None,
        email_verified=verified is True,
        name=name.strip()[:200] if isinstance(name, str) and name.strip() else None,
    )


def _id_token_claims(
    client: Any, provider: OidcProvider, login: OidcLogin, token: dict[str, Any]
) -> dict[str, Any]:
    if "id_token" not in token:
        raise _bad_token(provider)
    options = {"iss": {"essential": True, "values": [provider.issuer]}}
    try:
        claims: dict[str, Any] = client.parse_id_token(
            token,
            nonce=login.nonce,
            claims_options=options,
            leeway=CLOCK_LEEWAY_SECONDS,
        )
    except ClaimError as error:
        if error.claim == "iss":
            raise _wrong_issuer(provider) from error
        if error.claim == "nonce":
            raise _refused(
                provider,
                "nonce_mismatch",
                "The answer was not for this sign-in, so you have not been signed "
                "in. Go back to the sign-in page and try again.",
            ) from error
        raise _bad_token(provider) from error
    except (JoseError, ValueError, requests.RequestException) as error:
        raise _bad_token(provider) from error
    return claims


def _bad_token(provider: OidcProvider) -> SignInRefused:
    return _refused(
        provider,
        "invalid_token",
        f"The answer from {provider.display_name} could not be checked, so you "
        "have not been signed in. Try again; if it happens again, tell the "
        "council's IT service desk.",
    )


def _check_fresh(
    provider: OidcProvider, login: OidcLogin, claims: dict[str, Any]
) -> None:
    """A re-authentication must be new: when the provider says when the person
    last proved who they are, that must be after we asked."""
    auth_time = claims.get("auth_time")
    if auth_time is None:
        return
    started = login.created_at.timestamp() - CLOCK_LEEWAY_SECONDS
    if not isinstance(auth_time, int | float) or auth_time < started:
        raise _refused(
            provider,
            "not_fresh",
            f"{provider.display_name} did not ask you to sign in again, so we "
            "could not confirm it is you. Try again.",
        )


def person_for_sign_in(
    session: Session, provider: OidcProvider, identity: Identity
) -> Person:
    """The active person the provider account signs in as, linking it the first
    time by verified email; SignInRefused otherwise."""
    linked = _linked(session, identity)
    if linked is not None:
        if not linked.is_active:
            raise _refused(provider, "inactive", _INACTIVE)
        return linked
    email = _verified_email(provider, identity)
    person = session.scalar(
        select(Person).where(func.lower(Person.email) == email.lower())
    )
    if person is None:
        raise _refused(
            provider,
            "no_account",
            f"There is no account for {email}. Use the link in the invitation "
            "you were sent, or ask the caseworker to invite you.",
        )
    if not person.is_active:
        raise _refused(provider, "inactive", _INACTIVE)
    _link(session, provider, person, identity)
    return person


_INACTIVE = "This account has been closed. Ask the council if you need it again."


def person_for_invitation(
    session: Session, provider: OidcProvider, identity: Identity, inv: Invitation
) -> Person:
    """The person accepting an invitation by single sign-on: the provider must
    have verified the invitation's address. A new person is created, linked."""
    email = _verified_email(provider, identity)
    if email.lower() != inv.email.lower():
        raise _refused(
            provider,
            "other_email",
            f"This invitation was sent to a different email address from the one "
            f"{provider.display_name} gave us ({email}). Sign in with the account "
            "for the invited address, or ask the caseworker to invite this one.",
        )
    linked = _linked(session, identity)
    if linked is not None:
        if linked.email.lower() != email.lower():
            raise _refused(provider, "other_email", _LINKED_ELSEWHERE)
        return linked
    person = session.scalar(
        select(Person).where(func.lower(Person.email) == email.lower())
    )
    if person is None:
        person = Person(
            email=inv.email, name=identity.name or email, password_hash=None
        )
        session.add(person)
        session.flush()
        audit.record(session, "person.created", actor=person, case=inv.case, sso=True)
    _link(session, provider, person, identity)
    return person


_LINKED_ELSEWHERE = (
    "Your single sign-on account is already linked to a different account "
    "here. Sign in with that one, or ask the caseworker for help."
)


def check_reauth(provider: OidcProvider, identity: Identity, person: Person) -> None:
    """A re-authentication must come back as the signed-in person's own account."""
    if (identity.issuer, identity.subject) != (person.oidc_issuer, person.oidc_subject):
        raise _refused(
            provider,
            "other_person",
            f"You signed in to {provider.display_name} as someone else, so we "
            "could not confirm it is you. Try again with your own account.",
        )


def _linked(session: Session, identity: Identity) -> Person | None:
    return session.scalar(
        select(Person).where(
            Person.oidc_issuer == identity.issuer,
            Person.oidc_subject == identity.subject,
        )
    )


def _verified_email(provider: OidcProvider, identity: Identity) -> str:
    if identity.email is None or not identity.email_verified:
        raise _refused(
            provider,
            "unverified_email",
            f"{provider.display_name} has not confirmed your email address, so we "
            "cannot tell which account is yours. Ask your IT service desk to "
            "confirm it, or sign in with your email address and password.",
        )
    return identity.email


def _link(
    session: Session, provider: OidcProvider, person: Person, identity: Identity
) -> None:
    """Store the (issuer, subject) link, once; a person linked to another
    provider account is refused."""
    if person.oidc_subject is not None:
        raise _refused(provider, "linked_elsewhere", _LINKED_ELSEWHERE)
    person.oidc_issuer = identity.issuer
    person.oidc_subject = identity.subject
    audit.record(session, "person.sso_linked", actor=person, provider=provider.name)
