"""The body as Markdown and back: the words a family typed survive both ways."""

from __future__ import annotations

from pathlib import Path

import pytest
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from portal import docmodel
from portal.casefolder import load_case_folder
from portal.services.demo import demo_folder
from portal.services.markdown import render

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "examples"
FOLDERS = [demo_folder(), *sorted(EXAMPLES.glob("example*"))]


def _texts() -> list[tuple[str, str]]:
    out = []
    for folder in FOLDERS:
        case = load_case_folder(folder)
        for key, text in case.sections.items():
            out.append((f"{folder.name} section {key}", text.strip() + "\n"))
        for advice in case.advice:
            out.append((f"{folder.name} {advice.path}", advice.body.strip() + "\n"))
    return out


@pytest.mark.parametrize(
    ("name", "text"), _texts(), ids=lambda v: v if len(v) < 60 else ""
)
def test_case_folder_texts_round_trip_exactly(name: str, text: str) -> None:
    ydoc: Doc = Doc()
    docmodel.replace_markdown(ydoc, text)
    assert docmodel.markdown_of(ydoc) == text


def _paragraph(body: XmlFragment, *runs: tuple[str, dict | None]) -> XmlText:
    para = body.children.append(XmlElement("paragraph"))
    text = para.children.append(XmlText())
    for value, attrs in runs:
        text.insert(len(text), value, attrs)
    return text


def _markdown_of(build) -> str:  # type: ignore[no-untyped-def]
    ydoc: Doc = Doc()
    build(docmodel.body_of(ydoc))
    return docmodel.markdown_of(ydoc)


def test_what_a_family_types_is_words_not_markup() -> None:
    typed = [
        "# not a heading",
        "1. not a list",
        "- nor this",
        "*stars* and _underscores_ and `ticks`",
        "[a link](javascript:alert(1)) <b>bold</b>",
        "&amp; stays as typed",
        "===",
    ]

    def build(body: XmlFragment) -> None:
        for line in typed:
            _paragraph(body, (line, None))

    out = _markdown_of(build)
    html = str(render(out))
    for line in typed:
        escaped = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert f"<p>{escaped}</p>" in html, (line, html)


def test_bold_and_italic_runs_nest_and_keep_spaces_outside() -> None:
    def build(body: XmlFragment) -> None:
        _paragraph(
            body,
            ("She ", None),
            ("loves ", {"strong": {}}),
            ("horses", {"strong": {}, "em": {}}),
            (" and ", None),
            ("drawing", {"em": {}}),
            (".", None),
        )

    out = _markdown_of(build)
    assert out == "She **loves *horses*** and *drawing*.\n"
    assert "<strong>loves <em>horses</em></strong>" in str(render(out))


def test_headings_lists_breaks_and_pictures() -> None:
    def build(body: XmlFragment) -> None:
        heading = body.children.append(XmlElement("heading", {"level": 2}))
        heading.children.append(XmlText("What I like"))
        items = body.children.append(XmlElement("bullet_list"))
        for words in ("Horses", "Drawing"):
            item = items.children.append(XmlElement("list_item"))
            item.children.append(XmlElement("paragraph")).children.append(
                XmlText(words)
            )
        steps = body.children.append(XmlElement("ordered_list", {"order": 3}))
        item = steps.children.append(XmlElement("list_item"))
        item.children.append(XmlElement("paragraph")).children.append(XmlText("Third"))
        inner = item.children.append(XmlElement("bullet_list"))
        sub = inner.children.append(XmlElement("list_item"))
        sub.children.append(XmlElement("paragraph")).children.append(XmlText("Nested"))
        para = body.children.append(XmlElement("paragraph"))
        para.children.append(XmlText("Line one"))
        para.children.append(XmlElement("hard_break"))
        para.children.append(XmlText("Line two"))
        body.children.append(
            XmlElement(
                "image", {"src": "/documents/4/images/9", "alt": "Me [and] my pony"}
            )
        )

    out = _markdown_of(build)
    assert out == (
        "## What I like\n\n"
        "- Horses\n- Drawing\n\n"
        "3. Third\n   - Nested\n\n"
        "Line one\\\nLine two\n\n"
        "![Me \\[and\\] my pony](/documents/4/images/9)\n"
    )
    html = str(render(out))
    assert '<img src="/documents/4/images/9" alt="Me [and] my pony"' in html
    assert "Line one<br />\nLine two" in html

    # And back: the same structure from the same Markdown.
    again: Doc = Doc()
    docmodel.replace_markdown(again, out)
    assert docmodel.markdown_of(again) == out
    tags = [c.tag for c in docmodel.body_of(again).children]
    assert tags == ["heading", "bullet_list", "ordered_list", "paragraph", "image"]


def test_what_the_editor_cannot_show_keeps_its_words() -> None:
    markdown = (
        "> A quote from mum\n\n"
        "| Name | Maisie |\n|---|---|\n| Age | 7 |\n\n"
        "See [the report](https://example.org/r) for more.\n\n"
        "![a tracker](https://evil.example/pixel.png)\n"
    )
    ydoc: Doc = Doc()
    docmodel.replace_markdown(ydoc, markdown)
    out = docmodel.markdown_of(ydoc)
    for words in ("A quote from mum", "Name | Maisie", "Age | 7", "the report"):
        assert words in out
    assert "(https://example.org/r)" in out
    assert "evil.example" not in out and "a tracker" in out


def test_an_untouched_old_document_reads_as_its_old_text() -> None:
    from pycrdt import Text

    ydoc: Doc = Doc()
    ydoc.get("content", type=Text).insert(0, "# Old\n\nWords.\n")
    assert docmodel.markdown_of(ydoc) == "# Old\n\nWords.\n"
    assert docmodel.adopt_legacy_text(ydoc)
    assert docmodel.markdown_of(ydoc) == "# Old\n\nWords.\n"
    assert not docmodel.adopt_legacy_text(ydoc)
    # Emptied by its writers later, it stays empty.
    body = docmodel.body_of(ydoc)
    del body.children[0 : len(body.children)]
    assert docmodel.markdown_of(ydoc) == ""


def test_marks_in_any_order_never_garble_the_words() -> None:
    """Emphasis that Markdown cannot say cleanly goes out plain; the words
    always read back exactly."""
    import random

    rng = random.Random(20261204)
    words = ["a", "bc", " ", "d e", " f", "g ", "*", "1.", "x_y", "#", "-"]
    mark_sets: list[list[str]] = [[], ["strong"], ["em"], ["strong", "em"]]
    for _ in range(500):
        runs = [
            (rng.choice(words), rng.choice(mark_sets)) for _ in range(rng.randint(1, 5))
        ]

        def build(body: XmlFragment, runs=runs) -> None:  # type: ignore[no-untyped-def]
            _paragraph(
                body,
                *(
                    (v, {m: {} for m in ms} or {"strong": None, "em": None})
                    for v, ms in runs
                ),
            )

        html = str(render(_markdown_of(build)))
        shown = html.removeprefix("<p>").removesuffix("</p>\n")
        for tag in ("<strong>", "</strong>", "<em>", "</em>"):
            shown = shown.replace(tag, "")
        typed = "".join(v for v, _ in runs).strip()
        assert shown.replace("&amp;", "&") == typed, (runs, html)


def test_a_voice_note_is_a_link_paragraph_and_comes_back() -> None:
    def build(body: XmlFragment) -> None:
        body.children.append(
            XmlElement(
                "voice_note",
                {
                    "src": "/documents/4/recordings/2",
                    "transcript": "I like *trains*\nand [buses] & <cats>",
                },
            )
        )
        body.children.append(
            XmlElement(
                "voice_note", {"src": "https://x.example/a.webm", "transcript": "Hi"}
            )
        )

    out = _markdown_of(build)
    assert out == (
        "[Voice note: I like \\*trains\\* and \\[buses\\] & \\<cats>]"
        "(/documents/4/recordings/2)\n\n"
        "Voice note: Hi\n"
    )
    html = str(render(out))
    assert (
        '<audio controls preload="none" src="/documents/4/recordings/2"></audio>'
        "<figcaption>I like *trains* and [buses] &amp; &lt;cats&gt;</figcaption>"
    ) in html

    again: Doc = Doc()
    docmodel.replace_markdown(again, out)
    assert docmodel.markdown_of(again) == out
    note, words = docmodel.body_of(again).children
    assert isinstance(note, XmlElement) and note.tag == "voice_note"
    assert dict(note.attributes) == {
        "src": "/documents/4/recordings/2",
        "transcript": "I like *trains* and [buses] & <cats>",
    }
    assert isinstance(words, XmlElement) and words.tag == "paragraph"


@pytest.mark.parametrize(
    "markdown",
    [
        "[Voice note: hi](/documents/4/images/2)\n",
        "[Recording: hi](/documents/4/recordings/2)\n",
        "[Voice note: hi](https://x.example/documents/4/recordings/2)\n",
        "Hear [Voice note: hi](/documents/4/recordings/2)\n",
        "[Voice note: *hi*](/documents/4/recordings/2)\n",
    ],
)
def test_other_links_are_not_voice_notes(markdown: str) -> None:
    ydoc: Doc = Doc()
    docmodel.replace_markdown(ydoc, markdown)
    tags = [c.tag for c in docmodel.body_of(ydoc).children]
    assert tags == ["paragraph"]


def test_a_voice_note_plays_on_a_page_without_javascript() -> None:
    """The no-JavaScript page shows a player for the portal's own recording
    with its words; a look-alike link elsewhere stays a plain link."""

    def build(body: XmlFragment) -> None:
        body.children.append(
            XmlElement(
                "voice_note",
                {
                    "src": "/documents/3/recordings/4",
                    "transcript": "I like *trains* <3",
                },
            )
        )

    markdown = _markdown_of(build)
    markdown += "\n[Voice note: click me](https://elsewhere.example/a.ogg)\n"
    html = str(render(markdown, "/portal"))
    assert (
        '<audio controls preload="none" src="/portal/documents/3/recordings/4">' in html
    )
    assert "<figcaption>I like *trains* &lt;3</figcaption>" in html
    assert '<a href="https://elsewhere.example/a.ogg">Voice note: click me</a>' in html
    assert html.count("<audio") == 1
