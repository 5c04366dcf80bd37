"""Response headers a security reviewer expects on every page.

The Content-Security-Policy allows scripts only from this origin plus the one
inline GOV.UK line that marks the body as JavaScript-enabled (by its hash).
Styles allow 'unsafe-inline' because CodeMirror injects a style element and
y-codemirror.next colours remote cursors with style attributes.
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from werkzeug.wrappers import Response

# Must match base.html byte for byte; a test checks the hash covers it.
JS_ENABLED_SCRIPT = (
    "document.body.className += ' js-enabled' + ('noModule' in "
    "HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');"
)


def _sha256(source: str) -> str:
    digest = hashlib.sha256(source.encode()).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


def content_security_policy(form_targets: tuple[str, ...] = ()) -> str:
    """The policy; `form_targets` are other origins a form may lead to (the
    single sign-on providers: the "Sign in with ..." form is answered with a
    redirect to the provider, which browsers check against form-action)."""
    form_action = " ".join(["'self'", *form_targets])
    return CSP.replace("form-action 'self'", f"form-action {form_action}")


CSP = "; ".join(
    [
        "default-src 'self'",
        f"script-src 'self' {_sha256(JS_ENABLED_SCRIPT)}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "media-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


HSTS = "max-age=31536000; includeSubDomains"


def _served_over_https() -> bool:
    """The request came over HTTPS, or the portal's public address is https."""
    public_url = current_app.config["SETTINGS"].public_url or ""
    return request.is_secure or public_url.startswith("https://")


def _headers(response: Response) -> Response:
    response.headers.setdefault(
        "Content-Security-Policy",
        current_app.config.get("CONTENT_SECURITY_POLICY", CSP),
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    # Only a page that records a voice (the child's, which sets
    # g.uses_microphone) may use the microphone; no other page or frame may.
    microphone = "(self)" if g.get("uses_microphone") else "()"
    response.headers.setdefault(
        "Permissions-Policy", f"camera=(), microphone={microphone}, geolocation=()"
    )
    if _served_over_https():
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if g.get("person") is not None:
        # Pages about a child must not linger in shared or proxy caches.
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response."""
    settings = app.config["SETTINGS"]
    origins = sorted({_origin(p.issuer) for p in settings.oidc_providers})
    app.config["CONTENT_SECURITY_POLICY"] = content_security_policy(tuple(origins))
    app.after_request(_headers)
    app.jinja_env.globals["js_enabled_script"] = JS_ENABLED_SCRIPT


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
