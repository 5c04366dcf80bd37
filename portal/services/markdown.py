"""Markdown to safe HTML: raw HTML off, unsafe link schemes refused."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

# "commonmark" with html=False escapes any tag; markdown-it's validateLink
# refuses javascript:, vbscript:, file: and most data: URLs.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render(text: str) -> Markup:
    """Render Markdown to HTML that is safe to put in a page."""
    return Markup(_md.render(text))  # noqa: S704 - markdown-it escapes all raw HTML
