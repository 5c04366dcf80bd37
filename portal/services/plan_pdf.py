"""An export (`plan_export.Export`) as a PDF: HTML from its Markdown
(markdown-it-py) in `templates/export/plan.html`, printed by WeasyPrint.

Print CSS does the rest: the watermark is a fixed element (on every page),
footnotes are WeasyPrint's `float: footnote`, page numbers are page counters
in the bottom margin. WeasyPrint fetches nothing but the export's own
pictures.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

from portal.services.plan_export import NOTE, Export, Part, Picture, own_picture, parse

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def _heading_open(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    # A part's own headings sit under its section heading (h2).
    level = min(int(tokens[idx].tag[1:]) + 1, 6)
    return f"<h{level}>" if tokens[idx].nesting == 1 else f"</h{level}>\n"


def _image(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    # Only the portal's own pictures, from the export (`_fetch_picture`);
    # anything else is its description.
    alt = renderer.renderInlineAsText(tokens[idx].children or [], options, env)
    match = own_picture(tokens[idx])
    if match and match.group(0) in env.get("pictures", {}):
        src = escapeHtml(PICTURE_SCHEME + match.group(0))
        return f'<img src="{src}" alt="{escapeHtml(alt)}">'
    return f'<span class="picture">[Picture: {escapeHtml(alt)}]</span>'


def _nothing(*_args: Any) -> str:
    return ""  # links keep their words; a portal address means nothing on paper


_md.add_render_rule("heading_open", _heading_open)
_md.add_render_rule("heading_close", _heading_open)
_md.add_render_rule("image", _image)
_md.add_render_rule("link_open", _nothing)
_md.add_render_rule("link_close", _nothing)


def part_html(
    part: Part, notes: Sequence[str], pictures: dict[str, Picture] | None = None
) -> Markup:
    """A part's Markdown as HTML, with its note markers as footnotes."""
    env = {"pictures": pictures or {}}
    html = _md.renderer.render(parse(part.markdown), _md.options, env)

    def footnote(match: re.Match[str]) -> str:
        number = int(match.group(1))
        if not 0 < number <= len(notes):
            return ""
        return f'<span class="footnote">{escapeHtml(notes[number - 1])}</span>'

    return Markup(NOTE.sub(footnote, html))  # noqa: S704 - markdown-it escapes raw HTML


_templates = Environment(
    loader=PackageLoader("portal", "templates/export"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)


def export_html(export: Export) -> str:
    """The HTML (and print CSS) the PDF is made from."""
    return _templates.get_template("plan.html").render(
        export=export,
        parts=[(p, part_html(p, export.notes, export.pictures)) for p in export.parts],
    )


PICTURE_SCHEME = "portal-picture:"


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot load its system libraries (Pango) on this machine."""


def write_pdf(export: Export) -> bytes:
    """The export as a PDF (WeasyPrint), fetching nothing from anywhere: its
    pictures come from the export itself."""
    try:  # loads Pango: only when a PDF is wanted
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher, URLFetcherResponse
    except OSError as error:
        raise PdfUnavailable(str(error)) from error

    class PicturesOnly(URLFetcher):  # type: ignore[misc]
        """Answers the export's own pictures; refuses every other address
        (files, the network) without opening it."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            picture = export.pictures.get(url.removeprefix(PICTURE_SCHEME))
            if not url.startswith(PICTURE_SCHEME) or picture is None:
                raise ValueError(f"Downloads fetch nothing ({url[:40]}).")
            return URLFetcherResponse(
                url, picture.data, {"Content-Type": picture.content_type}
            )

    # Tagged (headings, lists, tables, reading order) for screen readers: a
    # council's documents must be accessible (PSBAR 2018).
    html = HTML(string=export_html(export), url_fetcher=PicturesOnly())
    pdf = html.write_pdf(pdf_tags=True)
    if pdf is None:  # only when writing to a target, which this does not
        raise RuntimeError("WeasyPrint returned no PDF.")
    return bytes(pdf)
