"""The server and the editor agree on the document: what the server writes
y-prosemirror reads as a valid ProseMirror document, the editor's serializer
makes the same Markdown of it as the server, and what y-prosemirror writes
back reads the same on the server."""

from __future__ import annotations

import base64
import json

from pycrdt import Doc

from portal import docmodel
from tests.doclog.nodejs import node, run_script
from tests.docmodel.test_markdown import _texts

EXTRA = [
    (
        "nested lists",
        "- one\n- two\n  - inner\n    1. deep\n\n9. nine\n10. ten\n\n    more\n",
    ),
    ("marks", "She **loves *horses*** and *drawing*, **B1.** done\\\nnext line\n"),
    (
        "escapes",
        "\\# not a heading, 2\\*3, snake\\_case, \\[x\\] \\<b>\n\n1\\. not a list\n",
    ),
    (
        "picture",
        "## What I like\n\n![Me and Pepper](/documents/3/images/7)\n\nText after.\n",
    ),
    (
        "voice note",
        "## About me\n\n"
        "[Voice note: I like \\*trains\\* \\[and\\] buses](/documents/3/recordings/2)"
        "\n\n[Voice note:](/documents/3/recordings/4)\n\nText after.\n",
    ),
]


def test_server_and_editor_write_the_same_markdown() -> None:
    node()
    cases = [*_texts(), *EXTRA]
    lines = []
    for _, markdown in cases:
        ydoc: Doc = Doc()
        docmodel.replace_markdown(ydoc, markdown)
        lines.append(
            json.dumps({"update": base64.b64encode(ydoc.get_update()).decode()})
        )
    results = [
        json.loads(line)
        for line in run_script(
            "../docmodel/pm_roundtrip.mjs", "\n".join(lines)
        ).splitlines()
    ]
    assert len(results) == len(cases)
    for (name, markdown), result in zip(cases, results, strict=True):
        assert "error" not in result, (name, result)
        assert result["markdown"] == markdown, name
        back: Doc = Doc()
        back.apply_update(base64.b64decode(result["update"]))
        assert docmodel.markdown_of(back) == markdown, name
