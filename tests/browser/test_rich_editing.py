"""A parent or young person, on a phone or a laptop, formats Section A with the
toolbar and pastes from Word: headings, bold and lists arrive without Word's
styles, survive a reload, and the page stays accessible and fits the screen."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import _no_horizontal_scroll, _violations
from tests.browser.test_saving import (
    DESKTOP,
    PHONE,
    _editor_markdown,
    _go_to_end,
    _open_editor,
    _section,
    _stored_text,
    _wait_saved,
)

# What Word puts on the clipboard for a heading, a paragraph and a bulleted
# list, wrapped the way Google Docs wraps a paste.
WORD_HTML = """<b style="font-weight:normal" id="docs-internal-guid-4a1b">
<h2 style='mso-margin-top-alt:auto'><span style='font-family:"Calibri"'>At school<o:p></o:p></span></h2>
<p class=MsoNormal style='margin:0cm'><span style='font-size:14.0pt;color:red'>Leo likes the quiet room.<o:p></o:p></span></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><!--[if !supportLists]--><span style='font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span></span><!--[endif]-->Reading corner<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><!--[if !supportLists]--><span style='font-family:Symbol'><span style='mso-list:Ignore'>·<span>&nbsp;</span></span></span><!--[endif]--><b>Music</b> lessons<o:p></o:p></p>
<p class=MsoNormal><img src="https://elsewhere.example/tracker.png" alt="">Thank you.</p>
</b>"""

PASTE_HTML = """(html) => {
  const data = new DataTransfer()
  data.setData('text/html', html)
  data.setData('text/plain', 'fallback')
  const event = new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true})
  document.querySelector('#editor-mount .ProseMirror').dispatchEvent(event)
}"""

# The document's structure: [node name, attrs or marks, text] for each block.
OUTLINE = """() => {
  const out = []
  window.ehcpEditor.view.state.doc.descendants((node) => {
    if (!node.isTextblock && node.type.name !== 'image') return true
    const marks = []
    node.forEach((child) => child.marks.forEach((m) => marks.push(m.type.name + ':' + child.text)))
    out.push([node.type.name, marks.join(','), node.textContent])
    return false
  })
  return out
}"""


def _press(page: Any, command: str) -> None:
    page.click(f"[role=toolbar] [data-command={command}]")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize(
    "email", ["parent@example.org", "young.person@example.org"], ids=["parent", "child"]
)
def test_family_formats_and_pastes_from_word_in_section_a(
    live_server: str,
    chromium: Any,
    runner,
    dbs: Session,
    email: str,
    viewport: dict[str, int],
) -> None:
    runner.invoke(args=["demo"])
    doc_id = _section(dbs, "A")
    context = chromium.new_context(viewport=viewport)
    signing_in = context.new_page()
    sign_in(signing_in, live_server, email)
    signing_in.close()
    page = _open_editor(context, live_server, doc_id)
    top = page.evaluate(
        "document.querySelector('#editor-mount').getBoundingClientRect().top"
    )
    assert top < viewport["height"], "the editor starts on the first screen"
    assert _no_horizontal_scroll(page)

    _go_to_end(page)
    page.keyboard.press("Enter")
    _press(page, "heading")
    assert page.get_attribute("[data-command=heading]", "aria-pressed") == "true"
    page.keyboard.type("My week")
    page.keyboard.press("Enter")
    _press(page, "bold")
    page.keyboard.type("Best")
    _press(page, "bold")
    page.keyboard.type(" day was Friday.")
    page.keyboard.press("Enter")
    _press(page, "bullet-list")
    page.keyboard.type("Swimming")
    page.keyboard.press("Enter")
    page.keyboard.type("Painting")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # an empty item ends the list
    page.evaluate(PASTE_HTML, WORD_HTML)

    outline = page.evaluate(OUTLINE)
    tail = outline[outline.index(["heading", "", "My week"]) :]
    assert tail == [
        ["heading", "", "My week"],
        ["paragraph", "strong:Best", "Best day was Friday."],
        ["paragraph", "", "Swimming"],
        ["paragraph", "", "Painting"],
        ["heading", "", "At school"],
        ["paragraph", "", "Leo likes the quiet room."],
        ["paragraph", "", "Reading corner"],
        ["paragraph", "strong:Music", "Music lessons"],
        ["paragraph", "", "Thank you."],
    ]
    markdown = _editor_markdown(page)
    assert (
        "## My week\n\n**Best** day was Friday.\n\n- Swimming\n- Painting" in markdown
    )
    assert (
        "## At school\n\nLeo likes the quiet room.\n\n- Reading corner\n- **Music** lessons\n\nThank you."
        in markdown
    )
    assert "·" not in markdown and "elsewhere.example" not in markdown
    # No Word styles, and no picture from another site (Leo's own drawing,
    # already in Section A, stays).
    assert page.query_selector_all(".ProseMirror [style]") == []
    assert page.query_selector_all(".ProseMirror img:not([src^='/documents/'])") == []

    _wait_saved(page)
    page.reload()
    page.wait_for_selector('#ehcp-editor[data-state="ready"]', timeout=15_000)
    assert _editor_markdown(page) == markdown
    assert _violations(page) == ""
    assert _no_horizontal_scroll(page)
    assert _stored_text(dbs, doc_id) == markdown
    context.close()
