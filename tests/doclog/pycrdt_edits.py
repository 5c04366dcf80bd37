"""Edit histories made by pycrdt, for the validator's tests and fuzz seeds.

Each history is the list of updates in the order a server receives them. Client
ids are fixed, so every run builds the same structs (yrs may write the keys of
a map value in another order).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pycrdt import (
    Array,
    Doc,
    Map,
    Text,
    UndoManager,
    XmlElement,
    XmlFragment,
    XmlText,
)


def record(client_id: int, edit: Callable[[Doc], None]) -> list[bytes]:
    """Every update one document emits while `edit` runs."""
    doc: Doc = Doc(client_id=client_id)
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(bytes(event.update)))
    edit(doc)
    return updates


def edit_text(doc: Doc) -> None:
    doc["t"] = text = Text()
    text.insert(0, "Needs help with reading 😀 ñ")
    text.format(0, 5, {"bold": True})
    text.insert_embed(3, {"image": "a.png", "size": [1, 2]})
    text.insert(10, " and writing", {"italic": True, "link": {"href": "x"}})
    text.format(0, 3, {"bold": None})
    del text[2:6]
    emoji = str(text).index("😀")
    del text[emoji : emoji + 1]


def edit_values(doc: Doc) -> None:
    doc["m"] = values = Map[Any]()
    values["any"] = {"a": [1, 2.5, None, True, "s"], "b": {"c": b"\x01"}}
    values["bytes"] = b"\x00\xff"
    values["big"] = 2**40
    values["nested"] = Map({"list": Array([1, "two"]), "text": Text("t")})
    values["any"] = "replaced"
    for count in range(4):  # overwritten entries merge into one Deleted item
        values["counter"] = count
    values["nested"] = None  # deletes a map holding an array and a text
    doc["a"] = items = Array[Any]()
    items.extend([1, "two", 3.5, None, False, [1, [2]], {"x": 1}])
    items.insert(2, Map({"k": "v"}))
    del items[1:3]


def edit_xml(doc: Doc) -> None:
    """A ProseMirror-shaped tree: paragraphs and a list, attributes, marks."""
    doc["prosemirror"] = fragment = XmlFragment()
    para = fragment.children.append(XmlElement("paragraph", {"align": "left"}))
    words = para.children.append(XmlText("Reads with support."))
    words.format(0, 5, {"strong": {}})
    words.insert_embed(2, {"mention": "SENCO"})
    for align in ("right", "centre", "right"):
        para.attributes["align"] = align
    lst = fragment.children.append(XmlElement("bullet_list"))
    for label in ("one", "two"):
        item = lst.children.append(XmlElement("list_item"))
        item.children.append(XmlElement("paragraph")).children.append(XmlText(label))
    del words[0:3]
    del lst.children[0]


def edit_undo(doc: Doc) -> None:
    doc["t"] = text = Text("base ")
    undo = UndoManager(scopes=[text], capture_timeout_millis=0)
    text.insert(5, "typed")
    del text[0:2]
    undo.undo()
    undo.undo()
    undo.redo()


def edit_paste(doc: Doc) -> None:
    doc["t"] = text = Text()
    text.insert(0, "Paragraph of pasted advice. " * 200)
    for i in range(0, 400, 40):
        text.insert(i, "✓")


def two_clients() -> list[bytes]:
    """Two documents editing one text, concurrently, as a server receives them."""
    a: Doc = Doc(client_id=21)
    b: Doc = Doc(client_id=22)
    a["t"] = ta = Text()
    b["t"] = tb = Text()
    seen: list[bytes] = []

    def local(doc: Doc, edit: Callable[[], None]) -> bytes:
        before = doc.get_state()
        edit()
        seen.append(doc.get_update(before))
        return seen[-1]

    b.apply_update(local(a, lambda: ta.insert(0, "from a. ")))
    first_b = local(b, lambda: tb.insert(3, "from b inside "))
    local(a, lambda: ta.insert(0, "concurrent "))  # before a sees b's edit
    a.apply_update(first_b)
    b.apply_update(a.get_update(b.get_state()))
    local(b, lambda: tb.__delitem__(slice(0, 4)))
    return seen


HISTORIES: dict[str, Callable[[], list[bytes]]] = {
    "text": lambda: record(11, edit_text),
    "values": lambda: record(12, edit_values),
    "xml": lambda: record(13, edit_xml),
    "undo": lambda: record(14, edit_undo),
    "paste": lambda: record(15, edit_paste),
    "two clients": two_clients,
}
