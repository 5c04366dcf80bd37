"""Markdown to safe HTML: raw HTML off, unsafe link schemes refused, and
pictures shown only from the portal's own picture addresses."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

# "commonmark" with html=False escapes any tag; markdown-it's validateLink
# refuses javascript:, vbscript:, file: and most data: URLs.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

OWN_IMAGE_PATH = re.compile(r"/documents/[0-9]+/images/[0-9]+")


def _image(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    """A picture the portal serves, or its alt text alone: loading a picture
    from elsewhere would tell that site who is reading a child's plan."""
    token = tokens[idx]
    alt = renderer.renderInlineAsText(token.children or [], options, env)
    src = str(token.attrGet("src") or "")
    root = str(env.get("script_root", ""))
    path = src[len(root) :] if root and src.startswith(root + "/") else src
    if not OWN_IMAGE_PATH.fullmatch(path):
        return escapeHtml(alt)
    return (
        f'<img src="{escapeHtml(root + path)}" alt="{escapeHtml(alt)}" '
        'class="app-image" loading="lazy">'
    )


_md.add_render_rule("image", _image)


def render(text: str, script_root: str = "") -> Markup:
    """Render Markdown to HTML that is safe to put in a page; `script_root` is
    where the portal is mounted (`request.script_root`)."""
    env: dict[str, Any] = {"script_root": script_root}
    return Markup(_md.render(text, env))  # noqa: S704 - markdown-it escapes all raw HTML
