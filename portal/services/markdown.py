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
OWN_RECORDING_PATH = re.compile(r"/documents/[0-9]+/recordings/[0-9]+")
VOICE_NOTE = "Voice note: "


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


def _voice_notes(state: Any) -> None:
    """A paragraph that is only a link to one of the portal's recordings,
    worded "Voice note: …" (how portal.docmodel writes a voice note), becomes
    a player with the words under it."""
    tokens = state.tokens
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        children = tokens[i + 1].children if i + 1 < len(tokens) else None
        if token.type == "paragraph_open" and children and len(children) >= 3:
            first, last = children[0], children[-1]
            href = str(first.attrGet("href") or "") if first.type == "link_open" else ""
            words = "".join(c.content for c in children[1:-1] if c.type == "text")
            if (
                last.type == "link_close"
                and OWN_RECORDING_PATH.fullmatch(href)
                and all(c.type == "text" for c in children[1:-1])
                and words.startswith(VOICE_NOTE)
            ):
                note = Token("voice_note", "", 0)
                note.meta = {"src": href, "words": words.removeprefix(VOICE_NOTE)}
                out.append(note)
                i += 3
                continue
        out.append(token)
        i += 1
    state.tokens = out


def _voice_note(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    meta = tokens[idx].meta
    src = escapeHtml(str(env.get("script_root", "")) + meta["src"])
    words = escapeHtml(meta["words"])
    return (
        f'<figure class="app-voice-note"><audio controls preload="none" src="{src}">'
        f"</audio><figcaption>{words}</figcaption></figure>\n"
    )


_md.core.ruler.push("voice_notes", _voice_notes)
_md.add_render_rule("voice_note", _voice_note)


def render(text: str, script_root: str = "") -> Markup:
    """Render Markdown to HTML that is safe to put in a page; `script_root` is
    where the portal is mounted (`request.script_root`)."""
    env: dict[str, Any] = {"script_root": script_root}
    return Markup(_md.render(text, env))  # noqa: S704 - markdown-it escapes all raw HTML
