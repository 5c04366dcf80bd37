"""Comments and proposed changes with two real clients editing around them.

The caseworker and the parent edit Section A over /collab, each with their
own pycrdt document, on two server processes sharing Redis. The parent
anchors a comment and a proposal to passages with Yjs relative positions,
made and resolved by the browser's own code (frontend/src/anchors.js, run in
Node with stock Yjs, since pycrdt cannot make sticky indexes in XML text).
Both clients hear a `comments` event across processes; the anchors follow
their words through insertions before the passage and deletions inside it;
the caseworker accepts the proposal by editing the text through Yjs at the
resolved place; and a passage deleted outright is reported gone.
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

from pycrdt import XmlElement, XmlFragment, XmlText

from portal import docmodel
from portal.services import provenance
from tests.services import missing, redis_url

try:
    from collab_helpers import NS, Editor, Server, eventually, run
except ImportError:
    from tests.realtime.collab_helpers import NS, Editor, Server, eventually, run

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("comment_anchors.mjs")
PASSAGE = "help with reading"
LATER = "every day"
REPLACEMENT = "for 20 minutes each school day"


def _node(payload: dict[str, Any]) -> Any:
    node = shutil.which("node")
    if not node or not (ROOT / "frontend" / "node_modules" / "yjs").is_dir():
        missing("install Node.js 20+ and run `make frontend` to resolve Yjs anchors")
    done = subprocess.run(
        [str(node), str(SCRIPT)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _state(editor: Editor) -> str:
    return base64.b64encode(editor.ydoc.get_update()).decode()


def _anchors(editor: Editor, quote: str) -> dict[str, str]:
    anchors: dict[str, str] = _node({"update": _state(editor), "quote": quote})
    return anchors


def _locate(editor: Editor, *anchors: dict[str, str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = _node(
        {"update": _state(editor), "locate": list(anchors)}
    )
    return found


def _api(server: Server, token: str, path: str, body: Any = None) -> Any:
    request = urllib.request.Request(
        server.url + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
        },
        method="GET" if body is None else "POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        return json.loads(answer.read())


def _texts(body: XmlFragment) -> list[XmlText]:
    """Every XmlText in document order, as anchors.js counts them."""
    found: list[XmlText] = []
    for child in body.children:
        if isinstance(child, XmlText):
            found.append(child)
        elif isinstance(child, XmlElement):
            found.extend(_texts(child))  # type: ignore[arg-type]
    return found


def _plain(editor: Editor) -> str:
    return "\n".join(
        provenance._words(t) for t in _texts(docmodel.body_of(editor.ydoc))
    )


def _at(editor: Editor, offset: int) -> tuple[XmlText, int]:
    """The XmlText and index of a text offset (texts joined by one newline)."""
    start = 0
    for text in _texts(docmodel.body_of(editor.ydoc)):
        length = len(provenance._words(text))
        if offset <= start + length:
            return text, offset - start
        start += length + 1
    raise AssertionError(f"offset {offset} is past the end")


async def _edit(editor: Editor, change: Any) -> Any:
    before = editor.ydoc.get_state()
    with editor.ydoc.transaction():
        change(docmodel.body_of(editor.ydoc))
    return await editor.send_update(editor.ydoc.get_update(before))


def _paragraph(body: XmlFragment, words: str, index: int | None = None) -> None:
    element = XmlElement("paragraph")
    if index is None:
        body.children.append(element)
    else:
        body.children.insert(index, element)
    element.children.append(XmlText()).insert(0, words)


def _listen(editor: Editor) -> list[int]:
    heard: list[int] = []

    async def on_comments(data: dict[str, Any]) -> None:
        heard.append(int(data["doc"]))

    editor.sio.on("comments", on_comments, namespace=NS)
    return heard


def test_anchors_follow_their_words_while_two_clients_edit_and_a_proposal_is_accepted(
    seed: Any, start_server: Any
) -> None:
    url = redis_url()
    first, second = start_server(REDIS_URL=url), start_server(REDIS_URL=url)
    tokens = seed.tokens

    async def scenario() -> None:
        caseworker = await Editor(first.url, tokens["caseworker"]).connect()
        parent = await Editor(second.url, tokens["parent"]).connect()
        professional = await Editor(first.url, tokens["professional"]).connect()
        heard = {id(e): _listen(e) for e in (caseworker, parent, professional)}
        assert (await caseworker.join(seed.section_a))["access"] == "edit"
        assert (await parent.join(seed.section_a))["access"] == "edit"
        assert (await professional.join(seed.advice))["access"] == "edit"
        sentence = f"Leo needs {PASSAGE} {LATER}."
        assert (await _edit(caseworker, lambda b: _paragraph(b, "About Leo")))["ok"]
        assert (await _edit(caseworker, lambda b: _paragraph(b, sentence)))["ok"]
        await eventually(lambda: sentence in _plain(parent), what="parent sees it")

        # The parent comments on one passage and proposes new words for another,
        # through the server the caseworker is not on.
        comment = _api(
            second,
            tokens["parent"],
            f"/api/documents/{seed.section_a}/comments",
            {
                "body": "Which reading support?",
                "quote": PASSAGE,
                "anchor": _anchors(parent, PASSAGE),
            },
        )
        proposal = _api(
            second,
            tokens["parent"],
            f"/api/documents/{seed.section_a}/proposals",
            {
                "quote": LATER,
                "anchor": _anchors(parent, LATER),
                "replacement": REPLACEMENT,
                "reason": "Say how long.",
            },
        )
        # Both editors in the room hear of it, across processes; the
        # professional, in another document's room, does not.
        await eventually(
            lambda: (
                heard[id(caseworker)].count(seed.section_a) >= 2
                and heard[id(parent)].count(seed.section_a) >= 2
            ),
            what="the comments event in both processes",
        )
        assert seed.section_a not in heard[id(professional)]

        # Both edit around the passages at once: a paragraph and words before
        # them, and a deletion inside the commented passage.
        def before_everything(body: XmlFragment) -> None:
            _paragraph(body, "Written with Leo's family.", 0)

        def inside(body: XmlFragment) -> None:
            text, index = _at(parent, _plain(parent).index("with reading"))
            del text[index : index + len("with ")]

        def before_passage(body: XmlFragment) -> None:
            text, index = _at(caseworker, _plain(caseworker).index("Leo needs"))
            text.insert(index, "At school, ")

        acks = await asyncio.gather(
            _edit(parent, before_everything),
            _edit(caseworker, before_passage),
        )
        acks += [await _edit(parent, inside)]
        assert all(a == {"ok": True} for a in acks), acks
        await eventually(
            lambda: (
                _plain(parent) == _plain(caseworker)
                and "At school, Leo needs help reading every day." in _plain(parent)
                and _plain(parent).startswith("Written with Leo's family.")
            ),
            what="both converge",
        )
        anchors = [comment["anchor"], proposal["anchor"]]
        for editor in (caseworker, parent):
            found = _locate(editor, *anchors)
            assert [f["text"] for f in found] == ["help reading", LATER]
            assert not any(f["gone"] for f in found)

        # The caseworker sees the proposal and accepts it: the edit goes through
        # Yjs at the place the anchors resolve to, then the decision is recorded.
        listed = _api(
            first, tokens["caseworker"], f"/api/documents/{seed.section_a}/comments"
        )
        (open_proposal,) = [c for c in listed["comments"] if c["kind"] == "proposal"]
        assert open_proposal["can_decide"] is True
        (where,) = _locate(caseworker, open_proposal["anchor"])

        def accept(body: XmlFragment) -> None:
            text, index = _at(caseworker, where["from"])
            del text[index : index + where["to"] - where["from"]]
            text.insert(index, REPLACEMENT)

        assert (await _edit(caseworker, accept)) == {"ok": True}
        decided = _api(
            first,
            tokens["caseworker"],
            f"/api/documents/{seed.section_a}/proposals/{proposal['id']}/decision",
            {"decision": "accepted", "reply": "Thank you."},
        )
        assert decided["status"] == "accepted"
        final = f"At school, Leo needs help reading {REPLACEMENT}."
        await eventually(lambda: final in _plain(parent), what="parent sees the change")
        seen = _api(
            second, tokens["parent"], f"/api/documents/{seed.section_a}/comments"
        )
        outcome = next(c for c in seen["comments"] if c["id"] == proposal["id"])
        assert outcome["status"] == "accepted"
        assert outcome["decided_by"] == "Caseworker"
        assert [r["body"] for r in outcome["replies"]] == ["Thank you."]

        # The commented words are deleted outright: the comment stays, gone.
        def delete_sentence(body: XmlFragment) -> None:
            text, index = _at(parent, _plain(parent).index("At school"))
            del text[index : index + len(final)]

        assert (await _edit(parent, delete_sentence)) == {"ok": True}
        await eventually(
            lambda: "At school" not in _plain(caseworker), what="deletion arrives"
        )
        assert _locate(caseworker, comment["anchor"]) == [{"gone": True}]
        still = _api(
            first, tokens["caseworker"], f"/api/documents/{seed.section_a}/comments"
        )
        assert [c["body"] for c in still["comments"]][0] == "Which reading support?"
        for editor in (caseworker, parent, professional):
            await editor.close()

    run(scenario(), timeout=90)
